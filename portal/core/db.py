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

from portal.core.migrations import upgrade

BUSY_TIMEOUT_MS = 5000


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
    """Connect and bring the schema up to date; return the ready Database.

    Raises migrations.SchemaTooNew (the connection closed) when a newer release made the file.
    """
    db = connect(path)
    try:
        upgrade(db)
    except BaseException:
        db.close()
        raise
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
