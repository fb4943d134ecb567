"""The customer dashboard: what each tile shows, worked out from cached Brightpearl reads.

The dashboard page itself makes no Brightpearl call; each tile is fetched on its own (see
routes.py), so one slow read never holds up the others. The tiles share their reads through
the cache: the order index, the order statuses and the contact are read once for all of them.

Quotes, open and closed orders follow the customer's status labels (portal.domain.status_labels:
a quote is an order in the quote state, an open order one that is received, being prepared or
shipped) and are shown by those labels; the balance and the credit
left follow portal.domain.account (the account page and the statement ask the same). An
invoice is **overdue** when its statement line (API.md §8.4) belongs to one of the customer's
sales orders, still has an amount due, and its due date is before today.

Brightpearl calls per tile with a cold cache (the shared reads are made once for all tiles):

    balance        contact + price lists + contact balance                              3
    overdue        contact + price lists + statement + order statuses + order index     5
    open orders    order statuses + order index                                         2
    open quotes    order statuses + order index                                         2
    latest orders  order statuses + order index + orders (one ID-set GET)               3
    shipments      statuses + index + goods-out notes (one ID-set GET) + methods        4
    whole dashboard                                                                     9
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Contact, OrderSearchRow, OrderType
from portal.core.clock import Clock
from portal.core.status_map import StatusMap
from portal.core.tracking import TrackingPatterns, tracking_links
from portal.core.users import User
from portal.domain.account import AccountCurrency, Credit, account_currency, credit_terms
from portal.domain.order_states import OrderState
from portal.domain.shipments import in_despatch_order, newest_first
from portal.domain.status_labels import StatusLabels
from portal.security.access import may_see_order, may_see_search_row
from portal.web.parts import PageParts

LATEST_ORDERS = 5
LATEST_SHIPMENTS = 5
# Shipments are looked for among this many of the newest orders: one goods-out call covers them.
SHIPMENT_ORDERS = 10
LISTED_QUOTES = 3
LISTED_OVERDUE = 3
ZERO = Decimal("0")


@dataclass
class DashboardData:
    """What the tiles of one customer read, through the shared cache."""

    bp: Brightpearl
    tracking: TrackingPatterns
    clock: Clock  # "today" for due dates
    status_map: StatusMap  # the customer's labels of statuses
    user: User

    async def my_sales_orders(self) -> tuple[StatusLabels, list[OrderSearchRow]]:
        """The customer's status labels and the user's sales-order index rows (newest first)."""
        statuses, index = await asyncio.gather(
            self.bp.orders.statuses(), self.bp.orders.index(self.user.contact_id, OrderType.SALES_ORDER)
        )
        labels: StatusLabels = self.status_map.derived(statuses, StatusLabels)
        return labels, [row for row in index if may_see_search_row(self.user, row)]

    async def contact_and_currency(self) -> tuple[Contact | None, AccountCurrency | None]:
        """The user's contact and the currency of its account (None when it cannot be told)."""
        contact, price_lists = await asyncio.gather(
            self.bp.contacts.one(self.user.contact_id), self.bp.products.price_lists()
        )
        if contact is None:
            return None, None
        return contact, account_currency(contact, price_lists)


@dataclass(frozen=True)
class Tile:
    """One dashboard tile: `name` is its URL slug, `link_text` the plain link shown until (or
    instead of, without JavaScript) the tile has loaded."""

    name: str
    title: str
    template: str
    link_text: str
    load: Callable[[DashboardData], Awaitable[dict]]
    wide: bool = False


# --- tiles -------------------------------------------------------------------------------------
async def balance_tile(data: DashboardData) -> dict:
    """Balance, credit limit and what is left of it, in the account's currency."""
    contact, currency = await data.contact_and_currency()
    if contact is None:
        return {"missing": True}
    balance = await data.bp.accounting.balance(contact.id, currency.code) if currency else None
    owed = balance if balance is not None else ZERO
    credit = Credit(currency=currency.code if currency else None, limit=contact.credit_limit, balance=owed if currency else None)
    return {
        "missing": False,
        "currency": credit.currency,
        "known": currency is not None,
        "balance": owed,
        "limit": credit.limit if credit.has_limit else None,
        "available": credit.available,
        "over": credit.over_by,
        "used_percent": credit.used_percent,
        "term_days": contact.credit_term_days,
        "terms": credit_terms(contact.credit_term_days),
    }


async def overdue_tile(data: DashboardData) -> dict:
    """Invoices past their due date with money still owed: count, total and the oldest few."""
    contact, currency = await data.contact_and_currency()
    if contact is None:
        return {"missing": True}
    if currency is None:
        return {"missing": False, "known": False}
    lines, (_, mine) = await asyncio.gather(
        data.bp.accounting.statement(contact.id, currency.id), data.my_sales_orders()
    )
    # The statement search is filtered by contact in Brightpearl; showing only lines of orders
    # in the user's own index keeps another contact's invoice out even if that filter slipped.
    my_orders = {row.order_id for row in mine}
    # Due dates are calendar days; overdue means due before the merchant's today.
    today = data.clock.today()
    overdue = []
    for line in lines:
        if line.order_id not in my_orders or line.due_amount <= 0 or line.due_date is None:
            continue
        days = (today - line.due_date).days
        if days > 0:
            overdue.append({"line": line, "days": days})
    overdue.sort(key=lambda item: (item["line"].due_date, item["line"].journal_id))
    return {
        "missing": False,
        "known": True,
        "currency": currency.code,
        "count": len(overdue),
        "total": sum((item["line"].due_amount for item in overdue), ZERO),
        "oldest": overdue[:LISTED_OVERDUE],
    }


