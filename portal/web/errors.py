"""Error pages: every failure reaches the browser as a branded page, never a traceback."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from portal.brightpearl.errors import BrightpearlAuthError, BrightpearlNotFound, BrightpearlUnavailable
from portal.security.access import NotYours
from portal.security.csrf import CsrfTokens
from portal.security.guards import current_user
from portal.security.middleware import put_session, session_cookie_name, skips_session
from portal.security.throttles import FailedLogins
from portal.web.htmx import is_htmx, wants_fragment

log = logging.getLogger("portal.errors")

TITLES = {
    400: "That request could not be understood",
    401: "Please log in",
    403: "You cannot open this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "That upload is too large",
    429: "Too many requests",
    500: "Something went wrong",
    502: "The order system gave an answer we could not use",
    503: "Brightpearl is not answering right now",
}
# Refused access is recorded at most this often per login and hour: a login trying ids one after
# another is plainly visible after the first rows, and cannot fill the (append-only) log.
REFUSALS_RECORDED = 100
REFUSAL_WINDOW = 3600
# The portal's own connection to Brightpearl is refused: not the visitor's fault, not an outage.
NOT_CONNECTED = "The portal can’t reach the merchant’s system"


def classify(exc: Exception) -> tuple[int, str]:
    """(HTTP status, kind) of an exception reaching the error page. The kinds:

    - "http": an HTTPException of the portal (404, 403, 429, …);
    - "outage": Brightpearl cannot answer now (timeouts, 5xx, throttling): try again later;
    - "not_connected": Brightpearl rejects the portal's credentials: a configuration problem
      the merchant must fix (the client logs it loudly and sets a metric);
    - "bad_answer": Brightpearl answered 404 for something the portal needs (an unknown path,
      a resource gone): an error worth a traceback, shown as 502;
    - "bug": anything else, our bad request to Brightpearl included: 500 with a reference.
    """
    if isinstance(exc, HTTPException):
        return exc.status_code, "http"
    if isinstance(exc, BrightpearlUnavailable):
        return 503, "outage"
    if isinstance(exc, BrightpearlAuthError):
        return 503, "not_connected"
    if isinstance(exc, BrightpearlNotFound):
        return 502, "bad_answer"
    return 500, "bug"


def error_handler(request: Request, exc: Exception) -> Response:
    """Render the error page (or fragment for htmx) for any exception."""
    headers = dict(getattr(exc, "headers", None) or {})
    status, kind = classify(exc)
    if status in (404, 405) and "user" not in request.scope and not skips_session(request.url.path):
        # No route matched, so no middleware ran: look the session up here. With gated login a
        # visitor is sent to log in rather than told which URLs exist (portal.security.gate).
        _put_session(request)
        if status == 404 and request.scope["user"] is None and request.app.state["components"].settings.gated:
            status = 401
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        login = "/login" if request.method != "GET" or target == "/" else f"/login?next={_quote(target)}"
        return ClientRedirect(redirect_to=login) if is_htmx(request) else Redirect(login, status_code=303)
    reference = ""
    if status >= 500:
        reference = secrets.token_hex(4)
        if kind == "outage":
            log.warning("Brightpearl unavailable (%s) on %r: %r", reference, request.url.path, str(exc))
        elif kind == "not_connected":
            log.error("Brightpearl refuses the portal's credentials (%s) on %r: %r", reference, request.url.path, str(exc))
        else:
            log.error("Unhandled error %s on %s %r", reference, request.method, request.url.path, exc_info=exc)
    if kind == "outage":
        headers.setdefault("Retry-After", "30")
    if isinstance(exc, NotYours):
        _record_refusal(request, exc)
    context = {
        "status": status,
        "kind": kind,
        "title": NOT_CONNECTED if kind == "not_connected" else TITLES.get(status, "Something went wrong"),
        "reference": reference,
        "user": current_user(request),
        "stale_since": None,
    }
    name = "partials/error.html" if wants_fragment(request) else "views/error.html"
    return Template(name, context=context, status_code=status, headers=headers)


def _record_refusal(request: Request, exc: NotYours) -> None:
    """Audit `access_refused`: a login asked for another contact's object. The answer stays
    the plain 404 whatever happens here."""
    user = current_user(request)
    if user is None:
        return
    try:
        state = request.app.state
        recorded = state.get("access_refusals")
        if recorded is None:
            recorded = state["access_refusals"] = FailedLogins(limit=REFUSALS_RECORDED, window=REFUSAL_WINDOW)
        key = str(user.id)
        if recorded.blocked(key):
            return
        recorded.add(key)
        state["components"].audit.record(
            "access_refused", outcome="refused", actor_user_id=user.id, actor_email=user.email,
            ip=request.client.host if request.client else "", target=exc.target,
            detail={"path": request.url.path[:200]},
        )
    except Exception:  # noqa: BLE001 - the visitor gets the same 404 whether or not this is recorded
        log.exception("could not record refused access to %s", exc.target)


def _put_session(request: Request) -> None:
    """What the session middleware would have put in the scope (the user, the customer an admin
    views as), and the page's CSRF token for its forms (Log out)."""
    components = request.app.state["components"]
    name = session_cookie_name(components.settings.cookie_secure)
    token = request.cookies.get(name)
    info = components.sessions.load(token) if token else None
    put_session(request.scope, token, info)
    if info is not None and token is not None:
        ScopeState.from_scope(request.scope).csrf_token = CsrfTokens(components.settings.secret_key).for_session(token)


def _quote(path: str) -> str:
    # The asked-for URL becomes one query value: its own "?", "&" and "=" are escaped.
    return quote(path, safe="/")
