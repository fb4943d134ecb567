"""The read API the pages use: typed, cached, and cheap in Brightpearl calls.

Each page costs a fixed, small number of calls when the cache is cold and none when warm:

    order list  = order_statuses() + order_index(contact) + orders(ids of the page)  -> <= 3
    order page  = order(id) + goods_out_notes(id) + order_notes(id) + shipping_methods() -> <= 4

Writes do not go through here (the outbox calls the client); after a write, call
`forget_order` / `forget_contact` so the next read sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from .cache import Cache
from .client import BrightpearlClient
from .errors import BrightpearlNotFound, is_none_found
from .idset import format_idset
from .models import (
    Contact,
    ContactSearchRow,
    ContactWithAddresses,
    GoodsOutNote,
    Order,
    OrderNote,
    OrderSearchRow,
    OrderStatus,
    PostalAddress,
    PriceList,
    ShippingMethod,
    StatementLine,
    as_decimal,
    as_int,
    as_str,
)


@dataclass(frozen=True)
class Freshness:
    ttl: float  # seconds served without a call
    stale_ttl: float  # seconds after ttl served at once while refreshing in the background


HOUR = 3600.0

# How long each kind of data may be reused. Reference data changes rarely (an admin edits it);
# orders change while the customer watches (status, despatch), so they are kept briefly.
TTL: dict[str, Freshness] = {
    "order_statuses": Freshness(6 * HOUR, 18 * HOUR),
    "shipping_statuses": Freshness(6 * HOUR, 18 * HOUR),
    "shipping_methods": Freshness(6 * HOUR, 18 * HOUR),
    "order_index": Freshness(60, 240),
    "order": Freshness(120, 600),
    "goods_out_notes": Freshness(60, 300),
    "order_notes": Freshness(60, 300),
    "contact": Freshness(300, 1800),
    # Login looks contacts up by e-mail: keep it short so a changed e-mail is seen quickly.
    "contacts_by_email": Freshness(60, 0),
    "postal_address": Freshness(300, 1800),
    "contact_balance": Freshness(120, 600),
    "statement": Freshness(120, 600),
    # Price lists are reference data (names, currencies): an admin changes them rarely.
    "price_lists": Freshness(6 * HOUR, 18 * HOUR),
}

ORDER_TYPE_IDS = (1, 2, 3, 4)  # SO, PO, SC, PC in order-search's orderTypeId
_ALL = "all"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class Brightpearl:
    """Typed, cached reads of Brightpearl. One per process, shared by all requests."""

    def __init__(self, client: BrightpearlClient, cache: Cache) -> None:
        self.client = client
        self.cache = cache

    async def aclose(self) -> None:
        """At shutdown: stop background refreshes, then close the client they use."""
        await self.cache.aclose()
        await self.client.aclose()

    async def _cached(self, kind: str, key: Any, loader: Any) -> Any:
        fresh = TTL[kind]
        return await self.cache.get(kind, key, loader, ttl=fresh.ttl, stale_ttl=fresh.stale_ttl)

    async def _cached_many(self, kind: str, keys: Iterable[int], loader: Any) -> dict[int, Any]:
        fresh = TTL[kind]
        return await self.cache.get_many(kind, keys, loader, ttl=fresh.ttl, stale_ttl=fresh.stale_ttl)

    # --- reference data -------------------------------------------------------------------------
    async def order_statuses(self) -> dict[int, OrderStatus]:
        """Every order status of the account (all order types), by status id."""

        async def load() -> dict[int, OrderStatus]:
            rows = await self.client.get("order-service/order-status")
            statuses = [OrderStatus.from_wire(r) for r in _as_list(rows)]
            return {s.id: s for s in sorted(statuses, key=lambda s: (s.order_type_code, s.sort_order, s.id))}

        return await self._cached("order_statuses", _ALL, load)

    async def shipping_statuses(self) -> dict[int, str]:
        """Shipping status id (as in order-search) -> description, e.g. 4 -> "All stock shipped"."""

        async def load() -> dict[int, str]:
            rows = await self.client.get("order-service/order-shipping-status")
            return {
                as_int(r.get("id")): as_str(r.get("description") or r.get("name") or r.get("code"))
                for r in _as_list(rows)
                if as_int(r.get("id"))
            }

        return await self._cached("shipping_statuses", _ALL, load)

    async def shipping_methods(self) -> dict[int, ShippingMethod]:
        """Every shipping method, by id."""

        async def load() -> dict[int, ShippingMethod]:
            rows = await self.client.get("warehouse-service/shipping-method/")
            methods = [ShippingMethod.from_wire(r) for r in _as_list(rows)]
            return {m.id: m for m in methods if m.id}

        return await self._cached("shipping_methods", _ALL, load)

    # --- orders ---------------------------------------------------------------------------------
    async def order_index(self, contact_id: int, order_type_id: int = 1) -> list[OrderSearchRow]:
        """ALL orders of one type (1 SO, 2 PO, 3 SC, 4 PC) whose customer/supplier is the
        contact, newest first: one search call per 500 orders. Pages filter and page locally."""
        contact_id, order_type_id = int(contact_id), int(order_type_id)

        async def load() -> list[OrderSearchRow]:
            found = await self.client.search(
                "order-service/order-search",
                {"contactId": contact_id, "orderTypeId": order_type_id, "sort": "orderId.DESC"},
            )
            rows = [OrderSearchRow.from_wire(r) for r in found.rows]
            # The filter ran in Brightpearl; check it held before showing anyone anything.
            return [r for r in rows if r.order_id and r.contact_id == contact_id]

        return await self._cached("order_index", (contact_id, order_type_id), load)

    async def orders(self, ids: Sequence[int]) -> dict[int, Order]:
        """The orders with these ids that exist, by id (in the order of `ids`). The ones not
        cached are read with one ID-set GET per 200 ids."""
        wanted = [int(i) for i in ids]

        async def load(missing: list[int]) -> dict[int, Order]:
            wire = await self.client.get_many("order-service/order/{ids}", missing, chunk=200)
            orders = (Order.from_wire(w) for w in wire)
            return {o.id: o for o in orders if o.id}

        found = await self._cached_many("order", wanted, load)
        return {i: found[i] for i in wanted if i in found}

    async def order(self, order_id: int) -> Order | None:
        """One order, or None when it does not exist."""
        return (await self.orders([order_id])).get(int(order_id))

    async def goods_out_notes(self, order_id: int) -> list[GoodsOutNote]:
        """The despatches of an order, oldest first ([] when none)."""
        order_id = int(order_id)

        async def load() -> list[GoodsOutNote]:
            value = await self._get_or_none(f"warehouse-service/order/{order_id}/goods-note/goods-out/")
            notes = [GoodsOutNote.from_wire(v, note_id=k or None) for k, v in _as_map(value).items()]
            return sorted((n for n in notes if n.id), key=lambda n: n.id)

        return await self._cached("goods_out_notes", order_id, load)

    async def order_notes(self, order_id: int) -> list[OrderNote]:
        """All notes of an order, oldest first, public and private: show customers only
        `is_public` ones."""
        order_id = int(order_id)

        async def load() -> list[OrderNote]:
            value = await self._get_or_none(f"order-service/order/{order_id}/note")
            notes = [OrderNote.from_wire(n, order_id=order_id) for n in _as_list(value)]
            return sorted(notes, key=lambda n: (n.added_on or _EPOCH, n.id))

        return await self._cached("order_notes", order_id, load)

    # --- contacts -------------------------------------------------------------------------------
    async def contacts(self, ids: Sequence[int]) -> dict[int, Contact]:
        """The contacts with these ids that exist, by id."""
        wanted = [int(i) for i in ids]

        async def load(missing: list[int]) -> dict[int, Contact]:
            wire = await self.client.get_many("contact-service/contact/{ids}", missing, id_key="contactId")
            contacts = (Contact.from_wire(w) for w in wire)
            return {c.id: c for c in contacts if c.id}

        found = await self._cached_many("contact", wanted, load)
        return {i: found[i] for i in wanted if i in found}

    async def contact(self, contact_id: int) -> Contact | None:
        return (await self.contacts([contact_id])).get(int(contact_id))

    async def contacts_by_email(self, email: str) -> list[ContactSearchRow]:
        """Contacts whose primary e-mail is exactly `email` (case-insensitive). Brightpearl's
        search is looser than that (API.md §6.2), so its rows are compared here again; several
        contacts may share one address."""
        wanted = email.strip().casefold()
        if not wanted:
            return []

        async def load() -> list[ContactSearchRow]:
            found = await self.client.search("contact-service/contact-search", {"primaryEmail": email.strip()})
            rows = [ContactSearchRow.from_wire(r) for r in found.rows]
            return [r for r in rows if r.contact_id and r.primary_email.strip().casefold() == wanted]

        return await self._cached("contacts_by_email", wanted, load)

    async def postal_addresses(self, ids: Iterable[int]) -> dict[int, PostalAddress]:
        """The postal addresses with these ids that exist, by id."""
        wanted = [int(i) for i in ids if int(i) > 0]

        async def load(missing: list[int]) -> dict[int, PostalAddress]:
            wire = await self.client.get_many("contact-service/postal-address/{ids}", missing, id_key="addressId")
            addresses = (PostalAddress.from_wire(w) for w in wire)
            return {a.id: a for a in addresses if a.id}

        found = await self._cached_many("postal_address", wanted, load)
        return {i: found[i] for i in wanted if i in found}

    async def contact_balance(self, contact_id: int, currency_code: str) -> Decimal | None:
        """What the contact owes in that currency (open invoices - open credits); None when
        Brightpearl knows no transactions."""
        contact_id, code = int(contact_id), currency_code.strip().upper()
        if not _CURRENCY_CODE.match(code):
            raise ValueError(f"not a currency code: {currency_code!r}")

        async def load() -> Decimal | None:
            value = await self.client.get(f"accounting-service/contact/{contact_id}/currency/{code}/balance")
            return as_decimal(value, None)

        return await self._cached("contact_balance", (contact_id, code), load)

    async def statement(
        self, contact_id: int, currency_id: int, date_from: date | None = None, date_to: date | None = None
    ) -> list[StatementLine]:
        """Statement lines (invoices, credits, payments) of a contact in one currency, oldest
        first, journal dates within [date_from, date_to] (either end open when None)."""
        contact_id, currency_id = int(contact_id), int(currency_id)
        params: dict[str, Any] = {"contactId": contact_id, "currencyId": currency_id, "sort": "journalDate.ASC"}
        if date_from or date_to:
            # API note: PERIOD filters take "from/to" with either end empty (API.md §5.1).
            start = f"{date_from.isoformat()}T00:00:00" if date_from else ""
            end = f"{date_to.isoformat()}T23:59:59" if date_to else ""
            params["journalDate"] = f"{start}/{end}"

        async def load() -> list[StatementLine]:
            found = await self.client.search("accounting-service/statement/all-transaction-search", params)
            return [StatementLine.from_wire(r) for r in found.rows]

        return await self._cached("statement", (contact_id, currency_id, date_from, date_to), load)

    # --- invalidation after writes and webhooks -------------------------------------------------
    def forget_order(self, order_id: int, contact_id: int | None = None) -> None:
        """Drop an order, its notes and despatches, and the order lists of its contact (given,
        or read from the cached order). Call after writing to the order or on its webhook."""
        order_id = int(order_id)
        cached = self.cache.peek("order", order_id)
        for kind in ("order", "order_notes", "goods_out_notes"):
            self.cache.invalidate(kind, order_id)
        owners = {int(contact_id)} if contact_id else set()
        if isinstance(cached, Order):
            owners |= {cached.customer_contact_id, cached.supplier_contact_id} - {0}
        if owners:
            self.cache.invalidate_where("order_index", lambda key: key[0] in owners)
        else:
            # Unknown owner (webhook for an order nobody looked at): every list may show it.
            self.cache.invalidate("order_index")

    def forget_contact(self, contact_id: int) -> None:
        """Drop a contact, its addresses, balances, statements and order lists, and the e-mail
        lookups. Call after writing to the contact."""
        contact_id = int(contact_id)
        cached = self.cache.peek("contact", contact_id)
        self.cache.invalidate("contact", contact_id)
        if isinstance(cached, Contact):
            for address_id in cached.post_address_ids.values():
                self.cache.invalidate("postal_address", address_id)
        for kind in ("order_index", "contact_balance", "statement"):
            self.cache.invalidate_where(kind, lambda key: key[0] == contact_id)
        self.cache.invalidate("contacts_by_email")

    async def _get_or_none(self, path: str) -> Any:
        """GET a list resource; None when Brightpearl says "nothing found" (404 CMNC-404)."""
        try:
            return await self.client.get(path)
        except BrightpearlNotFound as exc:
            if is_none_found(exc):
                return None
            raise

    # --- address book and account ---------------------------------------------------------------
    async def contact_with_addresses(self, contact_id: int) -> ContactWithAddresses | None:
        """The contact and every postal address linked to it, from ONE Contact GET with the
        optional `postalAddresses` section; None when the contact does not exist.

        It is cached as the contact itself, so `contact()` shares it and `forget_contact()`
        drops it.  A contact cached by a plain `contact()` read is read once more, with the
        section.  `addresses_included` is False when Brightpearl ignored the parameter or only
        an older plain copy could be served (Brightpearl down): then read the DEF/BIL/DEL ids
        of `post_address_ids` with `postal_addresses()`.
        """
        contact_id = int(contact_id)
        cached = self.cache.peek("contact", contact_id)
        if cached is not None and not isinstance(cached, ContactWithAddresses):
            self.cache.invalidate("contact", contact_id)

        async def load(missing: list[int]) -> dict[int, ContactWithAddresses]:
            # API note: the includeOptional value for the section is UNCONFIRMED (API.md §4.5,
            # §16 item 7); `postalAddresses` is the documented section name. A real account
            # that ignores it still answers the plain contact, which degrades to DEF/BIL/DEL.
            wire = await self.client.get_many(
                "contact-service/contact/{ids}?includeOptional=postalAddresses", missing, id_key="contactId"
            )
            contacts = (ContactWithAddresses.from_wire(w) for w in wire)
            return {c.id: c for c in contacts if c.id}

        found = (await self._cached_many("contact", [contact_id], load)).get(contact_id)
        if found is None or isinstance(found, ContactWithAddresses):
            return found
        return ContactWithAddresses.extend(found)

    async def price_lists(self) -> dict[int, PriceList]:
        """Every price list of the account, by id (one call, kept for hours)."""

        async def load() -> dict[int, PriceList]:
            rows = await self._get_or_none("product-service/price-list")
            lists = [PriceList.from_wire(r) for r in _as_list(rows)]
            return {p.id: p for p in lists if p.id}

        return await self._cached("price_lists", _ALL, load)

    async def currency_code(self, currency_id: int) -> str | None:
        """The ISO 4217 code of a Brightpearl currency id (a contact's `currencyId`), or None
        when no price list uses that currency.

        API note: Brightpearl's currency resource is UNCONFIRMED (API.md §8.3); every price list
        carries both `currencyId` and `currencyCode`, so the price lists (cached reference data)
        give the mapping for every currency the merchant sells in.
        """
        currency_id = int(currency_id)
        for price_list in (await self.price_lists()).values():
            if price_list.currency_id == currency_id and _CURRENCY_CODE.match(price_list.currency_code):
                return price_list.currency_code
        return None

    # --- documents and statements ---------------------------------------------------------------
    async def contact_balance_until(self, contact_id: int, currency_code: str, day: date) -> Decimal | None:
        """What the contact owed in that currency at the end of `day` (transactions dated on or
        before it); None when Brightpearl knows no transactions up to then.

        A statement's opening balance is this for the day before the statement starts."""
        contact_id, code = int(contact_id), currency_code.strip().upper()
        if not _CURRENCY_CODE.match(code):
            raise ValueError(f"not a currency code: {currency_code!r}")

        async def load() -> Decimal | None:
            # API note: dateTo (yyyy-mm-dd) without dateFrom sums every transaction up to that
            # day inclusive (API.md §6.5, examples/contact-balance-get.json).
            value = await self.client.get(
                f"accounting-service/contact/{contact_id}/currency/{code}/balance", {"dateTo": day.isoformat()}
            )
            return as_decimal(value, None)

        # Kept under "contact_balance" so forget_contact() drops it with the current balance.
        return await self._cached("contact_balance", (contact_id, code, day), load)

    # --- dashboard ------------------------------------------------------------------------------
    async def goods_out_notes_of_orders(self, order_ids: Sequence[int]) -> dict[int, list[GoodsOutNote]]:
        """The despatches of several orders, by order id: every id asked for is present ([]
        when it has none), notes oldest first. The orders not cached are read with ONE GET per
        500 orders (the order part of the path is an ID set, API.md §9.1); the cache is the one
        `goods_out_notes()` uses, so an order page opened next costs nothing for its notes."""
        wanted = [int(i) for i in order_ids if int(i) > 0]

        async def load(missing: list[int]) -> dict[int, list[GoodsOutNote]]:
            by_order: dict[int, list[GoodsOutNote]] = {order_id: [] for order_id in missing}
            # API note: the ORDER-ID-SET part takes up to 500 ids (API.md §9.1, "any ID set
            # <= 500"); notes come keyed by note id, each naming its orderId.
            for start in range(0, len(missing), 500):
                ids = format_idset(missing[start : start + 500])
                value = await self._get_or_none(f"warehouse-service/order/{ids}/goods-note/goods-out/")
                for key, wire in _as_map(value).items():
                    note = GoodsOutNote.from_wire(wire, note_id=key or None)
                    # A note of an order we did not ask for is not shown to anyone.
                    if note.id and note.order_id in by_order:
                        by_order[note.order_id].append(note)
            return {order_id: sorted(notes, key=lambda n: n.id) for order_id, notes in by_order.items()}

        return await self._cached_many("goods_out_notes", wanted, load)


def _as_list(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _as_map(value: Any) -> dict[str, dict]:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, dict)}
    # API note: goods-out notes come as a map keyed by id; accept a list of notes too.
    return {str(v.get("id", "")): v for v in _as_list(value)}
