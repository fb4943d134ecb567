"""What a change in Brightpearl makes stale in the cache: one table, used after the outbox
delivers a write (and by webhooks once the portal registers them).

A change names what changed and its id; the table says which cached kinds hold a copy:
keyed by that id, keyed by (owner contact id, …), or whole kinds. The owner of an order is
its customer or supplier; when it is not known (a webhook for an order nobody has looked at)
every order index is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from .cache import Cache
from .models import Contact, Order
from .reads.base import Kind


class Change(StrEnum):
    """Something that changed in Brightpearl."""

    ORDER = "order"  # an order's status, rows or despatch; id: the order id
    ORDER_NOTES = "order_notes"  # a note was added to an order; id: the order id
    CONTACT = "contact"  # a contact or its addresses; id: the contact id


@dataclass(frozen=True)
class Stale:
    """The cached kinds a change makes stale."""

    by_id: tuple[Kind, ...] = ()  # keyed by the changed object's id
    by_owner: tuple[Kind, ...] = ()  # keyed by (owner contact id, …)
    whole: tuple[Kind, ...] = ()  # every key of the kind


STALE: Mapping[Change, Stale] = MappingProxyType(
    {
        Change.ORDER: Stale(by_id=(Kind.ORDER, Kind.ORDER_NOTES, Kind.GOODS_OUT_NOTES), by_owner=(Kind.ORDER_INDEX,)),
        Change.ORDER_NOTES: Stale(by_id=(Kind.ORDER_NOTES,)),
        Change.CONTACT: Stale(
            by_id=(Kind.CONTACT,),
            by_owner=(Kind.ORDER_INDEX, Kind.CONTACT_BALANCE, Kind.STATEMENT),
            whole=(Kind.CONTACTS_BY_EMAIL,),
        ),
    }
)


def forget(cache: Cache, change: Change, object_id: int, *, owner_id: int | None = None) -> None:
    """Drop every cached copy that `change` of `object_id` makes stale. `owner_id` is the
    contact an order belongs to, when the caller knows it (else it is read from the cached
    order)."""
    object_id = int(object_id)
    stale = STALE[change]
    cached = cache.peek(stale.by_id[0], object_id) if stale.by_id else None
    owners = _owners(change, object_id, owner_id, cached)
    for kind in stale.by_id:
        cache.invalidate(kind, object_id)
    if isinstance(cached, Contact):
        # A contact's addresses are cached on their own, by address id.
        for address_id in cached.post_address_ids.values():
            cache.invalidate(Kind.POSTAL_ADDRESS, address_id)
    for kind in stale.by_owner:
        if owners:
            cache.invalidate_where(kind, lambda key: key[0] in owners)
        else:
            cache.invalidate(kind)
    for kind in stale.whole:
        cache.invalidate(kind)


def _owners(change: Change, object_id: int, owner_id: int | None, cached: object) -> set[int]:
    if change is Change.CONTACT:
        return {object_id}
    owners = {int(owner_id)} if owner_id else set()
    if isinstance(cached, Order):
        owners |= {cached.customer_contact_id, cached.supplier_contact_id} - {0}
    return owners
