"""The long-lived objects of one portal process, built once at start-up.

Handlers reach them through `services(request)`; tests build them through `create_app`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from litestar import Request
from sqlite_utils import Database

from portal.audit import Audit
from portal.brightpearl.cache import Cache
from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.gateway import Brightpearl
from portal.brightpearl.writes import HANDLERS, ORDER_NOTE
from portal.db import open_database
from portal.metrics import Metrics
from portal.outbox import Outbox
from portal.security.passwords import FailedLogins, LoginAttempts, Passwords
from portal.security.sessions import SessionStore
from portal.settings import (
    SANDBOX_APP_REF,
    SANDBOX_BASE_URL,
    SANDBOX_STAFF_TOKEN,
    Settings,
)
from portal.users import UserStore

log = logging.getLogger("portal")


@dataclass
class Services:
    """Everything a request handler may need, owned by the app for its lifetime."""

    settings: Settings
    db: Database
    metrics: Metrics
    users: UserStore
    sessions: SessionStore
    passwords: Passwords
    audit: Audit
    client: BrightpearlClient
    cache: Cache
    bp: Brightpearl
    outbox: Outbox
    login_attempts: LoginAttempts
    failed_logins: FailedLogins = field(default_factory=FailedLogins)
    sandbox: object | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)
    lifespans: int = 0

    async def aclose(self) -> None:
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        # Wait for the cancelled tasks to finish; their own errors do not matter at shutdown.
        await asyncio.gather(*tasks, return_exceptions=True)
        self.outbox.release_leases()
        await self.bp.aclose()
        self.db.close()


def build_services(settings: Settings, *, sandbox=None, transport=None, cache_clock=None) -> Services:
    """Open the database and the Brightpearl client described by `settings`.

    With no Brightpearl URL configured the client talks to `sandbox` (an in-process
    `portal.sandbox.Sandbox`) through its transport; one is created when none is given.
    `cache_clock` (monotonic seconds) lets tests age cached data without waiting.
    """
    db = open_database(settings.db_path)
    metrics = Metrics()
    if settings.uses_sandbox:
        if sandbox is None:
            sandbox = make_sandbox(settings)
        transport = transport or sandbox.transport()
        base_url, app_ref, staff, account = SANDBOX_BASE_URL, SANDBOX_APP_REF, SANDBOX_STAFF_TOKEN, ""
    else:
        base_url = settings.brightpearl_url or ""
        app_ref = settings.brightpearl_app_ref
        staff, account = settings.brightpearl_staff_token, settings.brightpearl_account_token
    client = BrightpearlClient(
        base_url,
        app_ref=app_ref,
        staff_token=staff,
        account_token=account,
        transport=transport,
        metrics=metrics,
        headroom=settings.brightpearl_headroom,
        deadline=settings.brightpearl_deadline,
    )
    cache = Cache(metrics=metrics, **({"clock": cache_clock} if cache_clock else {}))
    bp = Brightpearl(client, cache)
    outbox = Outbox(db, client, metrics=metrics, on_done=lambda row: forget_written(bp, row))
    for kind, handler in HANDLERS.items():
        outbox.register(kind, handler)
    return Services(
        settings=settings,
        db=db,
        metrics=metrics,
        users=UserStore(db),
        sessions=SessionStore(
            db,
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_max_hours),
        ),
        passwords=Passwords(fast=settings.fast_password_hashing),
        audit=Audit(db),
        client=client,
        cache=cache,
        bp=bp,
        outbox=outbox,
        login_attempts=LoginAttempts(settings.login_attempts_per_minute),
        sandbox=sandbox,
    )


def forget_written(bp: Brightpearl, row: dict) -> None:
    """After a write reached Brightpearl, drop the cached copies it changed."""
    if row["kind"] == ORDER_NOTE:
        bp.cache.invalidate("order_notes", row["target_id"])
    elif row.get("contact_id"):
        bp.forget_contact(row["contact_id"])


def make_sandbox(settings: Settings):
    """Return the embedded Brightpearl sandbox for these settings (demo and tests)."""
    from portal.sandbox import Sandbox, SandboxConfig

    journal = settings.data_dir / "sandbox-journal.jsonl" if settings.demo else None
    return Sandbox(
        SandboxConfig(
            seed=settings.sandbox_seed,
            customers=settings.sandbox_customers,
            orders=settings.sandbox_orders,
            latency_ms=settings.sandbox_latency_ms,
            throttle_limit=settings.sandbox_throttle_limit,
            journal_path=journal,
        )
    )


def services(request: Request) -> Services:
    """Return the Services of the app serving `request`."""
    return request.app.state.services
