"""Order history and the order page (customers)."""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from dataclasses import dataclass, replace

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup

from portal.brightpearl.access import is_invoiced, may_see_order, may_see_search_row, owned_order
from portal.pages.comments import form_context, thread
from portal.pages.common import is_htmx, page, requires_role, valid_id
from portal.services import services
from portal.templating import day, iso, money
from portal.tracking import tracking_links
from portal.users import User

MAX_QUERY = 64  # Brightpearl's order reference is at most 64 characters.

SHIPPING_STATES = {
    "NST": "Not applicable",
    "SNS": "Not shipped",
    "SPS": "Part shipped",
    "ASS": "Shipped",
}


@dataclass(frozen=True)
class HistoryQuery:
    """The validated filters of the order history; `errors` maps field -> message."""

    q: str = ""
    status: int | None = None
    page: int = 1
    errors: dict | None = None

    def as_params(self, **changes) -> dict:
        params = {"q": self.q, "status": self.status or "", "page": self.page}
        params.update(changes)
        if params.get("page") == 1:
            params.pop("page")
        return params


def parse_history_query(q: str | None, status: str | None, page_text: str | None) -> HistoryQuery:
    """Validate the query string of /orders; bad values are reported, never raised."""
    errors: dict[str, str] = {}
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        errors["q"] = f"Search for at most {MAX_QUERY} characters."
        text = text[:MAX_QUERY]
    status_id = None
    if status not in (None, ""):
        if status.isdigit() and len(status) <= 9:
            status_id = int(status)
        else:
            errors["status"] = "Choose a status from the list."
    number = 1
    if page_text not in (None, ""):
        if page_text.isdigit() and len(page_text) <= 6 and int(page_text) >= 1:
            number = int(page_text)
        else:
            errors["page"] = "Page numbers start at 1."
    return HistoryQuery(q=text, status=status_id, page=number, errors=errors or None)


def _matches(row, query: HistoryQuery) -> bool:
    if query.status is not None and row.status_id != query.status:
        return False
    if query.q:
        needle = query.q.casefold()
        return needle in (row.customer_ref or "").casefold() or needle in str(row.order_id)
    return True


async def order_history(request: Request, user: User, query: HistoryQuery) -> dict:
    """Return the template context of one page of `user`'s order history."""
    svc = services(request)
    bp = svc.bp
    statuses = await bp.order_statuses()
    index = await bp.order_index(user.contact_id, 1)
    mine = [row for row in index if may_see_search_row(user, row)]
    present = {row.status_id for row in mine}
    status_choices = sorted(
        (status for sid, status in statuses.items() if sid in present),
        key=lambda status: (status.sort_order, status.name),
    )
    matching = [row for row in mine if _matches(row, query)] if not query.errors else []
    size = svc.settings.page_size
    pages = max(1, math.ceil(len(matching) / size))
    current = query.page
    window = matching[(current - 1) * size : current * size]  # empty beyond the last page
    orders = await bp.orders([row.order_id for row in window]) if window else {}
    rows = [
        history_row(request, order, statuses)
        for order in (orders.get(row.order_id) for row in window)
        if order is not None and may_see_order(user, order)
    ]
    return {
        "query": query,
        "rows": rows,
        "total": len(matching),
        "has_any": bool(mine),
        "page_number": current,
        "pages": pages,
        "beyond_last": query.page > pages and bool(matching),
        "status_choices": status_choices,
    }


# Rendered rows of the order history, by cached Order object.  This is the portal's busiest
# page, and formatting and escaping 25 rows on every view cost more than the rest of the
# request.  A row is rendered (by Jinja, with autoescape, from partials/order_row.html) the
# first time its Order object is shown; an entry is valid only for that very object (`is`
# check), so a refreshed order is rendered anew, and the size bound keeps memory flat.
_ROWS: OrderedDict[int, tuple[object, HistoryRow]] = OrderedDict()
_ROWS_MAX = 4096


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
    html: Markup | None = None


def history_row(request: Request, order, statuses: dict) -> HistoryRow:
    """The display values and rendered row of one order (cached per Order object)."""
    found = _ROWS.get(id(order))
    if found is not None and found[0] is order:
        _ROWS.move_to_end(id(order))
        return found[1]
    row = HistoryRow(
        url=request.app.route_reverse("order", order_id=order.id),
        reference=order.display_reference,
        number=order.id if order.reference else None,
        placed=day(order.placed_on),
        placed_iso=iso(order.placed_on),
        status_name=order.status_name or _status_name(statuses, order.status_id),
        shipping=SHIPPING_STATES.get(order.shipping_status_code or "", "–"),
        total=money(order.total, order.currency_code),
    )
    template = request.app.template_engine.get_template("partials/order_row.html")
    # The template's output is autoescaped HTML, so marking it safe adds nothing unescaped.
    row = replace(row, html=Markup(template.render(row=row)))  # noqa: S704
    _ROWS[id(order)] = (order, row)
    if len(_ROWS) > _ROWS_MAX:
        _ROWS.popitem(last=False)
    return row


def _status_name(statuses: dict, status_id: int | None) -> str:
    status = statuses.get(status_id) if status_id is not None else None
    return status.name if status else "–"


@get("/orders", name="orders", guards=[requires_role("customer")])
async def orders_page(request: Request) -> Template:
    params = request.query_params
    query = parse_history_query(params.get("q"), params.get("status"), params.get("page"))
    context = await order_history(request, request.scope["user"], query)
    code = 400 if query.errors else 200
    if is_htmx(request):
        return page(request, "partials/orders_table.html", status_code=code, **context)
    return page(request, "views/orders.html", status_code=code, **context)


@get("/orders/{order_id:int}", name="order", guards=[requires_role("customer")])
async def order_page(request: Request, order_id: FromPath[int]) -> Template:
    user: User = request.scope["user"]
    order = owned_order(user, await services(request).bp.order(valid_id(order_id)))
    context = await order_context(request, order)
    return page(request, "views/order.html", **context, **form_context())


async def order_context(request: Request, order) -> dict:
    """Everything the order page shows besides the comment form, for an order already checked
    to be the user's (notes, shipments and shipping methods are read concurrently)."""
    svc = services(request)
    bp = svc.bp
    notes, shipments, methods = await asyncio.gather(
        bp.order_notes(order.id), bp.goods_out_notes(order.id), bp.shipping_methods()
    )
    shipments = sorted(shipments, key=lambda g: (g.shipped_on is None, g.shipped_on or g.created_on, g.id))
    return {
        "order": order,
        "comments": thread(svc, request.scope["user"], order, notes),
        "shipments": shipments,
        "shipping_methods": methods,
        "tracking_links": tracking_links(svc.db, shipments, methods),
        "shipping_state": SHIPPING_STATES.get(order.shipping_status_code or "", "–"),
        "document_urls": _document_urls(request, order),
        "with_form": True,
    }


def _document_urls(request: Request, order) -> tuple[str, str] | None:
    """(print view, PDF) of the order's invoice once Brightpearl has numbered it."""
    if not is_invoiced(order):
        return None
    view = request.app.route_reverse("document", order_id=str(order.id))
    return view, request.app.route_reverse("document", order_id=f"{order.id}.pdf")


route_handlers = [orders_page, order_page]
