"""The dashboard area: the landing page after login (the dashboard for customers, a welcome page
for everyone else) and the dashboard's tiles (customers)."""

from portal.security.guards import requires_role, signed_in
from portal.web.area import Area, NavLink, site_area

from .routes import dashboard_tile, home
from .tiles import DashboardData


def area() -> Area:
    tiles = site_area("tiles", [dashboard_tile], guard=requires_role("customer"), services={"dashboard": DashboardData})
    return site_area(
        "dashboard",
        [home, tiles.router],
        guard=signed_in(),
        # Everyone lands on "/", but only customers have a dashboard to go back to.
        nav=[NavLink("Dashboard", "home", guarded_by="dashboard_tile")],
    )
