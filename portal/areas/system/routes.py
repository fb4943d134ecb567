"""Liveness, metrics and the brand stylesheet: small public routes with no page layout."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Response

from portal.core.metrics import Metrics
from portal.core.settings import Settings
from portal.core.users import User
from portal.outbox.queue import Outbox


@get("/healthz", name="healthz", media_type="text/plain", sync_to_thread=False)
def healthz() -> str:
    """200 `ok` while the process is alive (no database or Brightpearl call)."""
    return "ok"


@dataclass
class Monitoring:
    """What /metrics reads, for whoever asks."""

    settings: Settings
    metrics: Metrics
    outbox: Outbox
    visitor: User | None = None


@get("/metrics", name="metrics")
async def metrics_text(request: Request, monitoring: NamedDependency[Monitoring]) -> Response:
    """Prometheus text, for an admin session or `Authorization: Bearer $PORTAL_METRICS_TOKEN`."""
    metrics, visitor = monitoring.metrics, monitoring.visitor
    token = monitoring.settings.metrics_token
    header = request.headers.get("authorization", "")
    bearer_ok = bool(token) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())
    if not bearer_ok and not (visitor and visitor.is_admin):
        if header:  # a scraper with a wrong token: a plain 401, not the login page
            return Response("unauthorized\n", status_code=401, media_type="text/plain")
        if visitor:
            raise PermissionDeniedException()
        raise NotAuthorizedException()
    metrics.outbox_pending.set(monitoring.outbox.pending_count())
    return Response(metrics.render(), media_type=metrics.content_type)


@get("/brand.css", name="brand_css", sync_to_thread=False)
def brand_css(settings: NamedDependency[Settings]) -> Response:
    """The merchant's colours as CSS variables (a file, so the CSP needs no inline styles)."""
    css = f":root {{ --brand: {settings.brand_colour}; --accent: {settings.accent_colour}; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})
