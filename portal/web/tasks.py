"""The background work of the process: outbox delivery, and the purge of expired sessions and
link tokens."""

from __future__ import annotations

import asyncio
import logging

from portal.brightpearl.priority import background_priority
from portal.web.components import Components

log = logging.getLogger("portal")

SESSION_PURGE_SECONDS = 600


def start_background_tasks(components: Components) -> list[asyncio.Task]:
    """Start the outbox worker and the session purge; return their tasks."""
    return [
        asyncio.create_task(_purge_sessions_forever(components), name="session-purge"),
        asyncio.create_task(_deliver_outbox_forever(components), name="outbox"),
    ]


STOP_SECONDS = 5.0


async def stop(tasks: list[asyncio.Task]) -> None:
    """Cancel the tasks and wait for them (at most STOP_SECONDS: a shutdown never hangs on one);
    their own errors do not matter at shutdown."""
    for task in tasks:
        task.cancel()
    done, pending = await asyncio.wait(tasks, timeout=STOP_SECONDS)
    for task in done:
        if not task.cancelled():
            task.exception()  # retrieved, so asyncio does not report it as never seen
    for task in pending:
        log.error("background task %s did not stop within %.0f s", task.get_name(), STOP_SECONDS)
        task.print_stack()


async def _deliver_outbox_forever(components: Components) -> None:
    # Background priority: the worker leaves the request budget's headroom to page views.
    with background_priority():
        await components.outbox.run_forever()


async def _purge_sessions_forever(components: Components) -> None:
    while True:
        try:
            components.sessions.purge_expired()
            components.tokens.purge_expired()  # rows of links past their lifetime
        except Exception:  # noqa: BLE001 - a failed purge must not end the loop
            log.exception("session purge failed")
        await asyncio.sleep(SESSION_PURGE_SECONDS)
