"""The orders area (customers): the order history, the order page and its comments."""

from litestar.di import Provide

from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, site_area

from .comments import Comments
from .detail import OrderDetail
from .history import OrderHistory, RenderedRows
from .routes import add_comment, comments_fragment, order_page, orders_page


def area() -> Area:
    return site_area(
        "orders",
        [orders_page, order_page, comments_fragment, add_comment],
        guard=requires_role("customer"),
        services={
            # One per app (area() runs once per app): its rows belong to that app's cached orders.
            "rendered_rows": Provide(RenderedRows, use_cache=True, sync_to_thread=False),
            "history": Provide(OrderHistory, use_cache=True, sync_to_thread=False),
            "comments": Comments,
            "detail": OrderDetail,
        },
        nav=[NavLink("Orders", "orders")],
    )
