"""Reads of warehouse-service (API.md §9): despatches (goods-out notes), shipping methods and
warehouses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..idset import format_idset
from ..models import GoodsOutNote, ShippingMethod, Warehouse
from .base import ALL, Kind, Reads, keyed_records, read_only, records

# API note: the ORDER-ID-SET part of the goods-out path takes up to 500 ids (API.md §9.1, "any
# ID set <= 500"); notes come keyed by note id, each naming its orderId.
GOODS_OUT_ORDERS_PER_CALL = 500


class WarehouseReads(Reads):
    """Typed, cached reads of warehouse-service."""

    async def shipping_methods(self) -> Mapping[int, ShippingMethod]:
        """Every shipping method, by id."""

        async def load() -> Mapping[int, ShippingMethod]:
            methods = [ShippingMethod.from_wire(r) for r in records(await self.client.get("warehouse-service/shipping-method/"))]
            return read_only({m.id: m for m in methods if m.id})

        return await self.cached(Kind.SHIPPING_METHODS, ALL, load)

    async def warehouses(self) -> Mapping[int, Warehouse]:
        """Every warehouse (and store) of the account, by id, sorted by id."""

        async def load() -> Mapping[int, Warehouse]:
            found = [Warehouse.from_wire(r) for r in records(await self.get_or_none("warehouse-service/warehouse"))]
            return read_only({w.id: w for w in sorted(found, key=lambda w: w.id) if w.id})

        return await self.cached(Kind.WAREHOUSES, ALL, load)

    async def goods_out_notes(self, order_id: int) -> tuple[GoodsOutNote, ...]:
        """The despatches of an order, oldest first (() when none)."""
        order_id = int(order_id)

        async def load() -> tuple[GoodsOutNote, ...]:
            value = await self.get_or_none(f"warehouse-service/order/{order_id}/goods-note/goods-out/")
            notes = [GoodsOutNote.from_wire(v, note_id=k or None) for k, v in keyed_records(value).items()]
            return tuple(sorted((n for n in notes if n.id), key=lambda n: n.id))

        return await self.cached(Kind.GOODS_OUT_NOTES, order_id, load)

    async def goods_out_notes_of_orders(self, order_ids: Sequence[int]) -> dict[int, tuple[GoodsOutNote, ...]]:
        """The despatches of several orders, by order id: every id asked for is present (()
        when it has none), notes oldest first. The orders not cached are read with ONE GET per
        500 orders; the cache is the one `goods_out_notes()` uses, so an order page opened next
        costs nothing for its notes."""
        wanted = [int(i) for i in order_ids if int(i) > 0]

        async def load(missing: list[int]) -> dict[int, tuple[GoodsOutNote, ...]]:
            by_order: dict[int, list[GoodsOutNote]] = {order_id: [] for order_id in missing}
            for start in range(0, len(missing), GOODS_OUT_ORDERS_PER_CALL):
                ids = format_idset(missing[start : start + GOODS_OUT_ORDERS_PER_CALL])
                value = await self.get_or_none(f"warehouse-service/order/{ids}/goods-note/goods-out/")
                for key, wire in keyed_records(value).items():
                    note = GoodsOutNote.from_wire(wire, note_id=key or None)
                    # A note of an order we did not ask for is not shown to anyone.
                    if note.id and note.order_id in by_order:
                        by_order[note.order_id].append(note)
            return {order_id: tuple(sorted(notes, key=lambda n: n.id)) for order_id, notes in by_order.items()}

        return await self.cached_many(Kind.GOODS_OUT_NOTES, wanted, load)
