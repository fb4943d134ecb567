"""The admin area: pages only admins open (anyone else signed in gets a 404), under one router.

Each module is a section (portal.areas.admin.section.Section) with its own handlers and
service: accounts.py (logins and registrations waiting for a decision), imports.py (logins from
a spreadsheet), branding.py (name, logo, colours, the merchant's legal identity), features.py
(switching parts of the portal off), statuses.py (what customers and suppliers see of
Brightpearl's statuses), order_defaults.py (how the portal places orders; carrier tracking),
audit_log.py, outbox.py (writes not delivered yet: retry or abandon), mailbox.py (the local
mailbox and undelivered mail), health.py (the connection to Brightpearl), view_as.py (the
portal as a customer sees it, read-only). A new section is a module with a `section(...)` function, added
to `sections` below and its components to `area(...)`.
"""

from __future__ import annotations

from portal.accounts.registrations import Registrations
from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.branding import BrandingStore
from portal.core.features import Features
from portal.core.metrics import Metrics
from portal.core.order_defaults import OrderDefaultsStore
from portal.core.settings import Settings
from portal.core.site_settings import SiteSettings
from portal.core.status_map import StatusMap
from portal.core.tracking import TrackingPatterns
from portal.core.users import UserStore
from portal.mail import Mail
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.security.passwords import Passwords
from portal.security.sessions import SessionStore
from portal.security.tokens import Tokens
from portal.security.two_factor import TwoFactor
from portal.web.area import Area, site_area

from . import accounts, audit_log, branding, health, home, imports, mailbox, statuses, view_as
from . import features as features_section
from . import order_defaults as order_defaults_section
from . import outbox as outbox_section
from .section import Section


def area(
    *,
    mail: Mail,
    settings: Settings,
    users: UserStore,
    registrations: Registrations,
    two_factor: TwoFactor,
    passwords: Passwords,
    tokens: Tokens,
    audit: Audit,
    outbox: Outbox,
    bp: Brightpearl,
    site_settings: SiteSettings,
    features: Features,
    tracking: TrackingPatterns,
    order_defaults: OrderDefaultsStore,
    sessions: SessionStore,
    metrics: Metrics,
    branding_store: BrandingStore,
    status_map: StatusMap,
) -> Area:
    sections: tuple[Section, ...] = (
        home.section(),
        accounts.section(users=users, registrations=registrations, two_factor=two_factor, passwords=passwords,
                         tokens=tokens, mail=mail, audit=audit, bp=bp, settings=settings),
        imports.section(users=users, bp=bp, audit=audit, passwords=passwords),
        branding.section(site_settings=site_settings, settings=settings, audit=audit, branding=branding_store),
        features_section.section(features=features, audit=audit),
        statuses.section(bp=bp, site_settings=site_settings, audit=audit, status_map=status_map),
        order_defaults_section.section(bp=bp, site_settings=site_settings, tracking=tracking, audit=audit,
                                       order_defaults=order_defaults),
        audit_log.section(audit=audit, settings=settings),
        outbox_section.section(outbox=outbox, audit=audit),
        mailbox.section(mail=mail, settings=settings),
        health.section(bp=bp, metrics=metrics, outbox=outbox, settings=settings),
        view_as.section(users=users, sessions=sessions, audit=audit),
    )
    return site_area(
        "admin",
        [handler for part in sections for handler in part.handlers],
        guard=requires_role("admin", hidden=True),
        services={name: provide for part in sections for name, provide in part.services.items()},
        nav=[link for part in sections for link in part.nav],
    )
