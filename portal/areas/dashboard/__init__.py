"""The dashboard area: the landing page after login (the dashboard for customers, a welcome page
for everyone else) and the dashboard's tiles (customers)."""

from litestar import Router
from litestar.di import NamedDependency, Provide

from portal.brightpearl import Brightpearl
from portal.core.clock import Clock
from portal.core.tracking import TrackingPatterns
from portal.core.users import User
from portal.security.guards import requires_role, signed_in
from portal.web.area import Area, NavLink

from .routes import dashboard_tile, home
from .tiles import DashboardData


def provide_dashboard(
    bp: NamedDependency[Brightpearl],
    user: NamedDependency[User],
    tracking: NamedDependency[TrackingPatterns],
    clock: NamedDependency[Clock],
) -> DashboardData:
    return DashboardData(bp, user, tracking, clock.now())


def area() -> Area:
    tiles = Router(
        "/",
        guards=[requires_role("customer")],
        route_handlers=[dashboard_tile],
        dependencies={"dashboard": Provide(provide_dashboard, sync_to_thread=False)},
    )
    return Area(
        "dashboard",
        Router("/", guards=[signed_in()], route_handlers=[home, tiles]),
        # Everyone lands on "/", but only customers have a dashboard to go back to.
        nav=(NavLink("Dashboard", "home", guarded_by="dashboard_tile"),),
    )
