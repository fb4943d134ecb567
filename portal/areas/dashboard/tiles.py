"""The customer dashboard: what each tile shows, worked out from cached Brightpearl reads.

The dashboard page itself makes no Brightpearl call; each tile is fetched on its own (see
portal/pages/tiles.py), so one slow read never holds up the others. The tiles share their
reads through the gateway's cache: the order index, the order statuses and the contact are
read once for all of them.

Rules (API.md §7.4: status ids and names are per account; only the state "draft" is known):

- a **quote** is a sales order whose status has the state "draft";
- a sales order is **closed** when its status name says it is invoiced, cancelled, completed
  or closed (`CLOSED_WORDS`), in any letter case, so a merchant's own "Invoiced & shipped"
  counts too;
- every other sales order is **open**, including one whose status the account no longer lists;
- an invoice is **overdue** when its statement line (API.md §8.4) belongs to one of the
  customer's sales orders, still has an amount due, and its due date is before today.

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
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlite_utils import Database

from portal.brightpearl.access import may_see_order, may_see_search_row
from portal.brightpearl.gateway import Brightpearl
from portal.brightpearl.models import Contact, OrderSearchRow, OrderStatus
from portal.tracking import tracking_links
from portal.users import User

SALES_ORDER = 1  # orderTypeId in order-search
CLOSED_WORDS = re.compile(r"invoic|cancel|complete|closed", re.IGNORECASE)
LATEST_ORDERS = 5
LATEST_SHIPMENTS = 5
# Shipments are looked for among this many of the newest orders: one goods-out call covers them.
SHIPMENT_ORDERS = 10
LISTED_QUOTES = 3
LISTED_OVERDUE = 3
ZERO = Decimal("0")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class TileRequest:
    """What a tile needs to work itself out."""

    bp: Brightpearl
    db: Database
    user: User
    now: datetime  # aware; "today" for due dates


@dataclass(frozen=True)
class Tile:
    """One dashboard tile: `name` is its URL slug, `link_text` the plain link shown until (or
    instead of, without JavaScript) the tile has loaded."""

    name: str
    title: str
    template: str
    link_text: str
    load: Callable[[TileRequest], Awaitable[dict]]
    wide: bool = False


# --- classification ----------------------------------------------------------------------------
def is_quote(status: OrderStatus | None) -> bool:
    return status is not None and status.state.strip().casefold() == "draft"


def is_closed(status: OrderStatus | None) -> bool:
    return status is not None and not is_quote(status) and bool(CLOSED_WORDS.search(status.name))


def is_open(status: OrderStatus | None) -> bool:
    return not is_quote(status) and not is_closed(status)


async def _my_sales_orders(bp: Brightpearl, user: User) -> tuple[dict[int, OrderStatus], list[OrderSearchRow]]:
    """The account's order statuses and the user's sales-order index rows (newest first)."""
    statuses, index = await asyncio.gather(bp.order_statuses(), bp.order_index(user.contact_id, SALES_ORDER))
    return statuses, [row for row in index if may_see_search_row(user, row)]


async def _contact_and_currency(bp: Brightpearl, user: User) -> tuple[Contact | None, str | None, int]:
    """The user's contact, its currency's ISO code (None when unknown) and currency id.

    API note: a contact carries only `financialDetails.currencyId`; the code comes from the
    account's price lists (each has currencyId and currencyCode). When no price list uses the
    contact's currency, the currency of the contact's own price list is used instead."""
    contact, price_lists = await asyncio.gather(bp.contact(user.contact_id), bp.price_lists())
    if contact is None:
        return None, None, 0
    code = await bp.currency_code(contact.currency_id) if contact.currency_id else None
    currency_id = contact.currency_id
    if code is None:
        own = price_lists.get(contact.price_list_id)
        if own is not None and _CURRENCY_CODE.match(own.currency_code):
            code, currency_id = own.currency_code, own.currency_id
    return contact, code, currency_id


# --- tiles -------------------------------------------------------------------------------------
async def balance_tile(req: TileRequest) -> dict:
    """Balance, credit limit and what is left of it, in the contact's currency."""
    contact, currency, _ = await _contact_and_currency(req.bp, req.user)
    if contact is None:
        return {"missing": True}
    balance = await req.bp.contact_balance(contact.id, currency) if currency else None
    owed = balance if balance is not None else ZERO
    limit = contact.credit_limit if contact.credit_limit > 0 else None
    return {
        "missing": False,
        "currency": currency,
        "known": currency is not None,
        "balance": owed,
        "limit": limit,
        # Brightpearl has no "available credit": the portal works it out (API.md §6.5).
        "headroom": limit - owed if limit is not None else None,
        "available": max(limit - owed, ZERO) if limit is not None else None,
        "over": owed - limit if limit is not None and owed > limit else None,
        "used_percent": _percent(owed, limit),
        "term_days": contact.credit_term_days,
    }


def _percent(owed: Decimal, limit: Decimal | None) -> int | None:
    if limit is None:
        return None
    return max(0, min(100, int(owed * 100 / limit)))


