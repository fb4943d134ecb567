"""Reads of product-service (API.md §10): price lists (which also name the account's currencies)
and sales channels."""

from __future__ import annotations

from collections.abc import Mapping

from ..models import Channel, PriceList
from .base import ALL, Kind, Reads, read_only, records


class ProductReads(Reads):
    """Typed, cached reads of product-service."""

    async def price_lists(self) -> Mapping[int, PriceList]:
        """Every price list of the account, by id (one call, kept for hours)."""

        async def load() -> Mapping[int, PriceList]:
            lists = [PriceList.from_wire(r) for r in records(await self.get_or_none("product-service/price-list"))]
            return read_only({p.id: p for p in lists if p.id})

        return await self.cached(Kind.PRICE_LISTS, ALL, load)

    async def channels(self) -> Mapping[int, Channel]:
        """Every sales channel of the account, by id, in Brightpearl's order (by id)."""

        async def load() -> Mapping[int, Channel]:
            found = [Channel.from_wire(r) for r in records(await self.get_or_none("product-service/channel"))]
            return read_only({c.id: c for c in sorted(found, key=lambda c: c.id) if c.id})

        return await self.cached(Kind.CHANNELS, ALL, load)
