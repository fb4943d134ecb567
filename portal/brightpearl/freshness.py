"""Placeholder until the cache's stale tracker lands (replaced during integration)."""

from __future__ import annotations

from datetime import datetime


def current_stale_since() -> datetime | None:
    return None
