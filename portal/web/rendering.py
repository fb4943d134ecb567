"""Rendering a page or fragment with what every template needs."""

from __future__ import annotations

from datetime import datetime

from litestar import Request
from litestar.response import Template

from portal.brightpearl.cache import current_tracker
from portal.security.guards import current_user
from portal.web.htmx import wants_fragment


def current_stale_since() -> datetime | None:
    """When this request was served cached data because Brightpearl failed: its age, else None."""
    tracker = current_tracker()
    return tracker.oldest if tracker else None


def page(request: Request, name: str, status_code: int = 200, **context) -> Template:
    """Render template `name` with the context every page needs (the user, the stale-data
    note, the notes of parts that could not be read); pages and fragments differ by
    `HX-Request`, so caches must keep them apart."""
    context.setdefault("user", current_user(request))
    context.setdefault("stale_since", current_stale_since())
    context.setdefault("unavailable", {})
    return Template(name, context=context, status_code=status_code, headers={"Vary": "HX-Request"})


def page_or_fragment(request: Request, page_name: str, fragment_name: str, status_code: int = 200, **context) -> Template:
    """`fragment_name` for htmx swaps, else the whole page `page_name` (which includes it)."""
    name = fragment_name if wants_fragment(request) else page_name
    return page(request, name, status_code=status_code, **context)
