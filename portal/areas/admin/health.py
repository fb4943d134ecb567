"""The health section of the admin area (being built: issue 10)."""

from __future__ import annotations

from .section import Section


def section(**_components) -> Section:
    return Section(handlers=())
