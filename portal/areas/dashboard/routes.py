"""The landing page after login: the dashboard for customers, a welcome page for the others."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from portal.dashboard import TILES
from portal.pages.common import page, require_user


@get("/", name="home")
async def home(request: Request) -> Template:
    """Customers get the dashboard shell: every tile is a placeholder that loads itself
    (portal/pages/tiles.py), so this page makes no Brightpearl call."""
    user = require_user(request)
    if user.is_customer:
        return page(request, "views/dashboard.html", tiles=list(TILES.values()))
    return page(request, "views/home.html")


route_handlers = [home]