async def overdue_tile(req: TileRequest) -> dict:
    """Invoices past their due date with money still owed: count, total and the oldest few."""
    contact, currency, currency_id = await _contact_and_currency(req.bp, req.user)
    if contact is None:
        return {"missing": True}
    if not currency_id:
        return {"missing": False, "known": False}
    lines, (_, mine) = await asyncio.gather(
        req.bp.statement(contact.id, currency_id), _my_sales_orders(req.bp, req.user)
    )
    # The statement search is filtered by contact in Brightpearl; showing only lines of orders
    # in the user's own index keeps another contact's invoice out even if that filter slipped.
    my_orders = {row.order_id for row in mine}
    overdue = []
    for line in lines:
        if line.order_id not in my_orders or line.due_amount <= 0 or line.due_date is None:
            continue
        # "Today" where the due date was written (its own offset), so a date never turns
        # overdue early or late because of the server's time zone.
        days = (req.now.astimezone(line.due_date.tzinfo).date() - line.due_date.date()).days
        if days > 0:
            overdue.append({"line": line, "days": days})
    overdue.sort(key=lambda item: (item["line"].due_date, item["line"].journal_id))
    return {
        "missing": False,
        "known": True,
        "currency": currency,
        "count": len(overdue),
        "total": sum((item["line"].due_amount for item in overdue), ZERO),
        "oldest": overdue[:LISTED_OVERDUE],
    }


async def open_orders_tile(req: TileRequest) -> dict:
    """Sales orders not yet invoiced or cancelled, counted per status."""
    statuses, mine = await _my_sales_orders(req.bp, req.user)
    counts: dict[int, int] = {}
    for row in mine:
        if is_open(statuses.get(row.status_id)):
            counts[row.status_id] = counts.get(row.status_id, 0) + 1
    by_status = sorted(
        ({"id": sid, "name": _status_name(statuses, sid), "count": n} for sid, n in counts.items()),
        key=lambda item: (_sort_order(statuses, item["id"]), item["name"]),
    )
    return {"count": sum(counts.values()), "by_status": by_status}


async def quotes_tile(req: TileRequest) -> dict:
    """Sales orders in a quote (draft) status: count and the newest few."""
    statuses, mine = await _my_sales_orders(req.bp, req.user)
    quotes = [row for row in mine if is_quote(statuses.get(row.status_id))]
    status_ids = sorted({row.status_id for row in quotes})
    return {
        "count": len(quotes),
        "newest": quotes[:LISTED_QUOTES],
        # With one quote status the order list can be filtered to it.
        "status_id": status_ids[0] if len(status_ids) == 1 else None,
    }


async def latest_orders_tile(req: TileRequest) -> dict:
    """The newest sales orders that are not quotes, with status and total."""
    statuses, mine = await _my_sales_orders(req.bp, req.user)
    rows = [row for row in mine if not is_quote(statuses.get(row.status_id))][:LATEST_ORDERS]
    orders = await req.bp.orders([row.order_id for row in rows]) if rows else {}
    latest = []
    for row in rows:
        order = orders.get(row.order_id)
        if order is None or not may_see_order(req.user, order):
            continue
        latest.append({"order": order, "status_name": order.status_name or _status_name(statuses, row.status_id)})
    return {"orders": latest, "has_any": bool(mine)}


async def shipments_tile(req: TileRequest) -> dict:
    """The newest goods-out notes of the newest orders, with method and tracking link."""
    statuses, mine = await _my_sales_orders(req.bp, req.user)
    recent = [row for row in mine if not is_quote(statuses.get(row.status_id))][:SHIPMENT_ORDERS]
    if not recent:
        return {"shipments": []}
    by_id = {row.order_id: row for row in recent}
    notes_by_order, methods = await asyncio.gather(
        req.bp.goods_out_notes_of_orders(list(by_id)), req.bp.shipping_methods()
    )
    notes = [note for order_id, notes in notes_by_order.items() if order_id in by_id for note in notes]
    notes.sort(key=lambda n: (n.shipped_on or n.created_on or _EPOCH, n.id), reverse=True)
    notes = notes[:LATEST_SHIPMENTS]
    links = tracking_links(req.db, notes, methods)
    return {
        "shipments": [
            {
                "note": note,
                "order_row": by_id[note.order_id],
                "method": methods.get(note.shipping_method_id),
                "link": links.get(note.id),
            }
            for note in notes
        ]
    }


def _status_name(statuses: dict[int, OrderStatus], status_id: int) -> str:
    status = statuses.get(status_id)
    return status.name if status else "Other"


def _sort_order(statuses: dict[int, OrderStatus], status_id: int) -> int:
    status = statuses.get(status_id)
    return status.sort_order if status else 10**6


TILES: dict[str, Tile] = {
    tile.name: tile
    for tile in (
        Tile("balance", "Balance and credit", "partials/tile_balance.html", "See your balance and credit", balance_tile),
        Tile("overdue", "Overdue invoices", "partials/tile_overdue.html", "See overdue invoices", overdue_tile),
        Tile("open-orders", "Open orders", "partials/tile_open_orders.html", "See your open orders", open_orders_tile),
        Tile("quotes", "Open quotes", "partials/tile_quotes.html", "See your open quotes", quotes_tile),
        Tile("latest-orders", "Latest orders", "partials/tile_latest_orders.html", "See your latest orders",
             latest_orders_tile, wide=True),
        Tile("shipments", "Latest shipments", "partials/tile_shipments.html", "See your latest shipments",
             shipments_tile, wide=True),
    )
}
