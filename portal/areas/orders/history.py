"""The order history: its filters, one page of it, and the rendered rows it reuses.

Brightpearl calls: statuses + the contact's order index + one ID-set GET for the orders of the
page -> <= 3 cold, 0 warm. The search and the status filter run locally on the cached index.

Essential: the index and the orders of the page. The status list degrades to a note (the rows
follow the saved status rules or each order's own status name; the status filter has no choices).

Statuses are shown as the customer's labels and state colours (portal.domain.status_labels):
the filter lists the labels on the customer's own orders, and `status=<label>` finds every order
showing that label; `status=<id>` (older links) still filters by Brightpearl's status id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo

from markupsafe import Markup

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order, OrderSearchRow, OrderType
from portal.core.formatting import day, iso, money
from portal.core.immutable import EMPTY
from portal.core.settings import Settings
from portal.core.status_map import StatusMap
from portal.core.users import User
from portal.domain.order_states import OrderState
from portal.domain.shipments import shipping_state
from portal.domain.status_labels import MAX_LABEL, StatusLabels, clean_label
from portal.security.access import may_see_order, may_see_search_row
from portal.web.listing import ListQuery, paginate, parse_page, parse_search
from portal.web.parts import PageParts

MAX_STATUS_DIGITS = 9


@dataclass(frozen=True)
class HistoryQuery(ListQuery):
    """The validated filters of the order history; `errors` maps field -> message. `status`
    is a status id (older links) or `label` a label customers see."""

    q: str = ""
    status: int | None = None
    page: int = 1
    errors: Mapping[str, str] | None = None
    label: str = ""

    def params(self) -> dict:
        return {"q": self.q, "status": self.label or self.status or ""}

    @property
    def status_value(self) -> str:
        """The filter's value, for the select."""
        return self.label or (str(self.status) if self.status is not None else "")


STATUS_ERROR = "Choose a status from the list."


def parse_history_query(q: str | None, status: str | None, page_text: str | None) -> HistoryQuery:
    """Validate the query string of /orders; bad values are reported, never raised. A label
    that no order can show is refused later, by `OrderHistory.page`, which knows the labels."""
    errors: dict[str, str] = {}
    text = parse_search(q, errors)
    status_id, label = None, ""
    if status not in (None, ""):
        if status.isdigit() and len(status) <= MAX_STATUS_DIGITS:
            status_id = int(status)
        elif len(status) <= MAX_LABEL * 2 and clean_label(status):
            label = clean_label(status)
        else:
            errors["status"] = STATUS_ERROR
    number = parse_page(page_text, errors)
    return HistoryQuery(q=text, status=status_id, page=number, errors=errors or None, label=label)


def matches(row: OrderSearchRow, query: HistoryQuery, labels: StatusLabels | None = None) -> bool:
    """True when an index row passes the status filter and the search (reference or number)."""
    if query.status is not None and row.status_id != query.status:
        return False
    if query.label and (labels is None or labels.for_row(row).label.casefold() != query.label.casefold()):
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
    status_name: str  # the customer's label of the order's status
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
    MAX_OPTIONS = 512

    def __init__(self) -> None:
        self._rows: OrderedDict[int, tuple[Order, StatusLabels, HistoryRow]] = OrderedDict()
        self._options: OrderedDict[tuple[int, int], tuple[tuple, StatusLabels, list[tuple[str, str]]]] = OrderedDict()

    def row(
        self,
        order: Order,
        labels: StatusLabels,
        order_url: Callable[[int], str],
        render: Callable[[HistoryRow], str],
        zone: tzinfo,
    ) -> HistoryRow:
        """The display values and rendered row of `order` (`order_url(id)` is an order's page;
        asked only when the row is rendered, as reversing a route costs more than the lookup;
        `zone` is the merchant's, in which the placing moment is shown). `labels` are the status
        rules in force: new rules (an admin saved them) render the row again."""
        found = self._rows.get(id(order))
        if found is not None and found[0] is order and found[1] is labels:
            self._rows.move_to_end(id(order))
            return found[2]
        shown = labels.for_order(order)
        state = OrderState(shown.state)
        row = HistoryRow(
            url=order_url(order.id),
            reference=order.display_reference,
            number=order.id if order.reference else None,
            placed=day(order.placed_on, zone),
            placed_iso=iso(order.placed_on, zone),
            status_name=shown.label,
            shipping="–" if state in (OrderState.QUOTE, OrderState.CANCELLED) else shipping_state(order.shipping_status_code),
            total=money(order.total, order.currency_code),
            state=state.value,
        )
        # The template's output is autoescaped HTML, so marking it safe adds nothing unescaped.
        row = replace(row, html=Markup(render(row)))  # noqa: S704
        self._rows[id(order)] = (order, labels, row)
        if len(self._rows) > self.MAX_ROWS:
            self._rows.popitem(last=False)
        return row

    def options(self, labels: StatusLabels, index: tuple[OrderSearchRow, ...], user: User, rows: list[OrderSearchRow]) -> list[tuple[str, str]]:
        """The status filter's choices for `rows` (the user's visible rows of `index`), kept
        while the index and the labels are the same objects: working them out walks every order."""
        key = (id(index), user.id)
        found = self._options.get(key)
        if found is not None and found[0] is index and found[1] is labels:
            self._options.move_to_end(key)
            return found[2]
        options = status_options(labels, rows)
        self._options[key] = (index, labels, options)
        if len(self._options) > self.MAX_OPTIONS:
            self._options.popitem(last=False)
        return options


