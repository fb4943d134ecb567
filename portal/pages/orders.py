"""Order history and the order page (customers)."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from portal.brightpearl.access import may_see_order, may_see_search_row, owned_order
from portal.pages.common import is_htmx, page, requires_role, valid_id
from portal.pages.comments import form_context, thread
from portal.services import services
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
    statuses, index = await asyncio.gather(bp.order_statuses(), bp.order_index(user.contact_id, 1))
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
    rows = []
    for row in window:
        order = orders.get(row.order_id)
        if order is None or not may_see_order(user, order):
            continue
        rows.append(
            {
                "order": order,
                "status_name": order.status_name or _status_name(statuses, row.status_id),
                "shipping": SHIPPING_STATES.get(order.shipping_status_code or "", "–"),
            }
        )
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
        "with_form": True,
    }


route_handlers = [orders_page, order_page]
