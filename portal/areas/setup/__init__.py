"""The setup area (public, by link): the first administrator of a fresh install."""

from functools import partial

from portal.core.audit import Audit
from portal.core.users import UserStore
from portal.security.passwords import Passwords
from portal.security.tokens import Tokens
from portal.web.area import Area, for_visitor, site_area

from .routes import first_admin, first_admin_form
from .service import FirstAdmin, first_admin_link

__all__ = ["area", "first_admin_link"]


def area(*, users: UserStore, passwords: Passwords, tokens: Tokens, audit: Audit) -> Area:
    setup = partial(FirstAdmin, users, passwords, tokens, audit)
    return site_area("setup", [first_admin_form, first_admin], services={"setup": for_visitor(setup)})
