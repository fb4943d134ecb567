"""The order history: its filters, one page of it, and the rendered rows it reuses.

Brightpearl calls: statuses + the contact's order index + one ID-set GET for the orders of the
page -> <= 3 cold, 0 warm. The search and the status filter run locally on the cached index.

Essential: the index and the orders of the page. The status list degrades to a note (the rows
show each order's own status name; the status filter has no choices).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo

from markupsafe import Markup

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order, OrderSearchRow, OrderStatus, OrderType
from portal.core.formatting import day, iso, money
from portal.core.settings import Settings
from portal.core.users import User
from portal.domain.order_states import OrderState, order_state, status_name
from portal.domain.shipments import shipping_state
from portal.security.access import may_see_order, may_see_search_row
from portal.web.listing import ListQuery, paginate, parse_page, parse_search
from portal.web.parts import PageParts

MAX_STATUS_DIGITS = 9


@dataclass(frozen=True)
class HistoryQuery(ListQuery):
    """The validated filters of the order history; `errors` maps field -> message."""

    q: str = ""
    status: int | None = None
    page: int = 1
    errors: Mapping[str, str] | None = None

    def params(self) -> dict:
        return {"q": self.q, "status": self.status or ""}


def parse_history_query(q: str | None, status: str | None, page_text: str | None) -> HistoryQuery:
    """Validate the query string of /orders; bad values are reported, never raised."""
    errors: dict[str, str] = {}
    text = parse_search(q, errors)
    status_id = None
    if status not in (None, ""):
        if status.isdigit() and len(status) <= MAX_STATUS_DIGITS:
            status_id = int(status)
        else:
            errors["status"] = "Choose a status from the list."
    number = parse_page(page_text, errors)
    return HistoryQuery(q=text, status=status_id, page=number, errors=errors or None)


def matches(row: OrderSearchRow, query: HistoryQuery) -> bool:
    """True when an index row passes the status filter and the search (reference or number)."""
    if query.status is not None and row.status_id != query.status:
        return False
    if query.q:
        needle = query.q.casefold()
        return needle in (row.customer_ref or "").casefold() or needle in str(row.order_id)
    return True


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One order-history row: its display values and its rendered <tr>."""

    url: str
    reference: str
    number: int | None
    placed: str
    placed_iso: str
    status_name: str
    shipping: str
    total: str
    state: str = OrderState.RECEIVED.value  # the status pill's colour (status--<state>)
    html: Markup | None = None


class RenderedRows:
    """Rendered rows of the order history, by cached Order object, for one app.

    This is the portal's busiest page, and formatting and escaping 25 rows on every view cost
    more than the rest of the request. A row is rendered (by Jinja, with autoescape, from
    partials/orders/row.html) the first time its Order object is shown; an entry is valid only
    for that very object (`is` check), so a refreshed order is rendered anew, and the size bound
    keeps memory flat.
    """

    MAX_ROWS = 4096

    def __init__(self) -> None:
        self._rows: OrderedDict[int, tuple[Order, HistoryRow]] = OrderedDict()

    def row(
        self,
        order: Order,
        statuses: Mapping[int, OrderStatus],
        order_url: Callable[[int], str],
        render: Callable[[HistoryRow], str],
        zone: tzinfo,
    ) -> HistoryRow:
        """The display values and rendered row of `order` (`order_url(id)` is an order's page;
        asked only when the row is rendered, as reversing a route costs more than the lookup;
        `zone` is the merchant's, in which the placing moment is shown)."""
        found = self._rows.get(id(order))
        if found is not None and found[0] is order:
            self._rows.move_to_end(id(order))
            return found[1]
        state = order_state(order, statuses.get(order.status_id))
        row = HistoryRow(
            url=order_url(order.id),
            reference=order.display_reference,
            number=order.id if order.reference else None,
            placed=day(order.placed_on, zone),
            placed_iso=iso(order.placed_on, zone),
            status_name=status_name(statuses, order.status_id, order.status_name),
            shipping="–" if state in (OrderState.QUOTE, OrderState.CANCELLED) else shipping_state(order.shipping_status_code),
            total=money(order.total, order.currency_code),
            state=state.value,
        )
        # The template's output is autoescaped HTML, so marking it safe adds nothing unescaped.
        row = replace(row, html=Markup(render(row)))  # noqa: S704
        self._rows[id(order)] = (order, row)
        if len(self._rows) > self.MAX_ROWS:
            self._rows.popitem(last=False)
        return row


@dataclass
class OrderHistory:
    """A customer's order history, one page at a time."""

    bp: Brightpearl
    rendered_rows: RenderedRows
    settings: Settings
    user: User

    async def page(
        self, query: HistoryQuery, order_url: Callable[[int], str], render: Callable[[HistoryRow], str]
    ) -> dict:
        """The template context of one page of the history."""
        user = self.user
        parts = PageParts()
        # Without the status list the rows still carry each order's own status name.
        statuses = await parts.read("statuses", self.bp.orders.statuses(), {})
        index = await self.bp.orders.index(user.contact_id, OrderType.SALES_ORDER)
        mine = [row for row in index if may_see_search_row(user, row)]
        present = {row.status_id for row in mine}
        status_choices = sorted(
            (status for sid, status in statuses.items() if sid in present),
            key=lambda status: (status.sort_order, status.name),
        )
        matching = [row for row in mine if matches(row, query)] if not query.errors else []
        shown = paginate(matching, query.page, self.settings.page_size)
        orders = await self.bp.orders.many([row.order_id for row in shown.items]) if shown.items else {}
        rows = [
            self.rendered_rows.row(order, statuses, order_url, render, self.settings.zone)
            for order in (orders.get(row.order_id) for row in shown.items)
            if order is not None and may_see_order(user, order)
        ]
        return {
            "query": query,
            "rows": rows,
            "page": shown,
            "has_any": bool(mine),
            "status_options": [(status.id, status.name) for status in status_choices],
            "unavailable": parts.unavailable,
        }
