"""The landing page after login, and the dashboard's tiles.

Customers get the dashboard: a shell whose every tile is a placeholder fetching
`/tiles/{tile_name}` when it loads (so the shell makes no Brightpearl call). Without JavaScript
the placeholder's link opens the same URL, which then renders the tile as a page of its own. A
tile whose data cannot be read (Brightpearl down and nothing cached) says so in the tile, with a
link to try again. Everyone else gets a welcome page.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.brightpearl.errors import BrightpearlError
from portal.core.users import User
from portal.web.htmx import wants_fragment
from portal.web.navigation import available_url
from portal.web.parts import log_degraded
from portal.web.rendering import current_stale_since, page

from .tiles import TILES, DashboardData

# Pages a tile may point to, when the area is installed (other areas come and go) and its
# feature is on (admin > Features).
RELATED_ROUTES = ("orders", "quotes", "documents", "statement", "account")


def installed_routes(app, names=RELATED_ROUTES) -> dict[str, str]:
    """name -> URL of those of `names` that this app serves and has not switched off."""
    urls = {name: available_url(app, name) for name in names}
    return {name: url for name, url in urls.items() if url is not None}


@get("/", name="home")
async def home(request: Request, user: NamedDependency[User]) -> Template:
    if user.being_set_up:
        return page(request, "views/dashboard/setting_up.html")
    if user.is_customer:
        return page(request, "views/dashboard/dashboard.html", tiles=list(TILES.values()))
    return page(request, "views/dashboard/welcome.html")


@get("/tiles/{tile_name:str}", name="dashboard_tile")
async def dashboard_tile(request: Request, tile_name: FromPath[str], dashboard: NamedDependency[DashboardData]) -> Template:
    """One tile: the fragment for htmx, else a page holding just that tile."""
    tile = TILES.get(tile_name)
    if tile is None:
        raise NotFoundException()
    data: dict = {}
    try:
        data = await tile.load(dashboard)
        state = "ready"
    except BrightpearlError as error:
        # A tile is one part of the dashboard: it says so in its place, the others load.
        log_degraded(f"tile {tile_name}", error)
        state = "failed"
    context = {
        "tile": tile,
        "state": state,
        "data": data,
        "tile_stale_since": current_stale_since(),
        "routes": installed_routes(request.app),
    }
    if wants_fragment(request):
        return page(request, "partials/dashboard/tile_frame.html", level=2, **context)
    # On its own page the tile reports its own age; the page-wide note would repeat it.
    status = 503 if state == "failed" else 200
    return page(request, "views/dashboard/tile.html", status_code=status, level=1, stale_since=None, **context)
