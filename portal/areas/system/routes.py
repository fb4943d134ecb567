"""Liveness, metrics and the brand stylesheet: small routes with no page layout."""

from __future__ import annotations

import hmac

from litestar import Request, get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Response

from portal.pages.common import current_user
from portal.services import services


@get("/healthz", name="healthz", media_type="text/plain", sync_to_thread=False)
def healthz() -> str:
    """200 `ok` while the process is alive (no database or Brightpearl call)."""
    return "ok"


@get("/metrics", name="metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text, for an admin session or `Authorization: Bearer $PORTAL_METRICS_TOKEN`."""
    svc = services(request)
    user = current_user(request)
    token = svc.settings.metrics_token
    header = request.headers.get("authorization", "")
    bearer_ok = bool(token) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())
    if not bearer_ok and not (user and user.is_admin):
        if header:  # a scraper with a wrong token: a plain 401, not the login page
            return Response("unauthorized\n", status_code=401, media_type="text/plain")
        if user:
            raise PermissionDeniedException()
        raise NotAuthorizedException()
    svc.metrics.outbox_pending.set(
        next(iter(svc.db.query("select count(*) as n from outbox where state in ('pending', 'sending')")))["n"]
    )
    return Response(svc.metrics.render(), media_type=svc.metrics.content_type)


@get("/brand.css", name="brand_css", sync_to_thread=False)
def brand_css(request: Request) -> Response:
    """The merchant's colours as CSS variables (a file, so the CSP needs no inline styles)."""
    settings = services(request).settings
    css = f":root {{ --brand: {settings.brand_colour}; --accent: {settings.accent_colour}; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})


route_handlers = [healthz, metrics, brand_css]
