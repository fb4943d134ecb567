"""A customer's comment, delivered as a public note on the Brightpearl order, exactly once
(write kind `order_note`; payload: {"author", "text"}, target: the order id)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from ..client import BrightpearlClient
from ..models import OrderNote
from .attempt import WriteAttempt

KIND = "order_note"

# Customers' comments are posted by the portal's staff token, so Brightpearl records the staff
# member as the author; the customer's name goes into the text, in a form we can read back.
_ATTRIBUTION = re.compile(r"^(?P<author>[^\n]{1,120}?) \(via portal\): (?P<text>.*)$", re.S)


def attributed(author: str, text: str) -> str:
    """The note text as stored in Brightpearl: `Alice Harper (via portal): …`."""
    return f"{author} (via portal): {text}"


def split_attribution(text: str) -> tuple[str | None, str]:
    """Return (portal author or None, text without the attribution) of a note's text."""
    found = _ATTRIBUTION.match(text or "")
    if not found:
        return None, text
    return found["author"], found["text"]


async def deliver(client: BrightpearlClient, attempt: WriteAttempt, save: Callable[[dict], None]) -> dict:
    """Add the customer's comment as a public note on the order.

    The note's `addedOn` is the moment the customer pressed Send (the outbox row's time), which
    with the text makes the note recognisable: a retry after a lost response finds it instead
    of adding it twice.
    """
    order_id = attempt.target_id
    text = attributed(attempt.payload["author"], attempt.payload["text"])
    added_on = attempt.created_at
    if attempt.retry:
        existing = await client.get(f"order-service/order/{order_id}/note")
        for raw in existing or []:
            note = OrderNote.from_wire(raw, order_id=order_id)
            if note.text == text and _same_moment(note.added_on, added_on):
                return {"note_id": note.id, "adopted": True}
    note_id = await client.post(
        f"order-service/order/{order_id}/note",
        {"text": text, "isPublic": True, "addedOn": added_on.isoformat(timespec="seconds")},
    )
    return {"note_id": int(note_id)}


def _same_moment(seen: datetime | None, sent: datetime) -> bool:
    if seen is None:
        return False
    return abs(seen - sent) <= timedelta(seconds=1)


def payload(author: str, text: str) -> dict[str, str]:
    """The outbox payload of a comment by `author`."""
    return {"author": author, "text": text}
