"""The orders area (customers): the order history, the order page and its comments."""

from litestar import Router
from litestar.di import NamedDependency, Provide

from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.tracking import TrackingPatterns
from portal.core.users import User
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink

from .comments import Comments
from .detail import OrderDetail
from .history import OrderHistory, RenderedRows
from .routes import add_comment, comments_fragment, order_page, orders_page


def provide_history(
    bp: NamedDependency[Brightpearl],
    user: NamedDependency[User],
    rendered_rows: NamedDependency[RenderedRows],
    settings: NamedDependency[Settings],
) -> OrderHistory:
    return OrderHistory(bp, user, rendered_rows, settings.page_size)


def provide_comments(
    bp: NamedDependency[Brightpearl],
    outbox: NamedDependency[Outbox],
    audit: NamedDependency[Audit],
    user: NamedDependency[User],
    settings: NamedDependency[Settings],
) -> Comments:
    return Comments(bp, outbox, audit, user, merchant=settings.site_name)


def provide_detail(
    bp: NamedDependency[Brightpearl],
    user: NamedDependency[User],
    tracking: NamedDependency[TrackingPatterns],
    comments: NamedDependency[Comments],
) -> OrderDetail:
    return OrderDetail(bp, user, tracking, comments)


def area() -> Area:
    return Area(
        "orders",
        Router(
            "/",
            guards=[requires_role("customer")],
            route_handlers=[orders_page, order_page, comments_fragment, add_comment],
            dependencies={
                # One per app: the rows it keeps belong to that app's cached orders.
                "rendered_rows": Provide(RenderedRows, use_cache=True, sync_to_thread=False),
                "history": Provide(provide_history, sync_to_thread=False),
                "comments": Provide(provide_comments, sync_to_thread=False),
                "detail": Provide(provide_detail, sync_to_thread=False),
            },
        ),
        nav=(NavLink("Orders", "orders"),),
    )
