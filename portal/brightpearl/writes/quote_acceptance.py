"""A customer accepts a quote in place, exactly once (write kind `quote_acceptance`; target: the
quote's order id; payload: see `acceptance_payload`).

Brightpearl's own way (API addendum B.1, B.2): the quote moves to the "accepted" status with one
`PUT order-service/order/{id}/status` carrying a public note (the PO reference, payment method,
delivery instructions and, flagged for the merchant, a delivery address other than the
quote's). One call changes the status and adds the note; Brightpearl adds a note on every status
change anyway. Order PATCH cannot change a delivery address and a sales-order PUT replaces the
whole order (addendum B.3, B.4), so a new address goes into the note for staff to apply.

Every attempt first re-reads the order (`GET order/{id}`), as B.1 asks (there is no If-Match):

- a retry (an earlier attempt may have landed) reads the order's notes and adopts the note that
  carries this item's marker, `[portal ref portal-…]`, without writing again;
- a quote whose status, lines or total differ from the fingerprint the customer confirmed is
  refused, outcome "quote_changed", and nothing is written (the page asks again);
- a quote that is gone, or is not this customer's, is refused, outcome "quote_gone";
- else the status PUT, recorded at once (`save({"status_changed": True})`).

A refused item is "failed" in the outbox with `result["outcome"]` saying why and
`result["seen"]` the quote's fingerprint as it was read (portal.domain.quote_snapshot).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..client import BrightpearlClient
from ..errors import BrightpearlBadRequest, BrightpearlNotFound
from ..models import Order, OrderNote
from ..models.quotes import QuoteFingerprint
from .attempt import WriteAttempt
from .order_note import attributed

KIND = "quote_acceptance"

QUOTE_CHANGED = "quote_changed"
QUOTE_GONE = "quote_gone"


class QuoteChanged(BrightpearlBadRequest):
    """The quote in Brightpearl is not the one the customer confirmed (refused, not retried)."""


class QuoteGone(BrightpearlNotFound):
    """The quote is no longer in Brightpearl, or no longer this customer's."""


def portal_ref(user_id: int | None, idem_key: str) -> str:
    """The portal's reference of one checkout: "portal-" and a digest of the outbox item's
    idempotency key (of this user: keys are unique per user only). It is the sales order's
    externalRef and the marker in the portal's notes, so a retry can find what it wrote."""
    digest = hashlib.sha256(f"{user_id or 0}:{idem_key}".encode()).hexdigest()[:24]
    return f"portal-{digest}"


def marker(ref: str) -> str:
    """The line that ends every note the portal adds for checkout `ref`."""
    return f"[portal ref {ref}]"


def acceptance_note(
    *,
    author: str,
    po_reference: str = "",
    payment_method: str = "",
    delivery_instructions: str = "",
    changed_delivery_address: Sequence[str] = (),
    shipping_method: str = "",
) -> str:
    """The note's text (before its marker): who accepted, and what they chose."""
    lines = ["Quote accepted online."]
    if po_reference.strip():
        lines.append(f"Purchase order reference: {po_reference.strip()}")
    if payment_method.strip():
        lines.append(f"Payment method: {payment_method.strip()}")
    if delivery_instructions.strip():
        lines.append(f"Delivery instructions: {delivery_instructions.strip()}")
    if shipping_method.strip():
        lines.append(f"ACTION NEEDED: ship by {shipping_method.strip()}, not the quote's method.")
    address = [line.strip() for line in changed_delivery_address if line and line.strip()]
    if address:
        lines.append("ACTION NEEDED: deliver to this address, not the one on the quote:")
        lines.append(", ".join(address))
    return attributed(author, "\n".join(lines))


def acceptance_payload(
    *,
    quote: Order,
    ref: str,
    status_id: int,
    note: str,
    author: str,
    fingerprint: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The outbox payload of an acceptance of `quote` (as the checkout showed it; or with the
    `fingerprint` the checkout took then), moving it to `status_id` with `note`."""
    return {
        "quote_id": quote.id,
        "fingerprint": dict(fingerprint) if fingerprint is not None else QuoteFingerprint.of(quote).as_json(),
        "status_id": int(status_id),
        "note": note,
        "author": author,
        "ref": ref,
    }


async def deliver(client: BrightpearlClient, attempt: WriteAttempt, save: Callable[[dict], None]) -> dict:
    """Move the quote to the accepted status with the note (once); return {"order_id", "status_id"}."""
    payload = attempt.payload
    quote_id = int(payload["quote_id"])
    status_id = int(payload["status_id"])
    done = {"order_id": quote_id, "status_id": status_id}
    if attempt.result.get("status_changed"):
        return {**done, "status_changed": True}
    quote = await read_quote(client, quote_id, attempt.contact_id, save)
    ref = str(payload["ref"])
    if attempt.retry or quote.status_id == status_id:
        note = await find_note(client, quote_id, marker(ref))
        if note is not None:
            save({"status_changed": True, "adopted": True, "note_id": note.id})
            return {**done, "status_changed": True, "adopted": True, "note_id": note.id}
    check_unchanged(quote, payload.get("fingerprint"), save)
    await client.put(
        f"order-service/order/{quote_id}/status",
        {"orderStatusId": status_id, "orderNote": {"text": with_marker(str(payload["note"]), ref), "isPublic": True}},
    )
    save({"status_changed": True})
    return {**done, "status_changed": True}


def with_marker(text: str, ref: str) -> str:
    return f"{text.rstrip()}\n{marker(ref)}"


async def read_quote(
    client: BrightpearlClient, quote_id: int, contact_id: int | None, save: Callable[[dict], None]
) -> Order:
    """The quote as Brightpearl has it now; QuoteGone when it is not there or not this customer's."""
    found = await client.get(f"order-service/order/{quote_id}")
    items = [item for item in found or [] if isinstance(item, dict)] if isinstance(found, list) else []
    order = Order.from_wire(items[0]) if items else None
    if order is None or order.id != quote_id or (contact_id and order.customer_contact_id != contact_id):
        save({"outcome": QUOTE_GONE})
        raise QuoteGone(f"{QUOTE_GONE}: order {quote_id} is not in Brightpearl, or not this customer's")
    return order


def check_unchanged(quote: Order, expected: object, save: Callable[[dict], None]) -> None:
    """Refuse (QuoteChanged) when `quote` differs from the fingerprint the customer confirmed."""
    now = QuoteFingerprint.of(quote)
    before = QuoteFingerprint.from_json(expected)
    parts = before.changed_parts(now) if before is not None else ("lines", "total", "status")
    if parts:
        save({"outcome": QUOTE_CHANGED, "changed": list(parts), "seen": now.as_json()})
        raise QuoteChanged(f"{QUOTE_CHANGED}: the quote's {', '.join(parts)} changed in Brightpearl since the checkout")


async def find_note(client: BrightpearlClient, order_id: int, wanted: str) -> OrderNote | None:
    """The order's note (lowest id) whose text carries `wanted`, or None."""
    notes = await client.get(f"order-service/order/{order_id}/note")
    found = sorted(
        (OrderNote.from_wire(raw, order_id=order_id) for raw in notes or [] if isinstance(raw, dict)),
        key=lambda note: note.id,
    )
    return next((note for note in found if wanted in (note.text or "")), None)
