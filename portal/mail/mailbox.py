"""The local mailbox: where messages land when no SMTP server is configured (the demo, a fresh
install), kept in SQLite's `mailbox` table and read on /admin/mailbox.

A message is stored once per Message-ID (insert or ignore), so a delivery that is attempted
again, after its first attempt stored it, stores nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlite_utils import Database

from portal.core.db import now_iso, write_transaction


@dataclass(frozen=True)
class MailboxEntry:
    """One kept message."""

    id: int
    outbox_id: int | None
    message_id: str
    sender: str
    recipients: str
    subject: str
    text: str
    html: str
    headers: tuple[tuple[str, str], ...]
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict) -> MailboxEntry:
        return cls(
            id=row["id"],
            outbox_id=row["outbox_id"],
            message_id=row["message_id"],
            sender=row["sender"] or "",
            recipients=row["recipients"],
            subject=row["subject"],
            text=row["text"] or "",
            html=row["html"] or "",
            headers=tuple((name, value) for name, value in json.loads(row["headers"] or "[]")),
            created_at=datetime.fromisoformat(row["created_at"]),
        )


class Mailbox:
    """The mailbox table: keep a message, list them newest first, read one."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def keep(self, message: EmailMessage, *, outbox_id: int | None) -> bool:
        """Store `message` (its headers, plain text and HTML); False when a message with its
        Message-ID is already here."""
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        with write_transaction(self.db):
            cursor = self.db.execute(
                "insert or ignore into mailbox (outbox_id, message_id, sender, recipients, subject, text, html, "
                "headers, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    outbox_id,
                    message["Message-ID"],
                    message["From"],
                    message["To"],
                    message["Subject"],
                    text.get_content() if text else "",
                    html.get_content() if html else "",
                    json.dumps([[name, str(value)] for name, value in message.items()]),
                    now_iso(),
                ],
            )
        return cursor.rowcount == 1

    def count(self) -> int:
        return next(iter(self.db.query("select count(*) as n from mailbox")))["n"]

    def newest(self, *, offset: int, limit: int) -> list[MailboxEntry]:
        """Messages newest first, `limit` of them after the first `offset`."""
        rows = self.db.query("select * from mailbox order by id desc limit ? offset ?", [limit, offset])
        return [MailboxEntry.from_row(row) for row in rows]

    def get(self, entry_id: int) -> MailboxEntry | None:
        """The message with this id, or None."""
        rows = list(self.db.query("select * from mailbox where id = ?", [entry_id]))
        return MailboxEntry.from_row(rows[0]) if rows else None
