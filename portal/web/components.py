"""The composition root: the long-lived objects of one portal process, built once from the
settings. Handlers never reach for them; Litestar injects them (portal.web.dependencies).

    components = Components.build(settings)                       # what `create_app` does
    components = Components.build(settings, brightpearl_transport=sandbox.transport())  # tests
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlite_utils import Database

from portal import demo
from portal.accounts.registrations import CHECK_KIND as REGISTRATION_CHECK_KIND
from portal.accounts.registrations import NEW_CONTACT_KIND, Registrations, contact_created
from portal.brightpearl import Brightpearl
from portal.brightpearl.cache import Cache
from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.writes.quote_acceptance import KIND as QUOTE_ACCEPTANCE_KIND
from portal.brightpearl.writes.sales_order import KIND as SALES_ORDER_KIND
from portal.core.audit import Audit
from portal.core.branding import BrandingStore
from portal.core.clock import Clock
from portal.core.db import open_database
from portal.core.features import Features
from portal.core.metrics import Metrics
from portal.core.order_defaults import OrderDefaultsStore
from portal.core.settings import Settings
from portal.core.site_settings import SiteSettings
from portal.core.status_map import StatusMap
from portal.core.tracking import TrackingPatterns
from portal.core.users import UserStore
from portal.mail import KIND as MAIL_KIND
from portal.mail import Mail
from portal.mail.orders import order_mails
from portal.mail.templates import from_store as mail_branding
from portal.outbox.brightpearl import bind_brightpearl_writes
from portal.outbox.queue import Outbox
from portal.security.passwords import Passwords
from portal.security.sessions import SessionStore
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.security.tokens import Tokens


@dataclass
class Components:
    """Everything a request may need, owned by the app for its lifetime."""

    settings: Settings
    db: Database
    metrics: Metrics
    users: UserStore
    sessions: SessionStore
    passwords: Passwords
    audit: Audit
    site_settings: SiteSettings
    tracking: TrackingPatterns
    bp: Brightpearl
    outbox: Outbox
    login_attempts: LoginAttempts
    failed_logins: FailedLogins
    tokens: Tokens
    mail: Mail
    registrations: Registrations
    branding: BrandingStore  # the name, colours, logo and legal identity an admin sets
    order_defaults: OrderDefaultsStore  # how the portal places orders (admin: /admin/orders)
    features: Features  # what admin > Features switched off, kept in memory
    status_map: StatusMap  # the customer-facing status labels (admin: /admin/statuses)
    clock: Clock = field(default_factory=Clock)

    @property
    def client(self) -> BrightpearlClient:
        return self.bp.client

    @property
    def cache(self) -> Cache:
        return self.bp.cache

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        brightpearl_transport: httpx.AsyncBaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Components:
        """Open the database and the Brightpearl client that `settings` describe.

        With no Brightpearl URL configured the client talks to an embedded sandbox (portal.demo),
        or to `brightpearl_transport` when one is given (tests hand in their own sandbox's).
        `monotonic` is the clock the cache ages its entries by.
        """
        settings = settings.with_secret()
        db = open_database(settings.db_path)
        metrics = Metrics()
        client = _brightpearl_client(settings, brightpearl_transport, metrics)
        # The cache counts its hits into the client's per-minute record (the admin's health page).
        bp = Brightpearl(client, Cache(metrics=metrics, clock=monotonic, usage=client.usage))
        outbox = Outbox(db, metrics=metrics)
        users, audit, tokens = UserStore(db), Audit(db), Tokens(db, settings.secret_key)
        site_settings = SiteSettings(db)
        features = Features(site_settings)
        branding = BrandingStore(site_settings, settings)
        order_defaults = OrderDefaultsStore(site_settings)
        # Mail rides the same queue: committed with its action, retried, visible when it fails.
        mail = Mail(db, outbox, settings, branding=mail_branding(branding, settings))
        outbox.register(MAIL_KIND, mail.deliver)
        # A new web customer's login is linked to its contact once Brightpearl has created it;
        # an order placed from the portal is confirmed by mail once Brightpearl has it.
        placed = order_mails(users, mail, order_defaults, settings)
        bind_brightpearl_writes(
            outbox, bp,
            after={NEW_CONTACT_KIND: contact_created(users, audit), QUOTE_ACCEPTANCE_KIND: placed, SALES_ORDER_KIND: placed},
        )
        registrations = Registrations(
            db, users=users, bp=bp, mail=mail, outbox=outbox, tokens=tokens, audit=audit, settings=settings,
            features=features,
        )
        # The check of a new registration (which mail it gets) runs on the queue too, so the
        # visitor's answer never waits for it, and it survives Brightpearl being down.
        outbox.register(REGISTRATION_CHECK_KIND, registrations.check)
        components = cls(
            settings=settings,
            db=db,
            metrics=metrics,
            users=users,
            sessions=SessionStore(
                db,
                idle=timedelta(minutes=settings.session_idle_minutes),
                absolute=timedelta(hours=settings.session_max_hours),
            ),
            passwords=Passwords(fast=settings.fast_password_hashing),
            audit=audit,
            site_settings=site_settings,
            tracking=TrackingPatterns(db),
            bp=bp,
            outbox=outbox,
            login_attempts=LoginAttempts(settings.login_attempts_per_minute),
            failed_logins=FailedLogins(),
            tokens=tokens,
            mail=mail,
            registrations=registrations,
            branding=branding,
            order_defaults=order_defaults,
            features=features,
            status_map=StatusMap(site_settings),
            clock=Clock(settings.zone),  # "today" is the merchant's (PORTAL_TIMEZONE)
        )
        if settings.uses_sandbox:
            demo.seed(db, components.users, components.passwords)
        return components

    async def aclose(self) -> None:
        """At shutdown: hand back unfinished deliveries, close Brightpearl and the database."""
        self.outbox.release_leases()
        await self.bp.aclose()
        self.db.close()


def _brightpearl_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, metrics: Metrics
) -> BrightpearlClient:
    if settings.uses_sandbox:
        transport = transport or demo.sandbox_transport(settings)
        base_url, app_ref, staff, account = demo.SANDBOX_BASE_URL, demo.SANDBOX_APP_REF, demo.SANDBOX_STAFF_TOKEN, ""
    else:
        base_url = settings.brightpearl_url or ""
        app_ref = settings.brightpearl_app_ref
        staff, account = settings.brightpearl_staff_token, settings.brightpearl_account_token
    return BrightpearlClient(
        base_url,
        app_ref=app_ref,
        staff_token=staff,
        account_token=account,
        transport=transport,
        metrics=metrics,
        headroom=settings.brightpearl_headroom,
        deadline=settings.brightpearl_deadline,
    )
