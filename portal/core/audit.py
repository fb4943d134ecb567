"""The append-only audit log: who did what, when, from where, and how it ended.

`record` appends a row; `page`, `batch`, `actions` and `outcomes` read them back for the
admin's audit log (/admin/audit), newest first, filtered by actor, action, outcome and time,
paged by id (keyset: a page costs the same however deep it is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

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

    # --- reading it back --------------------------------------------------------------------
    def page(self, query: AuditQuery, *, before: int | None = None, after: int | None = None,
             size: int = 50) -> AuditPage:
        """One page of the rows `query` matches, newest first: the `size` rows older than id
        `before`, or newer than id `after` (the newest when neither is given)."""
        where, params = query.where()
        if after is not None:
            sql = f"select * from audit where {where} and id > ? order by id asc limit ?"
            found = list(self.db.query(sql, [*params, after, size + 1]))
            newer = len(found) > size
            rows = list(reversed(found[:size]))
            older = bool(rows) and self._exists(where, params, "id < ?", rows[-1]["id"])
            if not rows:  # nothing newer: show the newest page instead
                return self.page(query, size=size)
            return AuditPage(rows=rows, newer=newer, older=older)
        bound = [] if before is None else [before]
        sql = f"select * from audit where {where}{' and id < ?' if before is not None else ''} order by id desc limit ?"
        found = list(self.db.query(sql, [*params, *bound, size + 1]))
        rows = found[:size]
        newer = before is not None and bool(rows) and self._exists(where, params, "id > ?", rows[0]["id"])
        return AuditPage(rows=rows, newer=newer, older=len(found) > size)

    def batch(self, query: AuditQuery, *, before: int | None = None, limit: int = 500) -> list[dict]:
        """Up to `limit` rows `query` matches older than id `before` (all when None), newest
        first: the CSV export reads the log in such batches, none held open between them."""
        where, params = query.where()
        bound = [] if before is None else [before]
        sql = f"select * from audit where {where}{' and id < ?' if before is not None else ''} order by id desc limit ?"
        return list(self.db.query(sql, [*params, *bound, limit]))

    def actions(self) -> list[str]:
        """The distinct actions the log holds, sorted (the index on `action` answers it)."""
        return [r["action"] for r in self.db.query("select distinct action from audit order by action")]

    def outcomes(self) -> list[str]:
        return [r["outcome"] for r in self.db.query("select distinct outcome from audit order by outcome")]

    def _exists(self, where: str, params: list, extra: str, value: int) -> bool:
        sql = f"select 1 from audit where {where} and {extra} limit 1"
        return bool(list(self.db.query(sql, [*params, value])))


@dataclass(frozen=True)
class AuditQuery:
    """What the audit log is filtered by; empty values filter nothing. `since` and `until` are
    UTC instants as stored (ISO 8601 text): since <= at < until."""

    actor: str = ""  # part of the actor's email, any case
    action: str = ""
    outcome: str = ""
    since: str | None = None
    until: str | None = None

    def where(self) -> tuple[str, list]:
        clauses, params = ["1 = 1"], []
        if self.actor:
            escaped = self.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("actor_email like ? escape '\\'")
            params.append(f"%{escaped}%")
        if self.action:
            clauses.append("action = ?")
            params.append(self.action)
        if self.outcome:
            clauses.append("outcome = ?")
            params.append(self.outcome)
        if self.since:
            clauses.append("at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("at < ?")
            params.append(self.until)
        return " and ".join(clauses), params


@dataclass(frozen=True)
class AuditPage:
    """Rows of one page, newest first; whether there are newer and older ones."""

    rows: list[dict]
    newer: bool
    older: bool
