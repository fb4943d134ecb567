"""The account area (customers): the account page."""

from litestar import Router
from litestar.di import NamedDependency, Provide

from portal.brightpearl import Brightpearl
from portal.core.users import User
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink

from .routes import account_page
from .summary import AccountSummary


def provide_account(bp: NamedDependency[Brightpearl], user: NamedDependency[User]) -> AccountSummary:
    return AccountSummary(bp, user)


def area() -> Area:
    return Area(
        "account",
        Router(
            "/",
            guards=[requires_role("customer")],
            route_handlers=[account_page],
            dependencies={"account": Provide(provide_account, sync_to_thread=False)},
        ),
        nav=(NavLink("Account", "account"),),
    )
