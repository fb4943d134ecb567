"""Viewing as a customer: an admin opens the portal as a chosen customer login, read-only.

The admin's own session carries the customer's login id (`sessions.viewing_as_user_id`, set by
the admin's "View as" page, portal.areas.admin.view_as). On each request:

1. SessionUserMiddleware (portal.security.middleware) puts the customer in `scope["user"]`, so
   every page, every ownership check (portal.security.access) and the navigation are the
   customer's, and the admin in `scope["viewed_by"]` (`viewing_admin(connection)`). The stop
   route and logout see the admin as themselves. A customer login that can no longer be viewed
   (deactivated, no contact) ends the viewing on that request.
2. The account gate judges the admin, not the customer (portal.security.gate); an admin the
   gate holds back (a second factor to set up) is shown their own pages until that is done.
3. ReadOnlyViewingMiddleware (here) refuses every unsafe method with a 403 page saying why,
   before any handler runs: nothing is written, queued or audited as a write. Every GET is
   recorded in the audit log as `view_as_page` (the admin as the actor, the path as target).

The customer never sees that they were viewed: nothing of it is written to their login, only to
the admin's session and the audit log.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.response import Template
from litestar.types import ASGIApp, Receive, Scope, Send

from portal.core.audit import Audit
from portal.core.users import User
from portal.security.middleware import (
    STOP_VIEWING_PATH,
    VIEWED_BY,
    VIEWING_AS,
    VIEWING_ENDED,
    skips_session,
)

__all__ = ["STOP_VIEWING_PATH", "ReadOnlyViewingMiddleware", "pause_viewing", "viewed_customer", "viewing_admin"]

SAFE = ("GET", "HEAD", "OPTIONS")
# Paths whose GETs are not recorded: the same for everyone, no customer data.
NOT_RECORDED = ("/brand.css", "/metrics", "/brand/logo/")
REFUSED_PAGE = "views/admin/view_as_refused.html"
REFUSED_FRAGMENT = "views/admin/view_as_refused_fragment.html"


def viewing_admin(connection: ASGIConnection | Scope) -> User | None:
    """The admin viewing the portal as `scope["user"]`, or None when nobody is viewing."""
    scope = connection.scope if isinstance(connection, ASGIConnection) else connection
    return scope.get(VIEWED_BY)


def viewed_customer(connection: ASGIConnection | Scope) -> User | None:
    """The customer login this request's session views the portal as (also on the stop route
    and logout, where the admin acts as themselves), or None."""
    scope = connection.scope if isinstance(connection, ASGIConnection) else connection
    return scope.get(VIEWING_AS)


def pause_viewing(scope: Scope) -> User | None:
    """Let this request act as the viewing admin again (the gate holds the admin back); return
    the admin, or None when nobody is viewing."""
    admin = scope.pop(VIEWED_BY, None)
    if admin is not None:
        scope["user"] = admin
    return admin


def _ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class ReadOnlyViewingMiddleware(ASGIMiddleware):
    """While an admin views as a customer: unsafe methods get the read-only page (403), and
    every GET is audited. Runs after the session lookup, the CSRF check and the account gate."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return skips_session(scope["path"])

    def __init__(self, audit: Audit) -> None:
        self.audit = audit

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        ended = scope.get(VIEWING_ENDED)
        if ended is not None and scope.get("user") is not None:
            self._record(scope, "view_as_ended", scope["user"], target=f"user:{ended}",
                         detail={"because": "the login can no longer be viewed"})
        admin = viewing_admin(scope)
        if admin is None:
            customer = viewed_customer(scope)
            if customer is not None and scope["path"] == "/logout" and scope["method"] == "POST":
                self._record(scope, "view_as_stopped", scope["user"], target=f"user:{customer.id}",
                             detail={"because": "logout"})
            await next_app(scope, receive, send)
            return
        customer = scope["user"]
        if scope["method"] not in SAFE:
            await self._refuse(scope, receive, send, customer)
            return
        if not scope["path"].startswith(NOT_RECORDED):
            headers = Headers.from_scope(scope)
            detail: dict = {"user_id": customer.id}
            query = scope.get("query_string", b"").decode("latin-1")
            if query:
                detail["query"] = query[:300]
            if headers.get("hx-request") == "true":
                detail["fragment"] = True
            self._record(scope, "view_as_page", admin, target=scope["path"], detail=detail)
        await next_app(scope, receive, send)

    def _record(self, scope: Scope, action: str, actor: User, *, target: str, detail: dict) -> None:
        self.audit.record(action, actor_user_id=actor.id, actor_email=actor.email, ip=_ip(scope), target=target,
                          detail=detail)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, customer: User) -> None:
        """The read-only page (a fragment for htmx, which swaps it where the form's answer goes)."""
        app = scope["litestar_app"]
        request = app.request_class(scope=scope, receive=receive)
        htmx = request.headers.get("hx-request") == "true"
        response = Template(
            REFUSED_FRAGMENT if htmx else REFUSED_PAGE,
            context={"user": customer, "stale_since": None, "unavailable": {}, "customer": customer, "swapped": htmx},
            status_code=403,
            headers={"Cache-Control": "no-store", "Vary": "HX-Request"},
        )
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)
