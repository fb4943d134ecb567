"""Comments on an order: the public thread, and a customer adding to it.

A comment becomes a public note on the Brightpearl order, delivered through the outbox: it is
committed locally first and shown as "sending" until Brightpearl has it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order, OrderNote
from portal.brightpearl.writes import order_note
from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.users import User
from portal.outbox.queue import Outbox, OutboxConflict, OutboxItem
from portal.web.parts import PageParts

MAX_COMMENT = 2000
# A person types a handful of comments a minute at most; more is a script or a stuck key.
MAX_PER_MINUTE = 6
MAX_IDEM_KEY = 64
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Comment:
    """One entry of the thread as the customer sees it."""

    author: str
    text: str
    at: datetime | None
    state: str = "done"  # done | sending | waiting | failed (OutboxItem.progress)
    mine: bool = False


def clean_comment(raw: str) -> tuple[str, str | None]:
    """Return (text, error): trimmed text without control characters, or why it is refused."""
    text = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if not text:
        return text, "Write a comment before sending it."
    if len(text) > MAX_COMMENT:
        return text, f"Keep comments to {MAX_COMMENT:,} characters (this one has {len(text):,})."
    return text, None


def form_context(text: str = "", error: str | None = None) -> dict:
    """A fresh comment form: the idempotency key makes a double submit one comment."""
    return {
        "comment_text": text,
        "comment_error": error,
        "idem_key": secrets.token_urlsafe(16),
        "max_comment": MAX_COMMENT,
    }


@dataclass
class Comments:
    """The comment thread of the user's orders, and adding to it."""

    bp: Brightpearl
    outbox: Outbox
    audit: Audit
    settings: Settings  # the merchant's own notes are signed with the site name
    user: User

    def thread(self, order: Order, notes: Iterable[OrderNote]) -> list[Comment]:
        """The public notes of the order, oldest first, followed by the customer's comments
        that Brightpearl does not have yet.

        Who wrote a note: a portal comment carries its author in the text; a note filed against
        the order's own contact is the customer's (typed in by staff or Brightpearl's own
        portal); anything else is the merchant's.
        """
        customer = (order.party.full_name if order.party else "") or self.user.display_name
        shown: list[Comment] = []
        public = sorted((n for n in notes if n.is_public), key=lambda n: (n.added_on is None, n.added_on, n.id))
        for note in public:
            author, text = order_note.split_attribution(note.text)
            if author is None and note.contact_id and note.contact_id == order.party_contact_id:
                author = customer
            merchant = self.settings.site_name
            shown.append(Comment(author=author or merchant, text=text, at=note.added_on, mine=author is not None))
        pending = self.outbox.open_items(kind=order_note.KIND, contact_id=self.user.contact_id, target_id=order.id)
        shown.extend(_on_its_way(item) for item in pending)
        return shown

    async def notes(self, order_id: int, parts: PageParts) -> tuple[OrderNote, ...]:
        """The order's notes, or () with a note in `parts` when Brightpearl cannot give them now:
        the customer's own comments are safe in the outbox and still shown, not an error page."""
        return await parts.read("comments", self.bp.orders.notes(order_id), ())

    async def add(self, order: Order, raw_text: str, idem_key: str) -> tuple[str, str | None]:
        """Queue the user's comment on `order` and try to deliver it at once; return (the text
        as cleaned, the error to show beside the field or None)."""
        text, error = clean_comment(raw_text[: MAX_COMMENT * 4])
        idem_key = idem_key[:MAX_IDEM_KEY] or secrets.token_urlsafe(16)
        user = self.user
        if error is None and self.outbox.submitted_since(
            user_id=user.id, kind=order_note.KIND, since=timedelta(minutes=1)
        ) >= MAX_PER_MINUTE:
            error = "You have sent several comments in the last minute. Please wait a moment."
        if error is not None:
            return text, error
        try:
            item = self.outbox.submit(
                user_id=user.id,
                contact_id=user.contact_id,
                kind=order_note.KIND,
                idem_key=idem_key,
                target_id=order.id,
                payload=order_note.payload(user.display_name, text),
                audit=lambda: self.audit.record(
                    "comment.add", actor_user_id=user.id, actor_email=user.email, target=f"order:{order.id}"
                ),
            )
        except OutboxConflict:
            return text, "This form was already sent. Reload the page to write another comment."
        await self.outbox.deliver_now(item)
        return text, None


def _on_its_way(item: OutboxItem) -> Comment:
    return Comment(
        author=item.payload["author"], text=item.payload["text"], at=item.created_at, state=item.progress, mine=True
    )
