"""How each kind of outbox write is delivered to Brightpearl, exactly once.

Every handler receives an `Attempt` (portal.outbox) and returns what to remember (the ids
Brightpearl gave).  When `attempt.retry` is true an earlier attempt was sent and its outcome
may be unknown, so the handler first looks in Brightpearl for the write and adopts it when it
is there.  Handlers are registered in `HANDLERS` by outbox kind.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from portal.brightpearl.address_writes import POSTAL_ADDRESS, deliver_postal_address
from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.models import OrderNote

ORDER_NOTE = "order_note"

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


async def post_order_note(client: BrightpearlClient, attempt, save) -> dict:
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


HANDLERS = {ORDER_NOTE: post_order_note, POSTAL_ADDRESS: deliver_postal_address}


