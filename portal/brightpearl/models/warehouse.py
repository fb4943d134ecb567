"""Despatches and shipping methods (warehouse-service, API.md §9) as read-only typed views."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from portal.core.immutable import EMPTY

from .wire import ZERO, as_decimal, as_dict, as_int, as_str, dig, model, wire


@model
class GoodsOutNote:
    """A despatch (API.md §9.1). `rows` maps order row id -> quantity on this note;
    `products` maps the same order row ids -> the product id the note names for them (0 when
    it names none), so a row can still be matched by product when its id is not the order's."""

    id: int = 0
    order_id: int = wire("orderId")
    warehouse_id: int = wire("warehouseId")
    printed: bool = wire("status", "printed")
    picked: bool = wire("status", "picked")
    packed: bool = wire("status", "packed")
    shipped: bool = wire("status", "shipped")
    shipped_on: datetime | None = wire("status", "shippedOn")
    tracking_reference: str = ""  # carrier tracking number; "" when not set
    shipping_method_id: int = wire("shipping", "shippingMethodId")
    created_on: datetime | None = wire("createdOn")
    release_date: datetime | None = wire("releaseDate")
    rows: Mapping[int, Decimal] = EMPTY
    products: Mapping[int, int] = EMPTY

    @classmethod
    def from_wire(cls, data: Any, *, note_id: Any = None) -> GoodsOutNote:
        """`note_id` is the key of the note in the response map (the body has no id)."""
        data = as_dict(data)
        rows: dict[int, Decimal] = {}
        products: dict[int, int] = {}
        for row_id, lines in as_dict(data.get("orderRows")).items():
            # A row may be split over several locations: add the quantities up.
            entries = lines if isinstance(lines, list) else [lines]
            quantity = sum((as_decimal(as_dict(e).get("quantity")) for e in entries), ZERO)
            if as_int(row_id):
                rows[as_int(row_id)] = quantity
                # API note: every entry of a row names the same product; the first that names
                # one is kept.
                products[as_int(row_id)] = next((as_int(as_dict(e).get("productId")) for e in entries
                                                 if as_int(as_dict(e).get("productId"))), 0)
        return cls.read(
            data,
            id=as_int(note_id if note_id is not None else data.get("id", data.get("goodsOutNoteId"))),
            tracking_reference=as_str(dig(data, "shipping", "reference")).strip(),
            rows=MappingProxyType(rows),
            products=MappingProxyType(products),
        )


@model
class ShippingMethod:
    id: int = wire("id")
    name: str = wire("name")
    code: str = wire("code")
    carrier: str = wire("carrier")


@model
class Warehouse:
    """A warehouse or store (warehouse-service/warehouse, examples/warehouse-get.json)."""

    id: int = wire("id")
    name: str = wire("name")
    type_code: str = wire("typeCode")  # "warehouse" | "store" as seen
    type_description: str = wire("typeDescription")
    click_and_collect: bool = wire("clickAndCollectEnabled")
