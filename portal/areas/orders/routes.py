"""Order history, the order page and its comments (customers)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.brightpearl.models import Order
from portal.web.htmx import wants_fragment
from portal.web.listing import render_list
from portal.web.navigation import route_switched_on
from portal.web.parts import PageParts
from portal.web.rendering import page

from .comments import form_context
from .detail import OrderDetail
from .history import HistoryRow, OrderHistory, parse_history_query


@get("/orders", name="orders")
async def orders_page(request: Request, history: NamedDependency[OrderHistory]) -> Template:
    params = request.query_params
    query = parse_history_query(params.get("q"), params.get("status"), params.get("page"))
    row_template = request.app.template_engine.get_template("partials/orders/row.html")

    def order_url(order_id: int) -> str:
        return request.app.route_reverse("order", order_id=order_id)

    def render(row: HistoryRow) -> str:
        return row_template.render(row=row)

    context = await history.page(query, order_url, render)
    # The page may refuse a status label no order shows: its query carries that error.
    return render_list(request, "orders", "views/orders/list.html", "partials/orders/table.html", context["query"], context)


@get("/orders/{order_id:int}", name="order")
async def order_page(request: Request, order_id: FromPath[int], detail: NamedDependency[OrderDetail]) -> Template:
    order = await detail.order(order_id)
    return await _order_page(request, detail, order, 200, form_context())


@get("/orders/{order_id:int}/comments", name="order_comments")
async def comments_fragment(request: Request, order_id: FromPath[int], detail: NamedDependency[OrderDetail]) -> Template | Redirect:
    """The thread alone (htmx polls it while a comment is being sent); the order page otherwise."""
    order, comments = await detail.order(order_id), detail.comments
    if not wants_fragment(request):
        return Redirect(request.app.route_reverse("order", order_id=order.id))
    parts = PageParts()
    notes = await comments.notes(order.id, parts)
    return page(
        request,
        "partials/orders/comments.html",
        order=order,
        comments=comments.thread(order, notes),
        unavailable=parts.unavailable,
    )


@post("/orders/{order_id:int}/comments", name="add_comment", status_code=200, opt={"feature": "comments"})
async def add_comment(request: Request, order_id: FromPath[int], detail: NamedDependency[OrderDetail]) -> Template | Redirect:
    order, comments = await detail.order(order_id), detail.comments
    form = await request.form()
    text, error = await comments.add(order, str(form.get("text", "")), str(form.get("idem_key", "")))
    if error is None and not wants_fragment(request):
        url = request.app.route_reverse("order", order_id=order.id) + "#comments"
        return Redirect(url, status_code=303)
    form_state = form_context(text if error else "", error)
    status = 400 if error else 200
    if not wants_fragment(request):
        return await _order_page(request, detail, order, status, form_state)
    parts = PageParts()
    notes = await comments.notes(order.id, parts)
    return page(
        request,
        "partials/orders/comments.html",
        status_code=status,
        with_form=True,
        order=order,
        comments=comments.thread(order, notes),
        unavailable=parts.unavailable,
        **form_state,
    )


async def _order_page(request: Request, detail: OrderDetail, order: Order, status: int, form_state: dict) -> Template:
    context = await detail.context(order)
    return page(
        request,
        "views/orders/order.html",
        status_code=status,
        document_urls=_document_urls(request, order),
        **context,
        **form_state,
    )


def _document_urls(request: Request, order: Order) -> tuple[str, str] | None:
    """(print view, PDF) of the order's invoice once Brightpearl has numbered it (and while
    documents are switched on)."""
    if not order.is_invoiced or not route_switched_on(request.app, "document"):
        return None
    view = request.app.route_reverse("document", order_id=str(order.id))
    return view, request.app.route_reverse("document", order_id=f"{order.id}.pdf")
