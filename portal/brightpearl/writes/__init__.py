"""The writes the portal makes in Brightpearl, one module per kind, each delivered exactly once.

Every kind has a `deliver(client, attempt, save)` that returns what to remember (the ids
Brightpearl gave). When `attempt.retry` is true an earlier attempt was sent and its outcome may
be unknown, so `deliver` first looks in Brightpearl for the write and adopts it when it is
there. `save(progress)` records a finished step of a multi-step write at once.

`WRITES` names each kind with its delivery and with what it changes in Brightpearl (for the
cache, see invalidation). The outbox binds them to its queue (portal.outbox.brightpearl).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..client import BrightpearlClient
from ..invalidation import Change
from . import customer_contact, order_note, postal_address, quote_acceptance, quote_response, sales_order
from .attempt import WriteAttempt

Deliver = Callable[[BrightpearlClient, WriteAttempt, Callable[[dict], None]], Awaitable[dict]]


@dataclass(frozen=True)
class WriteKind:
    """One kind of write: how to deliver it, and which change it makes (with the id it is of)."""

    name: str
    deliver: Deliver
    change: Change
    changed_id: Callable[[WriteAttempt], int | None]


WRITES: Mapping[str, WriteKind] = MappingProxyType(
    {
        order_note.KIND: WriteKind(order_note.KIND, order_note.deliver, Change.ORDER_NOTES, lambda a: a.target_id),
        postal_address.KIND: WriteKind(
            postal_address.KIND, postal_address.deliver, Change.CONTACT, lambda a: a.contact_id
        ),
        customer_contact.KIND: WriteKind(
            customer_contact.KIND, customer_contact.deliver, Change.CONTACT, lambda a: a.result.get("contact_id")
        ),
        # Both change the quote (status and a note): the quote, its notes and its owner's order
        # lists are forgotten, and so the list holding a new sales order too.
        quote_acceptance.KIND: WriteKind(
            quote_acceptance.KIND, quote_acceptance.deliver, Change.ORDER, lambda a: a.target_id
        ),
        sales_order.KIND: WriteKind(sales_order.KIND, sales_order.deliver, Change.ORDER, lambda a: a.target_id),
        # A note, and maybe a status: the quote is forgotten as for an acceptance.
        quote_response.KIND: WriteKind(quote_response.KIND, quote_response.deliver, Change.ORDER, lambda a: a.target_id),
    }
)
