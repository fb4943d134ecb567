"""The dashboard area: the landing page after login (the dashboard for customers, a welcome page
for everyone else) and the dashboard's tiles (customers)."""

from functools import partial

from portal.brightpearl import Brightpearl
from portal.core.clock import Clock
from portal.core.status_map import StatusMap
from portal.core.tracking import TrackingPatterns
from portal.security.guards import requires_role, signed_in
from portal.web.area import Area, NavLink, for_user, site_area

from .routes import dashboard_tile, home
from .tiles import DashboardData


def area(*, bp: Brightpearl, tracking: TrackingPatterns, clock: Clock, status_map: StatusMap) -> Area:
    tiles = site_area(
        "tiles",
        [dashboard_tile],
        guard=requires_role("customer"),
        services={"dashboard": for_user(partial(DashboardData, bp, tracking, clock, status_map))},
    )
    return site_area(
        "dashboard",
        [home, tiles.router],
        guard=signed_in(),
        # Everyone lands on "/", but only customers have a dashboard to go back to.
        nav=[NavLink("Dashboard", "home", guarded_by="dashboard_tile")],
    )
