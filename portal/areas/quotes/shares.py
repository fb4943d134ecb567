"""Sharing a quote by mail: a signed, expiring, view-only link a colleague opens without an
account, as often as they like, until it expires (14 days, `LIFETIMES["quote-share"]`) or a
login of the customer revokes it on the quote page.

Each link is a "quote-share" token (portal.security.tokens) about the quote and the contact,
with a row in `quote_shares` (who shared it with whom, when it ends, how often it was opened);
revoking voids the token, so a revoked link fails its check like a used one. Opening a link
checks it (never uses it up) and records `quote_share_opened` with the visitor's IP.

Audit: `quote_shared` (with the mail, in one transaction), `quote_share_revoked`,
`quote_share_opened`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar.exceptions import NotFoundException
from sqlite_utils import Database

from portal.core.audit import Audit
from portal.core.db import utcnow, write_transaction
from portal.core.users import EMAIL, User, normalise_email
from portal.domain.quotes import Quote
from portal.mail import Mail
from portal.security.tokens import LIFETIMES, TokenClaim, TokenExpired, TokenInvalid, Tokens, TokenUsed

PURPOSE = "quote-share"
MAX_MESSAGE = 1000
MAX_EMAIL = 320
MAX_IDEM_KEY = 64
# Links standing at once for one quote: enough for a team, not a mailing list.
MAX_ACTIVE = 20
# Links one login may send in an hour: the mail goes out in the merchant's name to any address.
MAX_PER_HOUR = 10


def share_path(token: str) -> str:
    """The path of a share link (the `quote_shared` route)."""
    return f"/shared/{token}"


def new_key() -> str:
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class ShareForm:
    """The share form as typed, with its errors by field."""

    email: str = ""
    message: str = ""
    idem_key: str = ""
    errors: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Share:
    """One link sent, as the quote page lists it."""

    id: int
    email: str
    shared_by: str
    created_at: datetime
    expires_at: datetime
    opened: int
    last_opened_at: datetime | None


@dataclass(frozen=True)
class OpenedShare:
    """A valid link: whose quote it shows."""

    id: int
    order_id: int
    contact_id: int
    email: str


class ShareRefused(Exception):
    """A link that shows nothing: `reason` is expired, revoked or invalid."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_share(form: Mapping[str, Any]) -> ShareForm:
    """The form's fields, checked: one email address, a message of at most MAX_MESSAGE characters."""
    email = str(form.get("email", "")).strip()[: MAX_EMAIL * 2]
    message = str(form.get("message", "")).replace("\r\n", "\n").strip()[: MAX_MESSAGE * 4]
    idem_key = str(form.get("idem_key", ""))[:MAX_IDEM_KEY] or new_key()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your colleague's email address."
    elif len(email) > MAX_EMAIL or not EMAIL.match(normalise_email(email)):
        errors["email"] = "Enter an email address like name@example.com."
    if len(message) > MAX_MESSAGE:
        errors["message"] = f"Keep the message to {MAX_MESSAGE} characters (it has {len(message)})."
    return ShareForm(email=email, message=message, idem_key=idem_key, errors=errors)


