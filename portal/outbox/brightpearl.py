"""Brightpearl's writes on the generic queue: each write kind of portal.brightpearl.writes,
delivered through the client, its failures sorted into "refused" and "try later", and the
cache told what changed once it is delivered."""

from __future__ import annotations

from collections.abc import Mapping

from portal.brightpearl import Brightpearl
from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.errors import BrightpearlBadRequest, BrightpearlError, BrightpearlNotFound
from portal.brightpearl.writes import WRITES, WriteKind
from portal.outbox.queue import Attempt, Handler, OnDone, Outbox, OutboxItem, Refused, Save, TryLater


def bind_brightpearl_writes(outbox: Outbox, bp: Brightpearl, *, after: Mapping[str, OnDone] | None = None) -> None:
    """Register every Brightpearl write kind with the queue. `after[kind](item)` runs once an
    item of that kind is delivered, after the cache forgot what it changed (a new web
    customer's login is linked to the contact created for it)."""
    for write in WRITES.values():
        outbox.register(write.name, _handler(bp.client, write), on_done=_forget(bp, write, (after or {}).get(write.name)))


def _handler(client: BrightpearlClient, write: WriteKind) -> Handler:
    async def deliver(attempt: Attempt, save: Save) -> dict:
        try:
            return await write.deliver(client, attempt, save)
        except (BrightpearlBadRequest, BrightpearlNotFound) as error:
            # Brightpearl's own words, for the admin who sorts it out.
            raise Refused("; ".join(error.messages)) from error
        except BrightpearlError as error:
            # Unavailable, throttled, unknown outcome: try again later (and look first).
            raise TryLater(str(error)) from error

    return deliver


def _forget(bp: Brightpearl, write: WriteKind, then: OnDone | None) -> OnDone:
    def forget(item: OutboxItem) -> None:
        changed_id = write.changed_id(item)
        if changed_id:
            bp.forget(write.change, changed_id)
        if then is not None:
            then(item)

    return forget
