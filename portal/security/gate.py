"""The account gate: what a request may reach before the role guards look at it.

Three rules, checked on every request after the session lookup (static files and /healthz are
never gated):

1. **Gated login** (`PORTAL_GATED`, on by default): a visitor without a session who asks for a
   page outside `OPEN_PATHS` (login, registration, password reset, first-admin setup, the brand
   stylesheet, metrics with its own check) is sent to the login page. Routes are guarded by role
   anyway; the gate also closes what has no guard: unknown URLs answer the login page rather
   than a 404 that tells a visitor which URLs exist, and later public pages (the catalogue)
   follow the setting.
2. **Temporary password**: a user who signed in with a password set by an admin or an import
   reaches only the change-password form (and logout) until they choose their own.
3. **Administrators' second factor** (`PORTAL_ADMIN_TWO_FACTOR`, on outside the demo): an admin
   without two-factor sign-in reaches only its set-up page (and logout, the password form).
4. **A web account being set up** (its Brightpearl contact not created yet) sees the home page,
   which says so, and its own settings; nothing that reads Brightpearl for a contact.

While an admin views the portal as a customer (portal.security.viewing_as) the rules are the
admin's: an admin held back by rule 2 or 3 acts as themselves until that is done.

A redirected GET goes to the target with `next=` (the page asked for); htmx gets HX-Redirect;
an unsafe method gets a plain 303 as well (forms re-post nothing after it).
"""

from __future__ import annotations

from urllib.parse import quote

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from portal.core.users import User
from portal.security.middleware import skips_session
from portal.security.viewing_as import pause_viewing, viewing_admin

# Paths (exact, or prefixes ending in "/") a visitor may open when login is gated.
OPEN_PATHS = (
    "/login",
    "/login/two-factor",
    "/logout",
    "/register",
    "/register/",
    "/password/forgot",
    "/password/reset/",
    "/setup/",
    "/brand.css",
    "/brand/logo/",
    "/metrics",
    "/shared/",  # a quote shared by mail: the signed link is the key (portal.areas.quotes.shares)
)
# What a user with a temporary password, or an admin who must set up two-factor, may still open.
PASSWORD_PATHS = ("/password", "/logout", "/brand.css", "/brand/logo/")
TWO_FACTOR_PATHS = ("/account/two-factor", "/account/two-factor/", "/logout", "/password", "/brand.css", "/brand/logo/")
# What a new web customer may open while their Brightpearl contact is being created.
SETTING_UP_PATHS = ("/", *TWO_FACTOR_PATHS)


def _matches(path: str, allowed: tuple[str, ...]) -> bool:
    """True when `path` is one of `allowed`, or under one that ends in "/" ("/" itself is exact)."""
    return any(path == entry or (entry != "/" and entry.endswith("/") and path.startswith(entry)) for entry in allowed)


def where_to(user: User | None, path: str, *, gated: bool, admin_two_factor: bool) -> str | None:
    """The path this request is sent to instead, or None when it may go on."""
    if user is None:
        if gated and not _matches(path, OPEN_PATHS):
            return "/login"
        return None
    if user.must_change_password and not _matches(path, PASSWORD_PATHS):
        return "/password"
    if admin_two_factor and user.is_admin and not user.two_factor and not _matches(path, TWO_FACTOR_PATHS):
        return "/account/two-factor"
    if user.being_set_up and not _matches(path, SETTING_UP_PATHS):
        return "/"
    return None


class AccountGateMiddleware(ASGIMiddleware):
    """Apply `where_to` to every request (see the module docstring)."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return skips_session(scope["path"])

    def __init__(self, *, gated: bool, admin_two_factor: bool) -> None:
        self.gated = gated
        self.admin_two_factor = admin_two_factor

    def holds_back(self, user: User) -> bool:
        """True when `user` may only reach the pages of rule 2 or 3 until they act."""
        return user.must_change_password or (self.admin_two_factor and user.is_admin and not user.two_factor)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope["path"]
        admin = viewing_admin(scope)
        if admin is not None and self.holds_back(admin):
            pause_viewing(scope)
        target = where_to(admin or scope.get("user"), path, gated=self.gated, admin_two_factor=self.admin_two_factor)
        if target is None:
            await next_app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD") and path != "/":
            query = scope.get("query_string", b"").decode("latin-1")
            asked = path + (f"?{query}" if query else "")
            target += "?next=" + quote(asked[:500], safe="/")
        headers = Headers.from_scope(scope)
        response_headers = [(b"cache-control", b"no-store"), (b"content-length", b"0")]
        if headers.get("hx-request") == "true":
            status = 200
            response_headers.append((b"hx-redirect", target.encode("latin-1")))
        else:
            status = 303
            response_headers.append((b"location", target.encode("latin-1")))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": b""})
