"""Request middleware: who is logged in, and where an unsafe request comes from."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from portal.security.sessions import SessionInfo, SessionStore

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Viewing as a customer (portal.security.viewing_as): while an admin's session shows the portal
# as a customer login, `scope["user"]` is the customer and `scope[VIEWED_BY]` the admin, on
# every path but these, where the admin acts as themselves (stopping, logging out).
VIEWED_BY = "viewed_by"
VIEWING_AS = "viewing_as"  # the customer being viewed, on every request of such a session
VIEWING_ENDED = "viewing_ended"  # the customer login whose viewing this request found ended
STOP_VIEWING_PATH = "/view-as/stop"
AS_THEMSELVES_PATHS = (STOP_VIEWING_PATH, "/logout")


def session_cookie_name(https: bool) -> str:
    """`__Host-` pins the cookie to this host and path / and requires Secure, so it needs https."""
    return "__Host-portal_session" if https else "portal_session"


def csrf_cookie_name(https: bool) -> str:
    return "__Host-csrftoken" if https else "csrftoken"


class SessionUserMiddleware(ASGIMiddleware):
    """Put the logged-in `User` (or None) in `scope["user"]`; never rejects a request.

    Guards decide what an anonymous visitor may see.  Static files and /healthz skip the
    session lookup.  An admin's session viewing as a customer puts the customer there and the
    admin in `scope[VIEWED_BY]` (see VIEWED_BY above), so every page, ownership check and link
    is the customer's.
    """

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return skips_session(scope["path"])

    def __init__(self, cookie_name: str, sessions: SessionStore) -> None:
        self.cookie_name = cookie_name
        self.sessions = sessions

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = cookie_value(scope, self.cookie_name)
        put_session(scope, token, self.sessions.load(token) if token else None)
        await next_app(scope, receive, send)


def put_session(scope: Scope, token: str | None, info: SessionInfo | None) -> None:
    """Put what the session `info` (of the cookie value `token`) says in `scope`: the user, the
    session, and the customer an admin views the portal as. Also used by the error pages of
    URLs no route matched, which no middleware sees."""
    scope["user"] = info.user if info else None
    scope["auth"] = token if info else None
    if info is not None and info.viewing_ended is not None:
        scope[VIEWING_ENDED] = info.viewing_ended
    if info is not None and info.viewing_as is not None:
        scope[VIEWING_AS] = info.viewing_as
        if scope["path"] not in AS_THEMSELVES_PATHS:
            scope["user"] = info.viewing_as
            scope[VIEWED_BY] = info.user


class OriginCheckMiddleware(ASGIMiddleware):
    """Refuse unsafe requests sent by another site (a second layer under the CSRF token).

    Browsers send `Sec-Fetch-Site` and `Origin` on cross-site form posts and fetches; when both
    are absent (curl, old browsers) the CSRF token alone decides.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.base_origin = f"{parts.scheme}://{parts.netloc}"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] in UNSAFE and not self._allowed(scope):
            raise PermissionDeniedException("Cross-site request refused.")
        await next_app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        headers = Headers.from_scope(scope)
        site = headers.get("sec-fetch-site")
        if site in ("cross-site", "same-site"):
            return False
        origin = headers.get("origin")
        if origin and origin != "null":
            own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
            return origin in (own, self.base_origin)
        return origin != "null"


def skips_session(path: str) -> bool:
    """True for the paths served without looking at sessions: static files and /healthz."""
    return path.startswith("/static/") or path == "/healthz"


def cookie_value(scope: Scope, name: str) -> str | None:
    """The value of the request's cookie `name`, or None."""
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v or None
    return None
