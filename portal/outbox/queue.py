"""A durable queue of writes, delivered exactly once (DESIGN §4), whatever they are delivered to.

A write (a comment, an address, an order, later an e-mail) is first committed to the `outbox`
table with an idempotency key, in the same transaction as its audit row; only then is it sent.
Delivery is tried at once and then by a background worker until it succeeds, so a customer's
write survives throttling, slowness, outages and restarts.

Exactly once: an item is claimed with a lease before it is sent, so two workers never send it
together; and every attempt after the first is marked `retry`, so the kind's handler *looks*
before it writes again (a response lost after the far side committed never doubles it).

A kind is registered with its handler, an async `handler(attempt, save) -> dict` that returns
what to remember (ids the far side gave) and may `save(progress)` finished steps of a
multi-step write. The handler says how an attempt ended by what it raises:

    nothing     delivered                     -> done
    Refused     the far side will never take it -> failed ("needs attention", an admin may retry)
    TryLater    not now (down, throttled, unknown outcome) -> pending again, with backoff
    anything else: a bug; logged, and retried like TryLater so the write is never lost

States: pending -> sending (claimed, lease running) -> done | failed; pending again on retry;
failed or pending -> abandoned when an admin gives it up (never tried again).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from portal.core.db import utcnow, write_transaction
from portal.core.immutable import frozen
from portal.core.metrics import Metrics

log = logging.getLogger("portal.outbox")

LEASE = timedelta(seconds=90)
MAX_ATTEMPTS = 60  # about a day of retries with the backoff below, then "needs attention"
WORKER_INTERVAL = 2.0
INLINE_WAIT = 2.5  # how long a page waits for the first delivery before saying "sending"


class OutboxConflict(ValueError):
    """The idempotency key was already used for a different write."""


class Refused(Exception):
    """Raised by a handler: the write can never be delivered as it is (str: why, for an admin)."""


class TryLater(Exception):
    """Raised by a handler: the write could not be delivered now; try again later."""


@dataclass(frozen=True)
class OutboxItem:
    """One queued write as callers see it: its content and how far its delivery has got."""

    id: int
    user_id: int | None
    contact_id: int | None
    kind: str
    idem_key: str
    target_id: int | None
    payload: Mapping[str, Any]
    state: str  # pending | sending | done | failed | abandoned
    attempts: int
    result: Mapping[str, Any]  # what the handler remembered (ids), also of unfinished steps
    last_error: str | None
    created_at: datetime

    @property
    def progress(self) -> str:
        """What a customer is told: "done", "failed" (needs attention), "waiting" (an earlier
        attempt did not get through and the next one is scheduled), "sending", or "abandoned"
        (an admin gave it up)."""
        if self.state in ("done", "failed", "abandoned"):
            return self.state
        if self.state == "pending" and self.attempts:
            return "waiting"
        return "sending"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> OutboxItem:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            contact_id=row["contact_id"],
            kind=row["kind"],
            idem_key=row["idem_key"],
            target_id=row["target_id"],
            payload=frozen(json.loads(row["payload"])),
            state=row["state"],
            attempts=row["attempts"],
            result=frozen(json.loads(row["result"] or "{}")),
            last_error=row["last_error"],
            created_at=datetime.fromisoformat(row["created_at"]),
        )


@dataclass(frozen=True)
class Attempt:
    """What a handler is given: the item's data (its own copy) and whether an earlier attempt
    may have landed."""

    item_id: int
    kind: str
    target_id: int | None
    contact_id: int | None
    payload: Mapping[str, Any]
    result: Mapping[str, Any]
    created_at: datetime
    retry: bool  # True when an earlier attempt was sent: look before writing


Save = Callable[[dict], None]
Handler = Callable[[Attempt, Save], Awaitable[dict]]
OnDone = Callable[[OutboxItem], None]


class Outbox:
    """The outbox table, its questions and its delivery worker."""

    def __init__(self, db: Database, *, metrics: Metrics | None = None, rng: random.Random | None = None) -> None:
        self.db = db
        self.metrics = metrics
        self._handlers: dict[str, tuple[Handler, OnDone | None]] = {}
        self._rng = rng or random.Random()
        self._inflight: dict[int, asyncio.Task] = {}
        self._wakeup = asyncio.Event()

    def register(self, kind: str, handler: Handler, *, on_done: OnDone | None = None) -> None:
        """Deliver items of `kind` with `handler`; call `on_done(item)` after each delivery."""
        self._handlers[kind] = (handler, on_done)

    # --- submitting -------------------------------------------------------------------------
    def submit(
        self,
        *,
        user_id: int | None,
        contact_id: int | None,
        kind: str,
        idem_key: str,
        payload: Mapping[str, Any],
        target_id: int | None = None,
        audit: Callable[[], None] | None = None,
    ) -> OutboxItem:
        """Commit a write (and its audit row, via `audit`) and return it.

        The same `idem_key` from the same user returns the existing item (a double click or a
        re-sent form creates nothing); the same key with different content raises
        OutboxConflict. `user_id` is None for a write nobody logged in asked for (mail to a
        visitor who registers): such items share one key space of their own.
        """
        if kind not in self._handlers:
            raise ValueError(f"no handler for outbox kind {kind!r}")
        body = json.dumps(payload, sort_keys=True)
        now = utcnow().isoformat()
        with write_transaction(self.db):
            existing = self._row_by_key(user_id, idem_key)
            if existing:
                if existing["kind"] != kind or existing["payload"] != body or existing["target_id"] != target_id:
                    raise OutboxConflict("this form was already sent with other content")
                return OutboxItem.from_row(existing)
            item_id = (
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
        return self.get(item_id)

    # --- questions --------------------------------------------------------------------------
    def get(self, item_id: int) -> OutboxItem:
        """The item with this id."""
        return OutboxItem.from_row(self._row(item_id))

    def by_key(self, *, user_id: int | None, idem_key: str) -> OutboxItem | None:
        """The item this user (None: nobody logged in) submitted with `idem_key`, if any."""
        row = self._row_by_key(user_id, idem_key)
        return OutboxItem.from_row(row) if row else None

    def undelivered(self, *, kind: str, limit: int = 100) -> list[OutboxItem]:
        """Items of this kind not delivered yet (pending, sending or failed), newest first."""
        rows = self.db.query(
            "select * from outbox where kind = ? and state not in ('done', 'abandoned') order by id desc limit ?",
            [kind, limit],
        )
        return [OutboxItem.from_row(row) for row in rows]

    def open_items(self, *, kind: str, contact_id: int | None, target_id: int | None = None) -> list[OutboxItem]:
        """Items of this kind for this contact that are not delivered yet (oldest first)."""
        sql = "select * from outbox where kind = ? and contact_id = ? and state not in ('done', 'abandoned')"
        params: list[Any] = [kind, contact_id]
        if target_id is not None:
            sql += " and target_id = ?"
            params.append(target_id)
        return [OutboxItem.from_row(row) for row in self.db.query(sql + " order by id", params)]

    def delivered_results(self, *, kind: str, contact_id: int | None) -> list[Mapping[str, Any]]:
        """What the handler remembered of every delivered item of this kind for this contact."""
        rows = self.db.query(
            "select result from outbox where kind = ? and contact_id = ? and state = 'done' order by id",
            [kind, contact_id],
        )
        return [frozen(json.loads(row["result"] or "{}")) for row in rows]

    def submitted_since(self, *, user_id: int, kind: str, since: timedelta) -> int:
        """How many writes of `kind` this user submitted in the last `since` (rate limits)."""
        after = (utcnow() - since).isoformat()
        rows = self.db.query(
            "select count(*) as n from outbox where user_id = ? and kind = ? and created_at > ?",
            [user_id, kind, after],
        )
        return next(iter(rows))["n"]

    def failed_items(self) -> list[OutboxItem]:
        """Every item that needs attention, oldest first."""
        return [OutboxItem.from_row(row) for row in self.db.query("select * from outbox where state = 'failed' order by id")]

    def pending_count(self) -> int:
        """Items not delivered yet and not failed."""
        rows = self.db.query("select count(*) as n from outbox where state in ('pending', 'sending')")
        return next(iter(rows))["n"]

    def oldest_undelivered(self) -> OutboxItem | None:
        """The item waiting longest (pending, sending or failed), or None (the health page)."""
        rows = list(self.db.query("select * from outbox where state in ('pending', 'sending', 'failed') order by id limit 1"))
        return OutboxItem.from_row(rows[0]) if rows else None

    def retry(self, item_id: int) -> bool:
        """Put a failed item back in the queue (admin action); False when it is not failed."""
        now = utcnow().isoformat()
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update outbox set state = 'pending', next_attempt_at = ?, updated_at = ? "
                "where id = ? and state = 'failed'",
                [now, now, item_id],
            )
        self._update_gauge()
        self._wakeup.set()
        return cursor.rowcount == 1

    def abandon(self, item_id: int, reason: str) -> bool:
        """Give up a failed or waiting item for good (admin action, with the reason kept as its
        last error); False when it is being sent or already closed. An abandoned item is never
        tried again and no longer shown as pending to the person who made it."""
        now = utcnow().isoformat()
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update outbox set state = 'abandoned', last_error = ?, updated_at = ? "
                "where id = ? and state in ('failed', 'pending')",
                [f"abandoned: {reason}"[:500], now, item_id],
            )
        self._update_gauge()
        return cursor.rowcount == 1

    def not_delivered(self, limit: int = 200) -> list[OutboxItem]:
        """Every item of any kind not delivered and not abandoned, failed first, then newest."""
        rows = self.db.query(
            "select * from outbox where state in ('pending', 'sending', 'failed') "
            "order by state = 'failed' desc, id desc limit ?",
            [limit],
        )
        return [OutboxItem.from_row(row) for row in rows]

    # --- delivering -------------------------------------------------------------------------
    async def deliver_now(self, item: OutboxItem, wait: float = INLINE_WAIT) -> OutboxItem:
        """Try to deliver `item` right away; wait up to `wait` seconds, then return it as it is.

        The attempt goes on in the background when it takes longer (it is never cancelled
        half-way, which would leave its outcome unknown for no reason).
        """
        task = self._inflight.get(item.id)
        if task is None:
            task = asyncio.create_task(self.deliver(item.id))
            self._inflight[item.id] = task
            task.add_done_callback(self._forget_task)
        # Whatever happens (done, still running, failed), the item records it.
        await asyncio.wait([task], timeout=wait)
        return self.get(item.id)

    def _forget_task(self, task: asyncio.Task) -> None:
        self._inflight = {key: value for key, value in self._inflight.items() if value is not task}
        if not task.cancelled() and task.exception() is not None:
            # deliver() records every handler failure in the item; this is a bug or a database
            # failure, and the item stays due for the worker.
            log.error("outbox delivery crashed", exc_info=task.exception())

    async def deliver(self, item_id: int) -> OutboxItem | None:
        """Claim one due item and make one delivery attempt; return it updated, or None."""
        row = self._claim(item_id)
        if row is None:
            return None
        registered = self._handlers.get(row["kind"])
        if registered is None:
            return self._finish(row, state="failed", error=f"no handler for {row['kind']}")
        handler, on_done = registered
        result = json.loads(row["result"] or "{}")
        attempt = Attempt(
            item_id=row["id"],
            kind=row["kind"],
            target_id=row["target_id"],
            contact_id=row["contact_id"],
            payload=json.loads(row["payload"]),
            result=dict(result),
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
            outcome = await handler(attempt, save)
        except Refused as refusal:
            log.warning("outbox %s %s refused: %r", row["kind"], row["id"], str(refusal))
            return self._finish(row, state="failed", error=str(refusal)[:500])
        except TryLater as later:
            return self._reschedule(row, str(later))
        except Exception as error:  # noqa: BLE001 - a bug must not lose the write
            log.exception("outbox %s %s failed unexpectedly", row["kind"], row["id"])
            return self._reschedule(row, f"{error.__class__.__name__}: {error}")
        result.update(outcome or {})
        done = self._finish(row, state="done", result=result)
        if on_done is not None:
            try:
                on_done(done)
            except Exception:  # noqa: BLE001 - a follow-up (cache invalidation) must not undo a delivery
                log.exception("outbox on_done hook failed")
        return done

    def _row(self, item_id: int) -> dict:
        return next(iter(self.db.query("select * from outbox where id = ?", [item_id])))

    def _row_by_key(self, user_id: int | None, idem_key: str) -> dict | None:
        # `is`, not `=`: NULL = NULL is never true, and a visitor's items (no user) dedupe too.
        rows = list(self.db.query("select * from outbox where user_id is ? and idem_key = ?", [user_id, idem_key]))
        return rows[0] if rows else None

    def _claim(self, item_id: int) -> dict | None:
        now = utcnow()
        with write_transaction(self.db):
            rows = list(
                self.db.query(
                    "update outbox set state = 'sending', lease_until = ?, attempts = attempts + 1, updated_at = ? "
                    "where id = ? and ((state = 'pending' and next_attempt_at <= ?) "
                    "or (state = 'sending' and lease_until < ?)) returning *",
                    [(now + LEASE).isoformat(), now.isoformat(), item_id, now.isoformat(), now.isoformat()],
                )
            )
        return rows[0] if rows else None

    def _finish(self, row: dict, *, state: str, result: dict | None = None, error: str | None = None) -> OutboxItem:
        values = [state, utcnow().isoformat(), error]
        sql = "update outbox set state = ?, updated_at = ?, last_error = ?, lease_until = null"
        if result is not None:
            sql += ", result = ?"
            values.append(json.dumps(result))
        with write_transaction(self.db):
            self.db.execute(sql + " where id = ?", [*values, row["id"]])
        self._update_gauge()
        return self.get(row["id"])

    def _reschedule(self, row: dict, error: str) -> OutboxItem:
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
        """Ids of the items due for an attempt, oldest first."""
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
        """Attempt every due item (oldest first, one at a time); return how many were tried."""
        tried = 0
        for item_id in self.due_ids(limit):
            if item_id in self._inflight:
                continue
            await self.deliver(item_id)
            tried += 1
        return tried

    async def run_forever(self, interval: float = WORKER_INTERVAL) -> None:
        """The background worker: deliver due items, then sleep until woken or `interval` passes."""
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
        """At shutdown: items being sent go back to pending (their next attempt looks first)."""
        with write_transaction(self.db):
            self.db.execute(
                "update outbox set state = 'pending', lease_until = null, next_attempt_at = ? where state = 'sending'",
                [utcnow().isoformat()],
            )

    def _update_gauge(self) -> None:
        if self.metrics:
            self.metrics.outbox_pending.set(self.pending_count())
