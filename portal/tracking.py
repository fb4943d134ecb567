"""Carrier tracking links for shipments (filled in by the tracking work; see issue 3 part 7)."""

from __future__ import annotations


def tracking_links(db, shipments, shipping_methods) -> dict[int, str]:
    """Return goods-out note id -> carrier tracking URL for the shipments that have one."""
    return {}
