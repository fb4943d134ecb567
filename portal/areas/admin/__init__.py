"""The admin area: pages only admins open, under one router with `requires_role("admin")`.

Each module is a section (portal.areas.admin.section.Section) with its own handlers and
service: mailbox.py (the local mailbox and undelivered mail). A new section (accounts.py) is a
module with a `section(...)` function, added to `sections` below and its components to
`area(...)`.
"""

from __future__ import annotations

from portal.core.settings import Settings
from portal.mail import Mail
from portal.security.guards import requires_role
from portal.web.area import Area, site_area

from . import mailbox
from .section import Section


def area(*, mail: Mail, settings: Settings) -> Area:
    sections: tuple[Section, ...] = (mailbox.section(mail=mail, settings=settings),)
    return site_area(
        "admin",
        [handler for part in sections for handler in part.handlers],
        guard=requires_role("admin"),
        services={name: provide for part in sections for name, provide in part.services.items()},
        nav=[link for part in sections for link in part.nav],
    )
