"""The account area (customers): the account page."""

from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, site_area

from .routes import account_page
from .summary import AccountSummary


def area() -> Area:
    return site_area(
        "account",
        [account_page],
        guard=requires_role("customer"),
        services={"account": AccountSummary},
        nav=[NavLink("Account", "account")],
    )
