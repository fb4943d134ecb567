"""Durable, exactly-once delivery of customers' writes to Brightpearl (DESIGN §4).

A write (a comment, an address, an order) is first committed to the `outbox` table with an
idempotency key, in the same transaction as its audit row; only then is it sent.  Delivery
is tried at once and then by a background worker until Brightpearl has it, so a customer's
write survives throttling, slowness, outages and restarts.

Exactly once: a row is claimed with a lease before it is sent, so two workers never send it
together; and every attempt after the first *looks* in Brightpearl before it writes (each
kind's handler knows how), so a response lost after Brightpearl committed does not produce a
second note or address.

States: pending (waiting or retrying) -> sending (claimed, lease running) -> done, or
failed (Brightpearl refused it: needs attention; an admin may retry it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.errors import BrightpearlBadRequest, BrightpearlError, BrightpearlNotFound
from portal.db import utcnow, write_transaction
from portal.metrics import Metrics

log = logging.getLogger("portal.outbox")

LEASE = timedelta(seconds=90)
MAX_ATTEMPTS = 60  # about a day of retries with the backoff below, then "needs attention"
WORKER_INTERVAL = 2.0
INLINE_WAIT = 2.5  # how long a page waits for the first delivery before saying "sending"


class OutboxConflict(ValueError):
    """The idempotency key was already used for a different write."""


@dataclass(frozen=True)
class Attempt:
    """What a handler is given: the row's data and whether an earlier attempt may have landed."""

    row_id: int
    kind: str
    target_id: int | None
    contact_id: int | None
    payload: dict
    result: dict
    created_at: datetime
    retry: bool  # True when an earlier attempt was sent: look in Brightpearl before writing


# A handler delivers one write and returns what to remember about it (ids Brightpearl gave).
# It may call `save(progress)` to record a finished step of a multi-step write.
Handler = Callable[[BrightpearlClient, Attempt, Callable[[dict], None]], Awaitable[dict]]


