"""Shipments as a customer sees them: an order's delivery state in words, and its despatches in
order (their carrier links come from portal.core.tracking)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from portal.brightpearl.models import GoodsOutNote

# Brightpearl's shippingStatusCode of an order (API.md §7.1).
SHIPPING_STATES = {
    "NST": "Not applicable",
    "SNS": "Not shipped",
    "SPS": "Part shipped",
    "ASS": "Shipped",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def shipping_state(code: str | None) -> str:
    """The delivery state of an order for people, "–" for a code Brightpearl did not document."""
    return SHIPPING_STATES.get(code or "", "–")


def in_despatch_order(notes: Iterable[GoodsOutNote]) -> list[GoodsOutNote]:
    """An order's despatches, shipped ones first by ship date, then the ones being prepared."""
    return sorted(notes, key=lambda g: (g.shipped_on is None, g.shipped_on or g.created_on or _EPOCH, g.id))


def newest_first(notes: Iterable[GoodsOutNote]) -> list[GoodsOutNote]:
    """Despatches of several orders, the latest shipped (or created) first."""
    return sorted(notes, key=lambda n: (n.shipped_on or n.created_on or _EPOCH, n.id), reverse=True)
