"""The addresses area (customers): the contact's postal addresses, and adding a delivery address."""

from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, site_area

from .book import AddressBook
from .routes import add_address, addresses_page


def area() -> Area:
    return site_area(
        "addresses",
        [addresses_page, add_address],
        guard=requires_role("customer"),
        services={"addresses": AddressBook},
        nav=[NavLink("Addresses", "addresses")],
    )
