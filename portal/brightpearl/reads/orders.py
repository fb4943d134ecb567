"""Reads of order-service (API.md §7): statuses, a contact's order index, orders and their notes.

    order list  = statuses() + index(contact) + many(ids of the page)  -> <= 3 calls cold
    order page  = one(id) + notes(id) (+ warehouse reads)               -> <= 4 calls cold
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from ..models import Order, OrderNote, OrderSearchRow, OrderStatus, OrderType, as_int, as_str
from .base import ALL, Kind, Reads, read_only, records

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class OrderReads(Reads):
    """Typed, cached reads of order-service."""

    async def statuses(self) -> Mapping[int, OrderStatus]:
        """Every order status of the account (all order types), by status id."""

        async def load() -> Mapping[int, OrderStatus]:
            statuses = [OrderStatus.from_wire(r) for r in records(await self.client.get("order-service/order-status"))]
            ordered = sorted(statuses, key=lambda s: (s.order_type_code, s.sort_order, s.id))
            return read_only({s.id: s for s in ordered})

        return await self.cached(Kind.ORDER_STATUSES, ALL, load)

    async def shipping_statuses(self) -> Mapping[int, str]:
        """Shipping status id (as in order-search) -> description, e.g. 4 -> "All stock shipped"."""

        async def load() -> Mapping[int, str]:
            rows = records(await self.client.get("order-service/order-shipping-status"))
            return read_only(
                {
                    as_int(r.get("id")): as_str(r.get("description") or r.get("name") or r.get("code"))
                    for r in rows
                    if as_int(r.get("id"))
                }
            )

        return await self.cached(Kind.SHIPPING_STATUSES, ALL, load)

    async def index(self, contact_id: int, order_type: OrderType = OrderType.SALES_ORDER) -> tuple[OrderSearchRow, ...]:
        """ALL orders of one type whose customer/supplier is the contact, newest first: one
        search call per 500 orders. Pages filter and page locally."""
        contact_id, type_id = int(contact_id), int(order_type)

        async def load() -> tuple[OrderSearchRow, ...]:
            found = await self.client.search(
                "order-service/order-search",
                {"contactId": contact_id, "orderTypeId": type_id, "sort": "orderId.DESC"},
            )
            rows = (OrderSearchRow.from_wire(r) for r in found.rows)
            # The filter ran in Brightpearl; check it held before showing anyone anything.
            return tuple(r for r in rows if r.order_id and r.contact_id == contact_id)

        return await self.cached(Kind.ORDER_INDEX, (contact_id, type_id), load)

    async def many(self, ids: Sequence[int]) -> dict[int, Order]:
        """The orders with these ids that exist, by id (in the order of `ids`)."""
        # customFields: a quote may keep its last day in one (the admin names it, /admin/orders).
        return await self.by_ids(Kind.ORDER, ids, "order-service/order/{ids}?includeOptional=customFields", Order.from_wire)

    async def one(self, order_id: int) -> Order | None:
        """One order, or None when it does not exist."""
        return (await self.many([order_id])).get(int(order_id))

    async def notes(self, order_id: int) -> tuple[OrderNote, ...]:
        """All notes of an order, oldest first, public and private: show customers only
        `is_public` ones."""
        order_id = int(order_id)

        async def load() -> tuple[OrderNote, ...]:
            value = await self.get_or_none(f"order-service/order/{order_id}/note")
            notes = [OrderNote.from_wire(n, order_id=order_id) for n in records(value)]
            return tuple(sorted(notes, key=lambda n: (n.added_on or _EPOCH, n.id)))

        return await self.cached(Kind.ORDER_NOTES, order_id, load)
