"""The orders area (customers): the order history, the order page and its comments."""

from functools import partial

from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.status_map import StatusMap
from portal.core.tracking import TrackingPatterns
from portal.core.users import User
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, for_user, site_area

from .comments import Comments
from .detail import OrderDetail
from .history import OrderHistory, RenderedRows
from .routes import add_comment, comments_fragment, order_page, orders_page


def area(
    *, bp: Brightpearl, outbox: Outbox, audit: Audit, tracking: TrackingPatterns, settings: Settings, status_map: StatusMap
) -> Area:
    # One per app: the rows it keeps belong to that app's cached orders.
    rendered_rows = RenderedRows()

    def detail(user: User) -> OrderDetail:
        return OrderDetail(bp, tracking, status_map, Comments(bp, outbox, audit, settings, user), user)

    return site_area(
        "orders",
        [orders_page, order_page, comments_fragment, add_comment],
        guard=requires_role("customer"),
        services={"history": for_user(partial(OrderHistory, bp, rendered_rows, settings, status_map)), "detail": for_user(detail)},
        nav=[NavLink("Orders", "orders")],
    )
