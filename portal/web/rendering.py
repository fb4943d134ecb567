"""Small helpers shared by the page modules: guards, page rendering, redirects."""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template

from portal.brightpearl.cache import current_tracker
from portal.users import User


def current_stale_since():
    """When this request was served cached data because Brightpearl failed: its age, else None."""
    tracker = current_tracker()
    return tracker.oldest if tracker else None


def current_user(connection: ASGIConnection) -> User | None:
    """Return the logged-in user, or None (works on every route, 404s included)."""
    return connection.scope.get("user")


def require_user(connection: ASGIConnection) -> User:
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException()
    return user


def requires_role(*roles: str):
    """Guard: anonymous visitors go to the login page; other roles get 403."""

    # async on purpose: Litestar runs a sync guard in a worker thread, a thread hop per request.
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = require_user(connection)
        if user.role not in roles:
            raise PermissionDeniedException()

    return guard


def is_htmx(request: Request) -> bool:
    """True for an htmx request that wants a fragment (boosted navigation wants the page)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def page(request: Request, name: str, status_code: int = 200, **context) -> Template:
    """Render a template with the context every page needs (user, stale-data note)."""
    context.setdefault("user", current_user(request))
    context.setdefault("stale_since", current_stale_since())
    return Template(name, context=context, status_code=status_code, headers={"Vary": "HX-Request"})


def go(request: Request, url: str) -> Redirect | ClientRedirect:
    """Send the browser to `url` after a POST: 303 for forms, HX-Redirect for htmx."""
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(redirect_to=url)
    return Redirect(url, status_code=303)


def valid_id(value: int) -> int:
    """Return a Brightpearl id from the URL; out of range is a 404, like a missing id."""
    if not 0 < value < 2**31:
        raise NotFoundException()
    return value
