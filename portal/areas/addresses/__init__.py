"""The addresses area (customers): the contact's postal addresses, and adding a delivery address."""

from functools import partial

from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.web.address_book import AddressBook
from portal.web.area import Area, NavLink, for_user, site_area

from .routes import add_address, addresses_page


def area(*, bp: Brightpearl, outbox: Outbox, audit: Audit) -> Area:
    return site_area(
        "addresses",
        [addresses_page, add_address],
        guard=requires_role("customer"),
        services={"addresses": for_user(partial(AddressBook, bp, outbox, audit))},
        nav=[NavLink("Addresses", "addresses")],
    )
