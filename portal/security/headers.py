"""Security headers on every response, error pages and 404s included.

Installed as a Litestar `before_send` hook: it wraps the app's send function, so it sees
responses that never reached a route (unknown URLs, 405s) as well, and every Set-Cookie,
whichever middleware or handler added it. That makes it the one place for the rule that a
cookie never rides on a response a shared cache may keep (keep_cookies_private).
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

_ALWAYS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def make_security_headers_hook(*, https: bool):
    """Return a before_send hook adding the portal's security headers."""
    always = dict(_ALWAYS)
    if https:
        always["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in always.items():
            if name not in headers:
                headers[name] = value
        # Anything shown to a logged-in person must not be kept by browsers or proxies.
        if scope.get("user") is not None and not scope.get("path", "").startswith("/static/"):
            headers["cache-control"] = "no-store"
        keep_cookies_private(headers)
        headers.pop("server", None)

    return add_security_headers


def _directives(cache_control: str) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in cache_control.split(",")}


def keep_cookies_private(headers: MutableScopeHeaders) -> None:
    """No Set-Cookie on a response a shared cache may store and hand to other people.

    A publicly cacheable response (`public` or `s-maxage`: static files, /brand.css) is the same
    for everyone, so any cookie on it is dropped (a proxy would give one visitor's CSRF token,
    or worse, to everyone). A response that sets a cookie and says nothing about caching is
    marked `no-store`, so no cache keeps it by heuristics either.
    """
    if "set-cookie" not in headers:
        return
    cache_control = headers.get("cache-control")
    if cache_control is None:
        headers["cache-control"] = "no-store"
    elif _directives(cache_control) & {"public", "s-maxage"}:
        headers.pop("set-cookie")


# The pages of a link sent by mail (reset, verification, setup) have the link's token in their
# URL: no cache may keep them, and the URL must never reach another site as a Referer
# (security checklist REC-05). "same-origin", not "no-referrer": with no-referrer, Chromium
# sends `Origin: null` on the page's own form, which the cross-site check rightly refuses.
TOKEN_PAGE_HEADERS = {"Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