class Outbox:
    """The outbox table and its delivery worker."""

    def __init__(
        self,
        db: Database,
        client: BrightpearlClient,
        *,
        metrics: Metrics | None = None,
        on_done: Callable[[dict], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.metrics = metrics
        self.on_done = on_done
        self.handlers: dict[str, Handler] = {}
        self._rng = rng or random.Random()
        self._inflight: dict[int, asyncio.Task] = {}
        self._wakeup = asyncio.Event()

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    # --- submitting -------------------------------------------------------------------------
    def submit(
        self,
        *,
        user_id: int,
        contact_id: int | None,
        kind: str,
        idem_key: str,
        payload: dict,
        target_id: int | None = None,
        audit: Callable[[], None] | None = None,
    ) -> dict:
        """Commit a write (and its audit row, via `audit`) and return its outbox row.

        The same `idem_key` from the same user returns the existing row (a double click or a
        re-sent form creates nothing); the same key with different content raises
        OutboxConflict.
        """
        if kind not in self.handlers:
            raise ValueError(f"no handler for outbox kind {kind!r}")
        body = json.dumps(payload, sort_keys=True)
        now = utcnow().isoformat()
        with write_transaction(self.db):
            existing = self._by_key(user_id, idem_key)
            if existing:
                if existing["kind"] != kind or existing["payload"] != body or existing["target_id"] != target_id:
                    raise OutboxConflict("this form was already sent with other content")
                return existing
            row_id = (
                self.db["outbox"]
                .insert(
                    {
                        "user_id": user_id,
                        "contact_id": contact_id,
                        "kind": kind,
                        "idem_key": idem_key,
                        "target_id": target_id,
                        "payload": body,
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "result": "{}",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                .last_pk
            )
            if audit:
                audit()
        self._update_gauge()
        self._wakeup.set()
        return self.get(row_id)

    def _by_key(self, user_id: int, idem_key: str) -> dict | None:
        rows = list(self.db.query("select * from outbox where user_id = ? and idem_key = ?", [user_id, idem_key]))
        return rows[0] if rows else None

    def get(self, row_id: int) -> dict:
        return next(iter(self.db.query("select * from outbox where id = ?", [row_id])))

    def open_rows(self, *, kind: str, contact_id: int, target_id: int | None = None) -> list[dict]:
        """Rows of this kind for this contact that Brightpearl does not have yet (oldest first)."""
        sql = "select * from outbox where kind = ? and contact_id = ? and state != 'done'"
        params: list[Any] = [kind, contact_id]
        if target_id is not None:
            sql += " and target_id = ?"
            params.append(target_id)
        return list(self.db.query(sql + " order by id", params))

    def submitted_since(self, *, user_id: int, kind: str, since: timedelta) -> int:
        """How many writes of `kind` this user submitted in the last `since` (rate limits)."""
        after = (utcnow() - since).isoformat()
        rows = self.db.query(
            "select count(*) as n from outbox where user_id = ? and kind = ? and created_at > ?",
            [user_id, kind, after],
        )
        return next(iter(rows))["n"]

    def failed_rows(self) -> list[dict]:
        return list(self.db.query("select * from outbox where state = 'failed' order by id"))

    def pending_count(self) -> int:
        return next(iter(self.db.query("select count(*) as n from outbox where state in ('pending', 'sending')")))["n"]

    def retry(self, row_id: int) -> None:
        """Put a failed row back in the queue (admin action)."""
        with write_transaction(self.db):
            self.db.execute(
                "update outbox set state = 'pending', next_attempt_at = ?, updated_at = ? "
                "where id = ? and state = 'failed'",
                [utcnow().isoformat(), utcnow().isoformat(), row_id],
            )
        self._update_gauge()
        self._wakeup.set()

    # --- delivering -------------------------------------------------------------------------
    async def deliver_now(self, row: dict, wait: float = INLINE_WAIT) -> dict:
        """Try to deliver `row` right away; wait up to `wait` seconds, then return its row.

        The attempt goes on in the background when it takes longer (it is never cancelled
        half-way, which would leave its outcome unknown for no reason).
        """
        task = self._inflight.get(row["id"])
        if task is None:
            task = asyncio.create_task(self.deliver(row["id"]))
            self._inflight[row["id"]] = task
            task.add_done_callback(self._forget_task)
        # Whatever happens (done, still running, failed), the row records it.
        await asyncio.wait([task], timeout=wait)
        return self.get(row["id"])

    def _forget_task(self, task: asyncio.Task) -> None:
        self._inflight = {key: value for key, value in self._inflight.items() if value is not task}
        if not task.cancelled() and task.exception() is not None:
            # deliver() records every Brightpearl failure in the row; this is a bug or a
            # database failure, and the row stays due for the worker.
            log.error("outbox delivery crashed", exc_info=task.exception())

    async def deliver(self, row_id: int) -> dict | None:
        """Claim one due row and make one delivery attempt; return the updated row or None."""
        row = self._claim(row_id)
        if row is None:
            return None
        handler = self.handlers.get(row["kind"])
        if handler is None:
            return self._finish(row, state="failed", error=f"no handler for {row['kind']}")
        result = json.loads(row["result"] or "{}")
        attempt = Attempt(
            row_id=row["id"],
            kind=row["kind"],
            target_id=row["target_id"],
            contact_id=row["contact_id"],
            payload=json.loads(row["payload"]),
            result=result,
            created_at=datetime.fromisoformat(row["created_at"]),
            retry=row["attempts"] > 1,
        )

        def save(progress: dict) -> None:
            result.update(progress)
            with write_transaction(self.db):
                self.db.execute(
                    "update outbox set result = ?, updated_at = ? where id = ?",
                    [json.dumps(result), utcnow().isoformat(), row["id"]],
                )

        try:
            outcome = await handler(self.client, attempt, save)
        except (BrightpearlBadRequest, BrightpearlNotFound) as error:
            log.warning("outbox %s %s refused by Brightpearl: %s", row["kind"], row["id"], error.messages)
            return self._finish(row, state="failed", error="; ".join(error.messages)[:500])
        except BrightpearlError as error:
            # Unavailable, throttled, unknown outcome: try again later, looking first.
            return self._reschedule(row, str(error))
        except Exception as error:  # noqa: BLE001 - a bug must not lose the write
            log.exception("outbox %s %s failed unexpectedly", row["kind"], row["id"])
            return self._reschedule(row, f"{error.__class__.__name__}: {error}")
        result.update(outcome or {})
        done = self._finish(row, state="done", result=result)
        if self.on_done:
            try:
                self.on_done(done)
            except Exception:  # noqa: BLE001 - cache invalidation must not undo a delivery
                log.exception("outbox on_done hook failed")
        return done

    def _claim(self, row_id: int) -> dict | None:
        now = utcnow()
        with write_transaction(self.db):
            rows = list(
                self.db.query(
                    "update outbox set state = 'sending', lease_until = ?, attempts = attempts + 1, updated_at = ? "
                    "where id = ? and ((state = 'pending' and next_attempt_at <= ?) "
                    "or (state = 'sending' and lease_until < ?)) returning *",
                    [(now + LEASE).isoformat(), now.isoformat(), row_id, now.isoformat(), now.isoformat()],
                )
            )
        return rows[0] if rows else None

    def _finish(self, row: dict, *, state: str, result: dict | None = None, error: str | None = None) -> dict:
        values = [state, utcnow().isoformat(), error]
        sql = "update outbox set state = ?, updated_at = ?, last_error = ?, lease_until = null"
        if result is not None:
            sql += ", result = ?"
            values.append(json.dumps(result))
        with write_transaction(self.db):
            self.db.execute(sql + " where id = ?", [*values, row["id"]])
        self._update_gauge()
        return self.get(row["id"])

    def _reschedule(self, row: dict, error: str) -> dict:
        if row["attempts"] >= MAX_ATTEMPTS:
            return self._finish(row, state="failed", error=f"gave up after {row['attempts']} attempts: {error}")
        delay = min(600.0, 2.0 * 2 ** min(row["attempts"] - 1, 10))
        delay = delay / 2 + self._rng.uniform(0, delay / 2)
        when = (utcnow() + timedelta(seconds=delay)).isoformat()
        with write_transaction(self.db):
            self.db.execute(
                "update outbox set state = 'pending', next_attempt_at = ?, last_error = ?, lease_until = null, "
                "updated_at = ? where id = ?",
                [when, error[:500], utcnow().isoformat(), row["id"]],
            )
        self._update_gauge()
        return self.get(row["id"])

    def due_ids(self, limit: int = 20) -> list[int]:
        now = utcnow().isoformat()
        return [
            r["id"]
            for r in self.db.query(
                "select id from outbox where (state = 'pending' and next_attempt_at <= ?) "
                "or (state = 'sending' and lease_until < ?) order by id limit ?",
                [now, now, limit],
            )
        ]

    async def deliver_due(self, limit: int = 20) -> int:
        """Attempt every due row (oldest first, one at a time); return how many were tried."""
        tried = 0
        for row_id in self.due_ids(limit):
            if row_id in self._inflight:
                continue
            await self.deliver(row_id)
            tried += 1
        return tried

    async def run_forever(self, interval: float = WORKER_INTERVAL) -> None:
        """The background worker: deliver due rows, then sleep until woken or `interval` passes."""
        while True:
            try:
                await self.deliver_due()
            except Exception:  # noqa: BLE001 - the worker must outlive any one failure
                log.exception("outbox worker pass failed")
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=interval)
            except TimeoutError:
                pass

    def release_leases(self) -> None:
        """At shutdown: rows being sent go back to pending (their next attempt looks first)."""
        with write_transaction(self.db):
            self.db.execute(
                "update outbox set state = 'pending', lease_until = null, next_attempt_at = ? where state = 'sending'",
                [utcnow().isoformat()],
            )

    def _update_gauge(self) -> None:
        if self.metrics:
            self.metrics.outbox_pending.set(self.pending_count())
