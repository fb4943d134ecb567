"""Error pages: every failure reaches the browser as a branded page, never a traceback."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template

from portal.brightpearl.errors import BrightpearlError, BrightpearlUnavailable
from portal.security.guards import current_user
from portal.web.htmx import is_htmx, wants_fragment

log = logging.getLogger("portal.errors")

TITLES = {
    400: "That request could not be understood",
    401: "Please log in",
    403: "You cannot open this page",
    404: "Page not found",
    405: "That action is not allowed here",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Brightpearl is not answering right now",
}


def error_handler(request: Request, exc: Exception) -> Response:
    """Render the error page (or fragment for htmx) for any exception."""
    headers = dict(getattr(exc, "headers", None) or {})
    if isinstance(exc, HTTPException):
        status = exc.status_code
    elif isinstance(exc, BrightpearlUnavailable):
        status = 503
    elif isinstance(exc, BrightpearlError):
        log.warning("Brightpearl error on %r: %r", request.url.path, str(exc))
        status = 503
    else:
        status = 500
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        login = "/login" if request.method != "GET" or target == "/" else f"/login?next={_quote(target)}"
        return ClientRedirect(redirect_to=login) if is_htmx(request) else Redirect(login, status_code=303)
    reference = ""
    if status >= 500:
        reference = secrets.token_hex(4)
        if status == 500:
            log.error("Unhandled error %s on %s %r", reference, request.method, request.url.path, exc_info=exc)
        else:
            log.warning("Brightpearl unavailable (%s) on %r: %r", reference, request.url.path, str(exc))
    if status == 503:
        headers.setdefault("Retry-After", "30")
    context = {
        "status": status,
        "title": TITLES.get(status, "Something went wrong"),
        "reference": reference,
        "user": current_user(request),
        "stale_since": None,
    }
    name = "partials/error.html" if wants_fragment(request) else "views/error.html"
    return Template(name, context=context, status_code=status, headers=headers)


def _quote(path: str) -> str:
    return quote(path, safe="/?=&")
