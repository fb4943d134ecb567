"""Typed, cached reads of Brightpearl, one reader per Brightpearl service (see `base`)."""

from .accounting import AccountingReads
from .base import TTL, Freshness, Kind, Reads
from .contacts import ContactReads
from .orders import OrderReads
from .products import ProductReads
from .warehouse import WarehouseReads

__all__ = [
    "TTL",
    "AccountingReads",
    "ContactReads",
    "Freshness",
    "Kind",
    "OrderReads",
    "ProductReads",
    "Reads",
    "WarehouseReads",
]
