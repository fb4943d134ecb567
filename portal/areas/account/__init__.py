"""The account area (customers): the account page."""

from functools import partial

from portal.brightpearl import Brightpearl
from portal.core.settings import Settings
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, for_user, site_area

from .routes import account_page
from .summary import AccountSummary


def area(*, bp: Brightpearl, settings: Settings) -> Area:
    return site_area(
        "account",
        [account_page],
        guard=requires_role("customer"),
        services={"account": for_user(partial(AccountSummary, bp, settings))},
        nav=[NavLink("Account", "account")],
    )
