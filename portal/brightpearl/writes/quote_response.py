"""A customer's answer to a quote other than accepting it, exactly once (write kind
`quote_response`; target: the quote's order id; payload: see `response_payload`).

Two answers: "declined" (with the customer's reason) and "changes" (the lines to change and
what should change). Either is a public note on the quote that names the lines for the
merchant; where the admin maps a status for the answer (order defaults
`quote_declined_status_id` / `quote_changes_status_id`), the note rides on the status change,
one `PUT order-service/order/{id}/status` (API addendum B.1), else it is a note alone
(`POST order-service/order/{id}/note`, as a comment is, portal.brightpearl.writes.order_note).

Every attempt first re-reads the order, as B.1 asks (there is no If-Match):

- a quote that is gone, or not this customer's, is refused, outcome "quote_gone";
- a retry (an earlier attempt may have landed) looks for the note carrying this item's marker,
  `[portal ref portal-…]`, and adopts it without writing again;
- a status change on a quote that moved on from the status the customer saw (the merchant
  accepted or cancelled it meanwhile) is refused, outcome "quote_changed": a "declined" status
  must not overwrite the merchant's own step. A note alone is still added (it changes nothing).

What is remembered: {"order_id", "answer", "answered_at", "status_id", "note_id"?,
"status_changed"?, "adopted"?}, so the quote page can tell the customer what they answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..client import BrightpearlClient
from ..models import OrderRow
from .attempt import WriteAttempt
from .order_note import attributed
from .quote_acceptance import QUOTE_CHANGED, QuoteChanged, find_note, marker, read_quote, with_marker

KIND = "quote_response"

DECLINED = "declined"
CHANGES = "changes"
ANSWERS = (DECLINED, CHANGES)


def line_label(row: OrderRow) -> str:
    """One quote line as the merchant reads it in the note: "SKU – name × quantity"."""
    name = " – ".join(part for part in ((row.sku or "").strip(), (row.name or "").strip()) if part) or "Line"
    return f"{name} × {Decimal(row.quantity).normalize():f}"


def decline_note(*, author: str, quote_number: str, reason: str) -> str:
    """The note's text (before its marker) of a declined quote."""
    return attributed(author, f"Quote {quote_number} declined online.\nReason: {reason.strip()}")


def changes_note(*, author: str, quote_number: str, lines: Iterable[OrderRow], wanted: str) -> str:
    """The note's text (before its marker) of a request for changes on `lines`."""
    text = [f"Changes requested online to quote {quote_number}.", "Lines to change:"]
    text.extend(f"- {line_label(row)}" for row in lines)
    text.append("What should change:")
    text.append(wanted.strip())
    return attributed(author, "\n".join(text))


def response_payload(
    *,
    quote_id: int,
    answer: str,
    note: str,
    status_id: int | None,
    seen_status_id: int | None,
    ref: str,
    author: str,
    text: str,
    line_ids: Sequence[int] = (),
) -> dict[str, Any]:
    """The outbox payload of an answer to quote `quote_id` seen in status `seen_status_id`;
    `text` is what the customer typed (the quote page shows it back)."""
    if answer not in ANSWERS:
        raise ValueError(f"unknown answer {answer!r}")
    return {
        "quote_id": int(quote_id),
        "answer": answer,
        "note": note,
        "status_id": int(status_id) if status_id is not None else None,
        "seen_status_id": int(seen_status_id) if seen_status_id is not None else None,
        "ref": ref,
        "author": author,
        "text": text,
        "line_ids": [int(i) for i in line_ids],
    }


async def deliver(client: BrightpearlClient, attempt: WriteAttempt, save: Callable[[dict], None]) -> dict:
    """Add the answer's public note to the quote (with the status change when one is mapped),
    once; return what the quote page needs to show it."""
    payload = attempt.payload
    quote_id = int(payload["quote_id"])
    status_id = int(payload["status_id"]) if payload.get("status_id") is not None else None
    ref = str(payload["ref"])
    done = {
        "order_id": quote_id,
        "answer": payload["answer"],
        "answered_at": _iso(attempt.created_at),
        "status_id": status_id,
    }
    if attempt.result.get("delivered"):
        return {**done, "delivered": True}
    quote = await read_quote(client, quote_id, attempt.contact_id, save)
    if attempt.retry or (status_id is not None and quote.status_id == status_id):
        note = await find_note(client, quote_id, marker(ref))
        if note is not None:
            save({"delivered": True, "adopted": True, "note_id": note.id})
            return {**done, "delivered": True, "adopted": True, "note_id": note.id}
    text = with_marker(str(payload["note"]), ref)
    if status_id is None:
        note_id = await client.post(
            f"order-service/order/{quote_id}/note",
            {"text": text, "isPublic": True, "addedOn": _iso(attempt.created_at)},
        )
        save({"delivered": True, "note_id": int(note_id)})
        return {**done, "delivered": True, "note_id": int(note_id)}
    seen = payload.get("seen_status_id")
    if seen is not None and quote.status_id not in (int(seen), status_id):
        save({"outcome": QUOTE_CHANGED, "changed": ["status"], "seen_status_id": quote.status_id})
        raise QuoteChanged(f"{QUOTE_CHANGED}: quote {quote_id} moved from status {seen} to {quote.status_id}")
    await client.put(
        f"order-service/order/{quote_id}/status",
        {"orderStatusId": status_id, "orderNote": {"text": text, "isPublic": True}},
    )
    save({"delivered": True, "status_changed": True})
    return {**done, "delivered": True, "status_changed": True}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
