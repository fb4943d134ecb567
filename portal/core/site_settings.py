"""Settings an admin changes while the portal runs, kept in SQLite's `settings` table.

Each row is a key and a JSON value. The environment (`portal.core.settings.Settings`) holds what is
fixed at start-up; this store holds what is edited from the CLI or admin pages, such as the
carrier tracking URL patterns (`portal.core.tracking`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from portal.core.db import now_iso, write_transaction

log = logging.getLogger("portal.core.settings")


class SiteSettings:
    """Key -> JSON value over the `settings` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or `default` when the key is absent or its JSON is unreadable."""
        rows = list(self.db.query("select value from settings where key = ?", [key]))
        if not rows:
            return default
        try:
            return json.loads(rows[0]["value"])
        except (TypeError, ValueError):
            # A hand-edited row must not take pages down: report it and behave as if unset.
            log.warning("setting %r holds unreadable JSON; ignoring it", key)
            return default

    def set(self, key: str, value: Any) -> None:
        """Store `value` (anything JSON can hold) under `key`, replacing an older value."""
        with write_transaction(self.db):
            self._write(key, value)

    def update(self, key: str, change: Callable[[Any], Any], default: Any = None) -> Any:
        """Read, change and store one value in a single write transaction, so two admins
        editing at once never lose each other's change. `change(current)` gets the value (or
        `default`) and returns the new one; that new value is returned."""
        with write_transaction(self.db):
            value = change(self.get(key, default))
            self._write(key, value)
        return value

    def set_default(self, key: str, value: Any) -> bool:
        """Store `value` only when `key` has no row yet; True when it was stored."""
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        with write_transaction(self.db):
            cursor = self.db.execute(
                "insert into settings (key, value, updated_at) values (?, ?, ?) on conflict(key) do nothing",
                [key, text, now_iso()],
            )
        return cursor.rowcount == 1

    def _write(self, key: str, value: Any) -> None:
        self.db.execute(
            "insert into settings (key, value, updated_at) values (?, ?, ?) "
            "on conflict(key) do update set value = excluded.value, updated_at = excluded.updated_at",
            [key, json.dumps(value, sort_keys=True, ensure_ascii=False), now_iso()],
        )

    def delete(self, key: str) -> None:
        """Remove `key` (nothing happens when it is absent)."""
        with write_transaction(self.db):
            self.db.execute("delete from settings where key = ?", [key])
