"""`Brightpearl`: the read API the areas use, one reader per Brightpearl service over one
client and one cache, shared by every request of the process.

    bp.orders.index(contact_id)      bp.warehouse.goods_out_notes(order_id)
    bp.contacts.with_addresses(id)   bp.accounting.statement(contact_id, currency_id)
    bp.products.price_lists()        bp.forget(Change.ORDER, order_id)

Writes do not go through here: the outbox delivers them (portal.outbox) and then calls
`forget` so the next read sees them.
"""

from __future__ import annotations

from .cache import Cache
from .client import BrightpearlClient
from .invalidation import Change, forget
from .reads import AccountingReads, ContactReads, OrderReads, ProductReads, WarehouseReads


class Brightpearl:
    """Typed, cached reads of Brightpearl. One per process, shared by all requests."""

    def __init__(self, client: BrightpearlClient, cache: Cache) -> None:
        self.client = client
        self.cache = cache
        self.orders = OrderReads(client, cache)
        self.warehouse = WarehouseReads(client, cache)
        self.contacts = ContactReads(client, cache)
        self.accounting = AccountingReads(client, cache)
        self.products = ProductReads(client, cache)

    def forget(self, change: Change, object_id: int, *, owner_id: int | None = None) -> None:
        """Drop the cached copies that a change in Brightpearl makes stale (see invalidation)."""
        forget(self.cache, change, object_id, owner_id=owner_id)

    async def aclose(self) -> None:
        """At shutdown: stop background refreshes, then close the client they use."""
        await self.cache.aclose()
        await self.client.aclose()
