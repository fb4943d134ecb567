"""Checkouts in progress: what a customer chose at each step of accepting a quote, kept in
SQLite (`checkouts`) so a checkout survives a refresh, a second tab and a restart.

A checkout begins with the idempotency key minted when its first step was rendered; the key
is unique per login, so a double click on "Continue" begins one checkout, and it is the key of
the outbox item that places the order, so a confirm sent twice (or from two tabs) places one.
`fingerprint` is the quote as the customer reviewed it (portal.domain.quote_snapshot): the
order is placed only while Brightpearl's quote still matches it.

Nothing here calls Brightpearl.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException
from sqlite_utils import Database

from portal.core.db import utcnow
from portal.core.immutable import thawed
from portal.core.users import User

TABLE = "checkouts"


def new_key() -> str:
    """A fresh idempotency key for a checkout (one per rendered review step)."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Draft:
    """One checkout of one login."""

    id: int
    user_id: int
    contact_id: int
    quote_id: int
    idem_key: str
    fingerprint: Mapping[str, Any]
    choices: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    outbox_id: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Draft:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            contact_id=row["contact_id"],
            quote_id=row["quote_id"],
            idem_key=row["idem_key"],
            fingerprint=json.loads(row["fingerprint"] or "{}"),
            choices=json.loads(row["choices"] or "{}"),
            created_at=datetime.fromisoformat(row["created_at"]) if row["created_at"] else None,
            confirmed_at=datetime.fromisoformat(row["confirmed_at"]) if row.get("confirmed_at") else None,
            outbox_id=row.get("outbox_id"),
        )

    @property
    def confirmed(self) -> bool:
        return self.outbox_id is not None

    def has(self, *names: str) -> bool:
        """True when every named choice was made (a step was completed)."""
        return all(name in self.choices for name in names)


class Drafts:
    """The checkouts of the logins of one portal."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def begin(self, user: User, quote_id: int, idem_key: str, fingerprint: Mapping[str, Any]) -> Draft:
        """The checkout begun with `idem_key` by this login: the existing one when the key was
        used already (a second click), else a new one for the quote as it was reviewed."""
        found = self._by_key(user.id, idem_key)
        if found is not None:
            return found
        now = utcnow().isoformat()
        self.db[TABLE].insert(
            {
                "user_id": user.id,
                "contact_id": user.contact_id or 0,
                "quote_id": int(quote_id),
                "idem_key": idem_key,
                "fingerprint": json.dumps(thawed(fingerprint), sort_keys=True),
                "choices": "{}",
                "created_at": now,
                "updated_at": now,
            },
            ignore=True,  # the same key from a concurrent click: the first insert stands
        )
        found = self._by_key(user.id, idem_key)
        assert found is not None
        return found

    def get(self, user: User, draft_id: int) -> Draft:
        """This login's checkout `draft_id`; anything else is the same 404 as a missing one."""
        rows = list(self.db.query(f"select * from {TABLE} where id = ? and user_id = ?", [int(draft_id), user.id]))
        if not rows or rows[0]["contact_id"] != (user.contact_id or 0):
            raise NotFoundException()
        return Draft.from_row(rows[0])

    def choose(self, draft: Draft, **choices: Any) -> Draft:
        """Record choices of one step (merged over the earlier ones); refused once confirmed."""
        merged = {**draft.choices, **choices}
        self.db.execute(
            f"update {TABLE} set choices = ?, updated_at = ? where id = ? and outbox_id is null",
            [json.dumps(thawed(merged), sort_keys=True), utcnow().isoformat(), draft.id],
        )
        return self.reload(draft)

    def confirmed(self, draft: Draft, outbox_id: int) -> None:
        """Mark the checkout confirmed, placed by outbox item `outbox_id` (in the caller's
        transaction: the outbox's `audit` callback, so both are committed together)."""
        self.db.execute(
            f"update {TABLE} set outbox_id = ?, confirmed_at = ?, updated_at = ? where id = ? and outbox_id is null",
            [outbox_id, utcnow().isoformat(), utcnow().isoformat(), draft.id],
        )

    def again(self, draft: Draft, fingerprint: Mapping[str, Any]) -> Draft:
        """After Brightpearl refused the order because the quote had changed: the checkout is
        open again for the quote as it is now, with a new key (the refused item keeps the old)."""
        self.db.execute(
            f"update {TABLE} set idem_key = ?, fingerprint = ?, outbox_id = null, confirmed_at = null, "
            "updated_at = ? where id = ?",
            [new_key(), json.dumps(thawed(fingerprint), sort_keys=True), utcnow().isoformat(), draft.id],
        )
        return self.reload(draft)

    def review_again(self, draft: Draft, fingerprint: Mapping[str, Any]) -> Draft:
        """The quote changed before confirming: the checkout now stands for it as it is now."""
        self.db.execute(
            f"update {TABLE} set fingerprint = ?, updated_at = ? where id = ? and outbox_id is null",
            [json.dumps(thawed(fingerprint), sort_keys=True), utcnow().isoformat(), draft.id],
        )
        return self.reload(draft)

    def reload(self, draft: Draft) -> Draft:
        rows = list(self.db.query(f"select * from {TABLE} where id = ?", [draft.id]))
        return Draft.from_row(rows[0])

    def placed_for(self, user: User, quote_id: int) -> Draft | None:
        """The newest confirmed checkout of this quote by this login, or None."""
        rows = list(
            self.db.query(
                f"select * from {TABLE} where user_id = ? and quote_id = ? and outbox_id is not null order by id desc limit 1",
                [user.id, int(quote_id)],
            )
        )
        return Draft.from_row(rows[0]) if rows else None

    def _by_key(self, user_id: int, idem_key: str) -> Draft | None:
        rows = list(self.db.query(f"select * from {TABLE} where user_id = ? and idem_key = ?", [user_id, idem_key]))
        return Draft.from_row(rows[0]) if rows else None