@dataclass
class QuoteShares:
    """The share links of the user's quotes."""

    db: Database
    tokens: Tokens
    mail: Mail
    audit: Audit
    user: User

    def active(self, order_id: int) -> list[Share]:
        """The links of this quote of the user's contact that still work, newest first."""
        rows = self.db.query(
            "select s.*, coalesce(nullif(u.name, ''), u.email, '') as shared_by from quote_shares s"
            " left join users u on u.id = s.user_id"
            " where s.contact_id = ? and s.order_id = ? and s.revoked_at is null and s.expires_at > ?"
            " order by s.id desc",
            [self.user.contact_id, order_id, utcnow().isoformat()],
        )
        return [
            Share(
                id=row["id"],
                email=row["email"],
                shared_by=row["shared_by"] or "",
                created_at=datetime.fromisoformat(row["created_at"]),
                expires_at=datetime.fromisoformat(row["expires_at"]),
                opened=row["opened"] or 0,
                last_opened_at=datetime.fromisoformat(row["last_opened_at"]) if row["last_opened_at"] else None,
            )
            for row in rows
        ]

    def share(self, quote: Quote, form: ShareForm, *, ip: str) -> ShareForm:
        """Mail `form.email` a link to `quote` (once per form: a second submission of the same
        form sends nothing more); returns the form with an error when too many links stand."""
        order_id = quote.order.id
        if self._by_key(form.idem_key) is not None:
            return form
        if len(self.active(order_id)) >= MAX_ACTIVE:
            return ShareForm(form.email, form.message, form.idem_key,
                             {"email": f"This quote has {MAX_ACTIVE} links already: revoke one first."})
        if self._sent_in_the_last_hour() >= MAX_PER_HOUR:
            return ShareForm(form.email, form.message, form.idem_key,
                             {"email": f"You have shared {MAX_PER_HOUR} quotes in the last hour: please wait a while."})
        email = normalise_email(form.email)
        token = self.tokens.mint(PURPOSE, f"{order_id}:{self.user.contact_id}")
        claim = self.tokens.check(PURPOSE, token)
        now = utcnow()
        with write_transaction(self.db):
            share_id = self.db["quote_shares"].insert(
                {
                    "nonce": claim.nonce,
                    "order_id": order_id,
                    "contact_id": self.user.contact_id,
                    "user_id": self.user.id,
                    "email": email,
                    "idem_key": f"{self.user.id}:{form.idem_key}",
                    "created_at": now.isoformat(),
                    "expires_at": (now + LIFETIMES[PURPOSE]).isoformat(),
                }
            ).last_pk
        self.mail.submit(
            to=email,
            template="quote_shared",
            context={
                "sender": self.user.display_name,
                "quote_number": quote.number,
                "reference": quote.order.reference.strip(),
                "message": form.message,
                "share_path": share_path(token),
                "expires_on": now + LIFETIMES[PURPOSE],
                "valid_until": quote.valid_until,
                "expired": quote.expired,
            },
            key=f"quote-share:{claim.nonce}",
            user_id=self.user.id,
            audit=lambda: self.audit.record(
                "quote_shared", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                target=f"order:{order_id}", detail={"share": share_id, "to": email, "with_message": bool(form.message)},
            ),
        )
        return form

    def revoke(self, order_id: int, share_id: int, *, ip: str) -> None:
        """End the link `share_id` of this quote of the user's contact; another contact's (or a
        missing) link is a 404."""
        rows = list(self.db.query(
            "select * from quote_shares where id = ? and order_id = ? and contact_id = ?",
            [share_id, order_id, self.user.contact_id],
        ))
        if not rows:
            raise NotFoundException()
        row = rows[0]
        if row["revoked_at"]:
            return
        self.tokens.revoke(PURPOSE, row["nonce"])
        with write_transaction(self.db):
            self.db["quote_shares"].update(row["id"], {"revoked_at": utcnow().isoformat()})
            self.audit.record("quote_share_revoked", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                              target=f"order:{order_id}", detail={"share": row["id"], "to": row["email"]})

    def _sent_in_the_last_hour(self) -> int:
        since = (utcnow() - timedelta(hours=1)).isoformat()
        rows = self.db.query("select count(*) as n from quote_shares where user_id = ? and created_at > ?",
                             [self.user.id, since])
        return next(iter(rows))["n"]

    def _by_key(self, idem_key: str) -> dict | None:
        rows = list(self.db.query("select * from quote_shares where idem_key = ?", [f"{self.user.id}:{idem_key}"]))
        return rows[0] if rows else None


@dataclass
class SharedLinks:
    """Share links as a visitor opens them."""

    db: Database
    tokens: Tokens
    audit: Audit

    def open(self, token: str, *, ip: str) -> OpenedShare:
        """The share `token` names, recorded as opened; ShareRefused when it shows nothing."""
        try:
            claim = self.tokens.check(PURPOSE, token)
        except TokenExpired:
            raise ShareRefused("expired") from None
        except TokenUsed:
            raise ShareRefused("revoked") from None
        except TokenInvalid:
            raise ShareRefused("invalid") from None
        row = self._row(claim)
        if row is None:
            raise ShareRefused("invalid")
        if row["revoked_at"]:
            raise ShareRefused("revoked")
        with write_transaction(self.db):
            now = utcnow().isoformat()
            self.db.execute("update quote_shares set opened = opened + 1, last_opened_at = ? where id = ?", [now, row["id"]])
            self.audit.record("quote_share_opened", ip=ip, target=f"order:{row['order_id']}",
                              detail={"share": row["id"], "to": row["email"]})
        return OpenedShare(id=row["id"], order_id=row["order_id"], contact_id=row["contact_id"], email=row["email"])

    def _row(self, claim: TokenClaim) -> dict | None:
        rows = list(self.db.query("select * from quote_shares where nonce = ?", [claim.nonce]))
        if not rows:
            return None
        row = rows[0]
        return row if claim.subject == f"{row['order_id']}:{row['contact_id']}" else None