@dataclass
class OrderHistory:
    """A customer's order history, one page at a time."""

    bp: Brightpearl
    rendered_rows: RenderedRows
    settings: Settings
    status_map: StatusMap
    user: User

    async def page(
        self, query: HistoryQuery, order_url: Callable[[int], str], render: Callable[[HistoryRow], str]
    ) -> dict:
        """The template context of one page of the history."""
        user = self.user
        parts = PageParts()
        # Without the status list the rows follow the saved rules or their own status name.
        statuses = await parts.read("statuses", self.bp.orders.statuses(), EMPTY)
        labels: StatusLabels = self.status_map.derived(statuses, StatusLabels)
        index = await self.bp.orders.index(user.contact_id, OrderType.SALES_ORDER)
        mine = [row for row in index if may_see_search_row(user, row)]
        options = self.rendered_rows.options(labels, index, user, mine) if statuses else []
        # A label no order of the customer shows is refused (without the status list, when the
        # filter has no choices, it is only applied).
        if query.label and statuses and not query.errors and query.label.casefold() not in {t.casefold() for _, t in options}:
            query = replace(query, errors={"status": STATUS_ERROR})
        matching = [row for row in mine if matches(row, query, labels)] if not query.errors else []
        shown = paginate(matching, query.page, self.settings.page_size)
        orders = await self.bp.orders.many([row.order_id for row in shown.items]) if shown.items else {}
        rows = [
            self.rendered_rows.row(order, labels, order_url, render, self.settings.zone)
            for order in (orders.get(row.order_id) for row in shown.items)
            if order is not None and may_see_order(user, order)
        ]
        return {
            "query": query,
            "rows": rows,
            "page": shown,
            "has_any": bool(mine),
            "status_options": options,
            "unavailable": parts.unavailable,
        }


_STATE_ORDER = {state.value: n for n, state in enumerate(
    (OrderState.QUOTE, OrderState.RECEIVED, OrderState.PROGRESS, OrderState.SHIPPED, OrderState.DONE, OrderState.CANCELLED)
)}


def status_options(labels: StatusLabels, rows: list[OrderSearchRow]) -> list[tuple[str, str]]:
    """(value, text) of the status filter: each label shown on these orders once, in the order
    of their states (quote, received ... cancelled), then by label."""
    seen: dict[str, tuple[int, str]] = {}
    for row in rows:
        shown = labels.for_row(row)
        key = shown.label.casefold()
        rank = _STATE_ORDER.get(shown.state, len(_STATE_ORDER))
        if key not in seen or rank < seen[key][0]:
            seen[key] = (rank, shown.label)
    ordered = sorted(seen.values(), key=lambda item: (item[0], item[1].casefold()))
    return [(label, label) for _, label in ordered]
