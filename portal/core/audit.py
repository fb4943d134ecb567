"""The append-only audit log: who did what, when, from where, and how it ended."""

from __future__ import annotations

import json

from sqlite_utils import Database

from portal.core.db import now_iso


class Audit:
    """Writes rows to the `audit` table (triggers forbid UPDATE and DELETE)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        action: str,
        *,
        outcome: str = "ok",
        actor_user_id: int | None = None,
        actor_email: str = "",
        ip: str = "",
        target: str = "",
        detail: dict | None = None,
    ) -> None:
        """Append one audit row.  Never pass passwords, tokens or session ids in `detail`."""
        self.db["audit"].insert(
            {
                "at": now_iso(),
                "actor_user_id": actor_user_id,
                "actor_email": actor_email[:320],
                "ip": ip[:64],
                "action": action,
                "target": target[:200],
                "outcome": outcome,
                "detail": json.dumps(detail or {}, default=str)[:2000],
            }
        )

    def latest(self, limit: int = 50) -> list[dict]:
        return list(self.db.query("select * from audit order by id desc limit ?", [limit]))
