"""SQLite: the connection helper, PRAGMAs, migrations and write transactions.

The portal keeps in SQLite only what Brightpearl has no place for (DESIGN §1): logins,
sessions, settings, audit and the outbox of writes.  The web process opens one connection at
start-up and uses it from the event loop only (queries here are sub-millisecond; argon2 and
reports run in threads without touching the connection), so no two requests ever share a
transaction.  Every write transaction starts with BEGIN IMMEDIATE so a read-then-write waits
for the lock instead of failing with "database is locked" (security checklist F11).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 5000

migrations = Migrations("portal")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 text (how the portal stores times)."""
    return utcnow().isoformat(timespec="seconds")


def connect(path: Path | str) -> Database:
    """Open the database with the portal's PRAGMAs and return a sqlite-utils Database.

    `isolation_level=None` turns off sqlite3's implicit deferred BEGIN: transactions are
    explicit (`write_transaction`), everything else autocommits.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    # FULL: an outbox row or an audit row that was acknowledged to a customer survives an OS crash.
    conn.execute("PRAGMA synchronous = FULL")
    return Database(conn)


def open_database(path: Path | str) -> Database:
    """Connect and bring the schema up to date; return the ready Database."""
    db = connect(path)
    migrations.apply(db)
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run the block in one BEGIN IMMEDIATE transaction; commit on success, roll back on error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


# --- migrations ---------------------------------------------------------------------------
# Append new migrations at the end; never edit one that has shipped.


@migrations()
def m001_users_and_sessions(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "email": str,
            "password_hash": str,
            "role": str,
            "contact_id": int,
            "name": str,
            "active": int,
            "created_at": str,
            "updated_at": str,
            "last_login_at": str,
        },
        pk="id",
        not_null={"email", "password_hash", "role", "active", "created_at", "updated_at"},
        defaults={"active": 1, "name": ""},
    )
    db["users"].create_index(["email"], unique=True)
    db["sessions"].create(
        {
            "id_hash": str,
            "user_id": int,
            "created_at": str,
            "last_seen_at": str,
            "expires_at": str,
            "ip": str,
            "user_agent": str,
        },
        pk="id_hash",
        not_null={"user_id", "created_at", "last_seen_at", "expires_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["sessions"].create_index(["user_id"])


@migrations()
def m002_settings_and_audit(db: Database) -> None:
    db["settings"].create({"key": str, "value": str, "updated_at": str}, pk="key", not_null={"value"})
    db["audit"].create(
        {
            "id": int,
            "at": str,
            "actor_user_id": int,
            "actor_email": str,
            "ip": str,
            "action": str,
            "target": str,
            "outcome": str,
            "detail": str,
        },
        pk="id",
        not_null={"at", "action", "outcome"},
    )
    db["audit"].create_index(["at"])
    # The audit log is append-only: history cannot be rewritten from inside the app.
    db.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
    )


@migrations()
def m003_outbox(db: Database) -> None:
    db["outbox"].create(
        {
            "id": int,
            "user_id": int,
            "contact_id": int,
            "kind": str,
            "idem_key": str,
            "target_id": int,
            "payload": str,
            "state": str,
            "attempts": int,
            "next_attempt_at": str,
            "lease_until": str,
            "result": str,
            "last_error": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"kind", "idem_key", "payload", "state", "attempts", "created_at", "updated_at"},
        defaults={"state": "pending", "attempts": 0},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["outbox"].create_index(["user_id", "idem_key"], unique=True)
    db["outbox"].create_index(["state", "next_attempt_at"])
    db["outbox"].create_index(["kind", "target_id"])
