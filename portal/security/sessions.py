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
    """A live session. `user` is the login that signed in; `viewing_as` the customer login an
    admin's session shows the portal as (read-only, portal.security.viewing_as), else None.
    `viewing_ended`: the id of a customer login this session was viewing until this lookup
    found it could no longer be viewed (deactivated, no longer a customer with a contact)."""

    user: User
    id_hash: str
    created_at: datetime
    viewing_as: User | None = None
    viewing_ended: int | None = None


def _viewable(row: dict) -> bool:
    """True when an admin's session may show the portal as the login of `row` (prefixed v_)."""
    return bool(row["role"] == "admin" and row["v_id"] and row["v_active"] and row["v_role"] == "customer" and row["v_contact_id"])


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
            "select s.id_hash, s.created_at, s.last_seen_at, s.expires_at, s.viewing_as_user_id, "
            "u.id, u.email, u.role, u.contact_id, u.name, u.must_change_password, u.totp_enabled_at, "
            "v.id as v_id, v.email as v_email, v.role as v_role, v.contact_id as v_contact_id, v.name as v_name, "
            "v.active as v_active, v.must_change_password as v_must_change_password, v.totp_enabled_at as v_totp_enabled_at "
            "from sessions s join users u on u.id = s.user_id left join users v on v.id = s.viewing_as_user_id "
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
        viewing_as, viewing_ended = None, None
        if row["viewing_as_user_id"] is not None:
            if _viewable(row):
                viewing_as = User.from_row({key[2:]: value for key, value in row.items() if key.startswith("v_")})
            else:
                viewing_ended = row["viewing_as_user_id"]
                self.db.execute("update sessions set viewing_as_user_id = null where id_hash = ?", [id_hash])
        return SessionInfo(
            user=User.from_row(row),
            id_hash=id_hash,
            created_at=datetime.fromisoformat(row["created_at"]),
            viewing_as=viewing_as,
            viewing_ended=viewing_ended,
        )

    def start_viewing(self, token: str, user_id: int) -> None:
        """Make the session of cookie value `token` show the portal as login `user_id` (the
        caller has checked that an admin may view it; `load` checks again on every request)."""
        self.db.execute("update sessions set viewing_as_user_id = ? where id_hash = ?", [user_id, _digest(token)])

    def stop_viewing(self, token: str | None) -> int | None:
        """End viewing in the session of `token`; return the login it was viewing, or None."""
        if not token:
            return None
        id_hash = _digest(token)
        with write_transaction(self.db):
            rows = list(self.db.query("select viewing_as_user_id from sessions where id_hash = ?", [id_hash]))
            if not rows or rows[0]["viewing_as_user_id"] is None:
                return None
            self.db.execute("update sessions set viewing_as_user_id = null where id_hash = ?", [id_hash])
        return rows[0]["viewing_as_user_id"]

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
