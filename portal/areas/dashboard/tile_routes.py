"""Dashboard tiles: one route per tile, answered as an htmx fragment or as a small page.

The dashboard (portal/pages/home.py) holds a placeholder per tile that fetches
`/tiles/{tile_name}` when it loads. Without JavaScript the placeholder's link opens the same URL,
which then renders the tile as a page of its own. A tile whose data cannot be read (Brightpearl
down and nothing cached) says so in the tile, with a link to try again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.brightpearl.errors import BrightpearlError, BrightpearlUnavailable
from portal.dashboard import TILES, TileRequest
from portal.pages import route_url
from portal.pages.common import current_stale_since, is_htmx, page, requires_role
from portal.services import services

log = logging.getLogger("portal.dashboard")

# Pages a tile may point to, when the area is installed (other areas come and go).
RELATED_ROUTES = ("orders", "quotes", "documents", "statement", "account")


def installed_routes(app, names=RELATED_ROUTES) -> dict[str, str]:
    """name -> URL of those of `names` that this app serves."""
    urls = {name: route_url(app, name) for name in names}
    return {name: url for name, url in urls.items() if url is not None}


@get("/tiles/{tile_name:str}", name="dashboard_tile", guards=[requires_role("customer")])
async def dashboard_tile(request: Request, tile_name: FromPath[str]) -> Template:
    """One tile: the fragment for htmx, else a page holding just that tile."""
    tile = TILES.get(tile_name)
    if tile is None:
        raise NotFoundException()
    svc = services(request)
    user = request.scope["user"]
    data: dict = {}
    try:
        data = await tile.load(TileRequest(bp=svc.bp, db=svc.db, user=user, now=datetime.now(UTC)))
        state = "ready"
    except BrightpearlUnavailable as error:
        log.warning("dashboard tile %s not loaded: %s", tile_name, error)
        state = "failed"
    except BrightpearlError:
        # Not an outage (a refused or malformed read): worth a stack trace, still only a tile.
        log.exception("dashboard tile %s failed", tile_name)
        state = "failed"
    context = {
        "tile": tile,
        "state": state,
        "data": data,
        "tile_stale_since": current_stale_since(),
        "routes": installed_routes(request.app),
    }
    if is_htmx(request):
        return page(request, "partials/tile_frame.html", level=2, **context)
    # On its own page the tile reports its own age; the page-wide note would repeat it.
    status = 503 if state == "failed" else 200
    return page(request, "views/tile.html", status_code=status, level=1, stale_since=None, **context)


route_handlers = [dashboard_tile]
