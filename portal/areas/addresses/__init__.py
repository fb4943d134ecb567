"""The addresses area (customers): the contact's postal addresses, and adding a delivery address."""

from litestar import Router
from litestar.di import NamedDependency, Provide

from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.users import User
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink

from .book import AddressBook
from .routes import add_address, addresses_page


def provide_address_book(
    bp: NamedDependency[Brightpearl],
    outbox: NamedDependency[Outbox],
    audit: NamedDependency[Audit],
    user: NamedDependency[User],
) -> AddressBook:
    return AddressBook(bp, outbox, audit, user)


def area() -> Area:
    return Area(
        "addresses",
        Router(
            "/",
            guards=[requires_role("customer")],
            route_handlers=[addresses_page, add_address],
            dependencies={"addresses": Provide(provide_address_book, sync_to_thread=False)},
        ),
        nav=(NavLink("Addresses", "addresses"),),
    )
