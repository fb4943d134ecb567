"""Signed, single-use, expiring tokens for links sent by mail (reset, verification, setup), and
signed expiring revocable ones (a shared quote: `check` on each visit, `revoke` to end it).

Each token is an itsdangerous `URLSafeTimedSerializer` dump signed with HMAC-SHA256 (its
default is SHA-1, security checklist F5/REC-02), salted with its **purpose**, so a token made for
one purpose never loads for another. It carries a random nonce that has a row in the `tokens`
table; `use()` stamps that row once, so a token works once, and `void()` ends every unused
token of one purpose and subject (a password change ends the reset links sent before it).

The secret is given as a list, oldest first: tokens signed with an older key still load while
it is listed (key rotation), new ones are signed with the newest.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlite_utils import Database

from portal.core.db import utcnow, write_transaction

# Purposes and how long their links live.
LIFETIMES: dict[str, timedelta] = {
    "password-reset": timedelta(minutes=60),
    "register": timedelta(hours=24),
    "first-admin": timedelta(minutes=60),
    "login-two-factor": timedelta(minutes=5),
    # A quote shared with a colleague by mail: view-only, opened as often as wanted (`check`,
    # never `use`) until it expires or the customer withdraws it (`revoke`).
    "quote-share": timedelta(days=14),
}
MAX_TOKEN_LENGTH = 400


class TokenInvalid(Exception):
    """The token is not one we issued for this purpose, or it was tampered with."""


class TokenExpired(TokenInvalid):
    """The token was ours, but its lifetime has passed."""


class TokenUsed(TokenInvalid):
    """The token was ours and is still in date, but it was used (or voided) already."""


@dataclass(frozen=True)
class TokenClaim:
    """What a valid token says: for what, about whom (a user or registration id as text)."""

    purpose: str
    subject: str
    nonce: str


class Tokens:
    """Mint, check and use signed single-use tokens."""

    def __init__(self, db: Database, secret_keys: str | Sequence[str]) -> None:
        self.db = db
        self._keys = [secret_keys] if isinstance(secret_keys, str) else list(secret_keys)
        if not self._keys or not all(self._keys):
            raise ValueError("Tokens needs at least one secret key")

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        if purpose not in LIFETIMES:
            raise ValueError(f"unknown token purpose {purpose!r}")
        return URLSafeTimedSerializer(
            self._keys, salt=f"portal/{purpose}", signer_kwargs={"digest_method": hashlib.sha256}
        )

    def mint(self, purpose: str, subject: str | int) -> str:
        """A new token for `purpose` about `subject`, valid for the purpose's lifetime, once."""
        nonce = secrets.token_urlsafe(16)
        now = utcnow()
        with write_transaction(self.db):
            self.db["tokens"].insert(
                {
                    "nonce": nonce,
                    "purpose": purpose,
                    "subject": str(subject),
                    "created_at": now.isoformat(),
                    "expires_at": (now + LIFETIMES[purpose]).isoformat(),
                }
            )
        return self._serializer(purpose).dumps({"s": str(subject), "n": nonce})

    def check(self, purpose: str, token: str) -> TokenClaim:
        """What `token` says, when it is valid for `purpose` and unused; it stays unused.
        Raises TokenInvalid, TokenExpired or TokenUsed."""
        claim = self._load(purpose, token)
        row = self._row(claim.nonce)
        if row is None or row["purpose"] != purpose or row["subject"] != claim.subject:
            raise TokenInvalid()
        if row["used_at"]:
            raise TokenUsed()
        return claim

    def use(self, purpose: str, token: str) -> TokenClaim:
        """Check `token` and mark it used, in one transaction: of two requests with the same
        token only one gets the claim. Raises like `check`."""
        claim = self._load(purpose, token)
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update tokens set used_at = ? where nonce = ? and purpose = ? and subject = ? and used_at is null",
                [utcnow().isoformat(), claim.nonce, purpose, claim.subject],
            )
            if cursor.rowcount != 1:
                raise TokenUsed() if self._row(claim.nonce) else TokenInvalid()
        return claim

    def void(self, purpose: str, subject: str | int) -> int:
        """End every unused token of `purpose` about `subject`; return how many."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update tokens set used_at = ? where purpose = ? and subject = ? and used_at is null",
                [utcnow().isoformat(), purpose, str(subject)],
            )
        return cursor.rowcount

    def revoke(self, purpose: str, nonce: str) -> bool:
        """End the one token of `purpose` with this nonce (a share link withdrawn); True when it
        was still unused."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update tokens set used_at = ? where nonce = ? and purpose = ? and used_at is null",
                [utcnow().isoformat(), nonce, purpose],
            )
        return cursor.rowcount == 1

    def purge_expired(self) -> int:
        """Delete the rows of tokens past their lifetime (they can no longer load anyway)."""
        with write_transaction(self.db):
            cursor = self.db.execute("delete from tokens where expires_at < ?", [utcnow().isoformat()])
        return cursor.rowcount

    def _load(self, purpose: str, token: str) -> TokenClaim:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenInvalid()
        max_age = int(LIFETIMES[purpose].total_seconds())
        try:
            data = self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired:
            raise TokenExpired() from None
        except BadSignature:
            raise TokenInvalid() from None
        if not isinstance(data, dict) or not isinstance(data.get("s"), str) or not isinstance(data.get("n"), str):
            raise TokenInvalid()
        return TokenClaim(purpose=purpose, subject=data["s"], nonce=data["n"])

    def _row(self, nonce: str) -> dict | None:
        rows = list(self.db.query("select * from tokens where nonce = ?", [nonce]))
        return rows[0] if rows else None
