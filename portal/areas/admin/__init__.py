"""The admin area: pages only admins open, under one router with `requires_role("admin")`.

Each module is a section (portal.areas.admin.section.Section) with its own handlers and
service: accounts.py (logins and registrations waiting for a decision), outbox.py (writes not
delivered yet: retry or abandon), mailbox.py (the local
mailbox and undelivered mail). A new section is a module with a `section(...)` function, added
to `sections` below and its components to `area(...)`.
"""

from __future__ import annotations

from portal.accounts.registrations import Registrations
from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.users import UserStore
from portal.mail import Mail
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.security.passwords import Passwords
from portal.security.tokens import Tokens
from portal.security.two_factor import TwoFactor
from portal.web.area import Area, site_area

from . import accounts, mailbox
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
) -> Area:
    sections: tuple[Section, ...] = (
        accounts.section(users=users, registrations=registrations, two_factor=two_factor, passwords=passwords,
                         tokens=tokens, mail=mail, audit=audit),
        outbox_section.section(outbox=outbox, audit=audit),
        mailbox.section(mail=mail, settings=settings),
    )
    return site_area(
        "admin",
        [handler for part in sections for handler in part.handlers],
        guard=requires_role("admin"),
        services={name: provide for part in sections for name, provide in part.services.items()},
        nav=[link for part in sections for link in part.nav],
    )
