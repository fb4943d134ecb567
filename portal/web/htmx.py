"""The htmx conventions of the portal, in one place.

Pages work without JavaScript; htmx asks for fragments with `HX-Request`. A *boosted* request
(hx-boost navigation) wants the whole page, so the one fragment switch is `wants_fragment`.
"""

from __future__ import annotations

from litestar import Request
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect


def wants_fragment(request: Request) -> bool:
    """True for an htmx request that swaps a fragment (boosted navigation wants the page)."""
    htmx = request.htmx if isinstance(request, HTMXRequest) else None
    return bool(htmx) and not htmx.boosted


def is_htmx(request: Request) -> bool:
    """True for any request htmx sent, boosted or not."""
    return bool(request.htmx) if isinstance(request, HTMXRequest) else False


def go(request: Request, url: str) -> Redirect | ClientRedirect:
    """Send the browser to `url` after a POST: 303 for plain forms, HX-Redirect for htmx (a
    303 would be followed by htmx itself and the next page swapped into the form)."""
    if is_htmx(request):
        return ClientRedirect(redirect_to=url)
    return Redirect(url, status_code=303)
