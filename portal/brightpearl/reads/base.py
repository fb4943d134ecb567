"""What every Brightpearl reader shares: the cache kinds with their freshness, cached lookups,
and the one loader of resources by ID set.

Each page costs a fixed, small number of calls when the cache is cold and none when warm,
because lists come from one search and details from ID-set GETs of up to 200 ids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from ..cache import Cache
from ..client import BrightpearlClient
from ..errors import BrightpearlNotFound, is_none_found

T = TypeVar("T")

HOUR = 3600.0
ALL = "all"  # the key of account-wide reference data (one entry per kind)


class Kind(StrEnum):
    """The kinds of cached Brightpearl data (cache keys are (kind, key))."""

    ORDER_STATUSES = "order_statuses"
    SHIPPING_STATUSES = "shipping_statuses"
    SHIPPING_METHODS = "shipping_methods"
    ORDER_INDEX = "order_index"  # key: (contact id, order type id)
    ORDER = "order"  # key: order id
    GOODS_OUT_NOTES = "goods_out_notes"  # key: order id
    ORDER_NOTES = "order_notes"  # key: order id
    CONTACT = "contact"  # key: contact id
    CONTACTS_BY_EMAIL = "contacts_by_email"  # key: the e-mail, case-folded
    POSTAL_ADDRESS = "postal_address"  # key: address id
    CONTACT_BALANCE = "contact_balance"  # key: (contact id, currency code[, day])
    STATEMENT = "statement"  # key: (contact id, currency id, from, to)
    PRICE_LISTS = "price_lists"
    CHANNELS = "channels"
    WAREHOUSES = "warehouses"
    PAYMENT_METHODS = "payment_methods"


@dataclass(frozen=True)
class Freshness:
    ttl: float  # seconds served without a call
    stale_ttl: float  # seconds after ttl served at once while refreshing in the background


# How long each kind of data may be reused. Reference data changes rarely (an admin edits it);
# orders change while the customer watches (status, despatch), so they are kept briefly.
TTL: Mapping[Kind, Freshness] = MappingProxyType(
    {
        Kind.ORDER_STATUSES: Freshness(6 * HOUR, 18 * HOUR),
        Kind.SHIPPING_STATUSES: Freshness(6 * HOUR, 18 * HOUR),
        Kind.SHIPPING_METHODS: Freshness(6 * HOUR, 18 * HOUR),
        Kind.ORDER_INDEX: Freshness(60, 240),
        Kind.ORDER: Freshness(120, 600),
        Kind.GOODS_OUT_NOTES: Freshness(60, 300),
        Kind.ORDER_NOTES: Freshness(60, 300),
        Kind.CONTACT: Freshness(300, 1800),
        # Login looks contacts up by e-mail: keep it short so a changed e-mail is seen quickly.
        Kind.CONTACTS_BY_EMAIL: Freshness(60, 0),
        Kind.POSTAL_ADDRESS: Freshness(300, 1800),
        Kind.CONTACT_BALANCE: Freshness(120, 600),
        Kind.STATEMENT: Freshness(120, 600),
        # Price lists are reference data (names, currencies): an admin changes them rarely.
        Kind.PRICE_LISTS: Freshness(6 * HOUR, 18 * HOUR),
        # Channels and warehouses are reference data too (the order defaults page lists them).
        Kind.CHANNELS: Freshness(6 * HOUR, 18 * HOUR),
        Kind.WAREHOUSES: Freshness(6 * HOUR, 18 * HOUR),
        Kind.PAYMENT_METHODS: Freshness(6 * HOUR, 18 * HOUR),
    }
)


class Reads:
    """Base of the per-service readers: typed, cached reads over one client and one cache."""

    def __init__(self, client: BrightpearlClient, cache: Cache) -> None:
        self.client = client
        self.cache = cache

    async def cached(self, kind: Kind, key: Hashable, loader: Callable[[], Awaitable[T]]) -> T:
        """The value of (kind, key): from the cache, or `await loader()`."""
        fresh = TTL[kind]
        return await self.cache.get(kind, key, loader, ttl=fresh.ttl, stale_ttl=fresh.stale_ttl)

    async def cached_many(
        self, kind: Kind, keys: Iterable[int], loader: Callable[[list[int]], Awaitable[Mapping[int, T]]]
    ) -> dict[int, T]:
        """Values of many keys of one kind; the missing ones come from ONE `loader(keys)` call."""
        fresh = TTL[kind]
        return await self.cache.get_many(kind, keys, loader, ttl=fresh.ttl, stale_ttl=fresh.stale_ttl)

    async def by_ids(
        self,
        kind: Kind,
        ids: Iterable[int],
        path: str,
        parse: Callable[[dict[str, Any]], Any],
        *,
        id_key: str = "id",
    ) -> dict[int, Any]:
        """The resources with these ids that exist, by id, in the order of `ids`: the ones not
        cached are read with one ID-set GET of `path` (which holds `{ids}`) per 200 ids, each
        item parsed with `parse`. Ids Brightpearl does not return are remembered as missing."""
        wanted = [int(i) for i in ids]

        async def load(missing: list[int]) -> dict[int, Any]:
            wire = await self.client.get_many(path, missing, id_key=id_key)
            parsed = (parse(item) for item in wire)
            return {item.id: item for item in parsed if item.id}

        found = await self.cached_many(kind, wanted, load)
        return {i: found[i] for i in wanted if i in found}

    async def get_or_none(self, path: str) -> Any:
        """GET a list resource; None when Brightpearl says "nothing found" (404 CMNC-404)."""
        try:
            return await self.client.get(path)
        except BrightpearlNotFound as exc:
            if is_none_found(exc):
                return None
            raise


def records(value: Any) -> list[dict]:
    """The JSON objects of a list response ([] for anything else)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def keyed_records(value: Any) -> dict[str, dict]:
    """The JSON objects of a response keyed by id (goods-out notes), by key."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, dict)}
    # API note: goods-out notes come as a map keyed by id; accept a list of notes too.
    return {str(v.get("id", "")): v for v in records(value)}


def read_only(mapping: Mapping[Any, T]) -> Mapping[Any, T]:
    """A mapping the cache can share between requests: nobody can change it."""
    return MappingProxyType(dict(mapping))
