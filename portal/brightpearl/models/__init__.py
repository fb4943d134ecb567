"""Typed, read-only views of Brightpearl resources, one module per Brightpearl service, parsed
tolerantly from the wire JSON (see `wire`)."""

from portal.core.immutable import frozen

from .accounting import PaymentMethod, StatementLine
from .contacts import Contact, ContactSearchRow, ContactWithAddresses, PostalAddress
from .orders import (
    PURCHASE_CODES,
    PURCHASE_TYPES,
    SALES_TYPES,
    Invoice,
    Order,
    OrderNote,
    OrderRow,
    OrderSearchRow,
    OrderStatus,
    OrderType,
    PartyAddress,
)
from .products import Channel, PriceList
from .warehouse import GoodsOutNote, ShippingMethod, Warehouse
from .wire import as_bool, as_calendar_date, as_datetime, as_decimal, as_dict, as_int, as_list, as_str, dig

__all__ = [
    "PURCHASE_CODES",
    "PURCHASE_TYPES",
    "SALES_TYPES",
    "Channel",
    "Contact",
    "ContactSearchRow",
    "ContactWithAddresses",
    "GoodsOutNote",
    "Invoice",
    "Order",
    "OrderNote",
    "OrderRow",
    "OrderSearchRow",
    "OrderStatus",
    "OrderType",
    "PartyAddress",
    "PostalAddress",
    "PriceList",
    "ShippingMethod",
    "PaymentMethod",
    "StatementLine",
    "Warehouse",
    "as_bool",
    "as_calendar_date",
    "as_datetime",
    "as_decimal",
    "as_dict",
    "as_int",
    "as_list",
    "as_str",
    "dig",
    "frozen",
]
