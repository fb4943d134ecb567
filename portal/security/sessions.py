"""Server-side sessions kept in SQLite.

Why not Litestar's ServerSideSessionConfig: it adopts whatever session id the client sends
and never rotates it (session fixation, security checklist F1).  Here the server mints every
id with `secrets` at login, stores only its SHA-256, and an id it does not know is simply
ignored.  Idle and absolute lifetimes are enforced from server-side timestamps; the cookie's
own expiry is not trusted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from portal.core.db import utcnow, write_transaction
from portal.core.users import User

# last_seen_at is written at most this often, so browsing costs no write per request.
TOUCH_INTERVAL = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    user: User
    id_hash: str
    created_at: datetime


class SessionStore:
    """Create, look up and end login sessions."""

    def __init__(self, db: Database, *, idle: timedelta, absolute: timedelta) -> None:
        self.db = db
        self.idle = idle
        self.absolute = absolute

    def create(self, user_id: int, *, replaces: str | None = None, ip: str = "", user_agent: str = "") -> str:
        """Start a session for `user_id`; return the new secret token for the cookie.

        The session named by `replaces` (the visitor's previous cookie, if any) is deleted in
        the same transaction: every login gets a fresh id.
        """
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with write_transaction(self.db):
            if replaces:
                self.db.execute("delete from sessions where id_hash = ?", [_digest(replaces)])
            self.db["sessions"].insert(
                {
                    "id_hash": _digest(token),
                    "user_id": user_id,
                    "created_at": now.isoformat(),
                    "last_seen_at": now.isoformat(),
                    "expires_at": (now + self.absolute).isoformat(),
                    "ip": ip[:64],
                    "user_agent": user_agent[:300],
                }
            )
        return token

    def load(self, token: str | None) -> SessionInfo | None:
        """Return the live session for this cookie value, or None (unknown, idle or expired)."""
        if not token or len(token) > 200:
            return None
        id_hash = _digest(token)
        # Straight through sqlite3: this runs on every page, and sqlite-utils' query() wraps
        # each statement in a savepoint (three statements instead of one).
        cursor = self.db.conn.execute(
            "select s.id_hash, s.created_at, s.last_seen_at, s.expires_at, "
            "u.id, u.email, u.role, u.contact_id, u.name, u.must_change_password, u.totp_enabled_at "
            "from sessions s join users u on u.id = s.user_id "
            "where s.id_hash = ? and u.active = 1",
            [id_hash],
        )
        found = cursor.fetchone()
        if found is None:
            return None
        row = dict(zip([column[0] for column in cursor.description], found, strict=True))
        now = utcnow()
        last_seen = datetime.fromisoformat(row["last_seen_at"])
        if now >= datetime.fromisoformat(row["expires_at"]) or now - last_seen > self.idle:
            self.db.execute("delete from sessions where id_hash = ?", [id_hash])
            return None
        if now - last_seen > TOUCH_INTERVAL:
            self.db.execute(
                "update sessions set last_seen_at = ? where id_hash = ?", [now.isoformat(), id_hash]
            )
        return SessionInfo(user=User.from_row(row), id_hash=id_hash, created_at=datetime.fromisoformat(row["created_at"]))

    def end(self, token: str | None) -> None:
        """Delete the session named by this cookie value (logout)."""
        if token:
            self.db.execute("delete from sessions where id_hash = ?", [_digest(token)])

    def end_all_for(self, user_id: int) -> None:
        self.db.execute("delete from sessions where user_id = ?", [user_id])

    def purge_expired(self) -> int:
        """Delete sessions past their absolute or idle lifetime; return how many."""
        now = utcnow()
        cursor = self.db.execute(
            "delete from sessions where expires_at <= ? or last_seen_at <= ?",
            [now.isoformat(), (now - self.idle).isoformat()],
        )
        return cursor.rowcount