OPEN_STATES = frozenset({OrderState.RECEIVED.value, OrderState.PROGRESS.value, OrderState.SHIPPED.value})
_STATE_RANK = {OrderState.RECEIVED.value: 0, OrderState.PROGRESS.value: 1, OrderState.SHIPPED.value: 2}


async def open_orders_tile(data: DashboardData) -> dict:
    """Sales orders not yet completed or cancelled (nor quotes), counted per label shown."""
    labels, mine = await data.my_sales_orders()
    counts: dict[str, list] = {}
    for row in mine:
        shown = labels.for_row(row)
        if shown.state in OPEN_STATES:
            entry = counts.setdefault(shown.label.casefold(), [_STATE_RANK[shown.state], shown.label, 0])
            entry[0] = min(entry[0], _STATE_RANK[shown.state])
            entry[2] += 1
    by_status = [{"label": label, "count": n} for _, label, n in sorted(counts.values(), key=lambda e: (e[0], e[1]))]
    return {"count": sum(item["count"] for item in by_status), "by_status": by_status}


def _is_quote(labels: StatusLabels, row: OrderSearchRow) -> bool:
    return labels.for_row(row).state == OrderState.QUOTE.value


async def quotes_tile(data: DashboardData) -> dict:
    """Sales orders in the quote state: count and the newest few."""
    labels, mine = await data.my_sales_orders()
    quotes = [row for row in mine if _is_quote(labels, row)]
    shown = sorted({labels.for_row(row).label for row in quotes})
    return {
        "count": len(quotes),
        "newest": quotes[:LISTED_QUOTES],
        # With one label for them all the order list can be filtered to it.
        "status_label": shown[0] if len(shown) == 1 else None,
    }


async def latest_orders_tile(data: DashboardData) -> dict:
    """The newest sales orders that are not quotes, with status and total."""
    labels, mine = await data.my_sales_orders()
    rows = [row for row in mine if not _is_quote(labels, row)][:LATEST_ORDERS]
    orders = await data.bp.orders.many([row.order_id for row in rows]) if rows else {}
    latest = []
    for row in rows:
        order = orders.get(row.order_id)
        if order is None or not may_see_order(data.user, order):
            continue
        shown = labels.for_order(order)
        latest.append({"order": order, "status_name": shown.label, "state": shown.state})
    return {"orders": latest, "has_any": bool(mine)}


async def shipments_tile(data: DashboardData) -> dict:
    """The newest goods-out notes of the newest orders, with method and tracking link."""
    labels, mine = await data.my_sales_orders()
    recent = [row for row in mine if not _is_quote(labels, row)][:SHIPMENT_ORDERS]
    parts = PageParts()
    if not recent:
        return {"shipments": [], "unavailable": parts.unavailable}
    by_id = {row.order_id: row for row in recent}
    # The notes are the tile; without the method names it still shows them (and says so).
    notes_by_order, methods = await asyncio.gather(
        data.bp.warehouse.goods_out_notes_of_orders(list(by_id)),
        parts.read("shipping_methods", data.bp.warehouse.shipping_methods(), {}),
    )
    notes = newest_first(note for order_id, notes in notes_by_order.items() if order_id in by_id for note in notes)
    # A shipment is named by its place among its order's despatches, never by its note id.
    place = {
        note.id: (number, len(order_notes))
        for order_id, order_notes in notes_by_order.items()
        for number, note in enumerate(in_despatch_order(order_notes), start=1)
    }
    notes = notes[:LATEST_SHIPMENTS]
    links = tracking_links(data.tracking, notes)
    return {
        "shipments": [
            {
                "note": note,
                "order_row": by_id[note.order_id],
                "method": methods.get(note.shipping_method_id),
                "link": links.get(note.id),
                "number": place[note.id][0],
                "count": place[note.id][1],
            }
            for note in notes
        ],
        "unavailable": parts.unavailable,
    }


TILES: Mapping[str, Tile] = {
    tile.name: tile
    for tile in (
        Tile("balance", "Balance and credit", "partials/dashboard/tile_balance.html", "See your balance and credit",
             balance_tile),
        Tile("overdue", "Overdue invoices", "partials/dashboard/tile_overdue.html", "See overdue invoices", overdue_tile),
        Tile("open-orders", "Open orders", "partials/dashboard/tile_open_orders.html", "See your open orders",
             open_orders_tile),
        Tile("quotes", "Open quotes", "partials/dashboard/tile_quotes.html", "See your open quotes", quotes_tile),
        Tile("latest-orders", "Latest orders", "partials/dashboard/tile_latest_orders.html", "See your latest orders",
             latest_orders_tile, wide=True),
        Tile("shipments", "Latest shipments", "partials/dashboard/tile_shipments.html", "See your latest shipments",
             shipments_tile, wide=True),
    )
}
