"""Liveness, metrics, the brand stylesheet and the logo: small public routes with no page layout."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import File, Response

from portal.core.branding import BrandingStore
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
def brand_css(branding: NamedDependency[BrandingStore]) -> Response:
    """The merchant's current colours as CSS variables (a file, so the CSP needs no inline
    styles). Pages link it with ?v=<hash of the colours>, so a change shows at once; the short
    max-age is for a link without it."""
    css = branding.current().css
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=60"})


@get("/brand/logo/{file:str}", name="brand_logo", sync_to_thread=False)
def brand_logo(file: FromPath[str], branding: NamedDependency[BrandingStore]) -> File:
    """A logo an admin uploaded, by the hash of its content: it never changes, so it is kept a
    year. Only names of the form <sha256>.png are looked up; anything else is a 404."""
    path = branding.logo_path(file)
    if path is None:
        raise NotFoundException()
    return File(path, media_type="image/png", content_disposition_type="inline",
                headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})
