"""Contacts and their postal addresses (contact-service, API.md §6) as read-only typed views."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from portal.core.immutable import EMPTY

from .wire import as_dict, as_int, as_list, as_str, dig, field_names, model, wire


def person_name(first: str, last: str, company: str) -> str:
    """First and last name; the company name when both are empty."""
    name = " ".join(p for p in (first.strip(), last.strip()) if p)
    return name or company


@model
class AddressLines:
    """Brightpearl's address lines: 1 street, 2 locality, 3 town, 4 county or state, postcode."""

    line1: str = wire("addressLine1")
    line2: str = wire("addressLine2")
    line3: str = wire("addressLine3")
    line4: str = wire("addressLine4")
    postal_code: str = wire("postalCode")

    def lines_with(self, country: str) -> list[str]:
        """The non-empty address lines, postal code and `country`, in display order."""
        parts = [self.line1, self.line2, self.line3, self.line4, self.postal_code, country]
        return [p for p in parts if p.strip()]


@model
class Contact:
    """A contact from Contact GET (API.md §6.1): customer, supplier or staff."""

    id: int = wire("contactId", or_key="id")
    salutation: str = wire("salutation")
    first_name: str = wire("firstName")
    last_name: str = wire("lastName")
    email: str = ""  # communication.emails.PRI.email
    emails: Mapping[str, str] = EMPTY  # PRI/SEC/TER -> address
    telephones: Mapping[str, str] = EMPTY  # PRI/SEC/MOB/FAX -> number
    # API note: organisation.name is missing from 2025 recordings; contact-search has
    # companyName when this is empty.
    company_name: str = wire("organisation", "name")
    organisation_id: int = wire("organisation", "organisationId")
    company_id: int = wire("companyId")
    is_primary_contact: bool = wire("isPrimaryContact")
    is_supplier: bool = wire("relationshipToAccount", "isSupplier")
    is_staff: bool = wire("relationshipToAccount", "isStaff")
    post_address_ids: Mapping[str, int] = EMPTY  # DEF/BIL/DEL -> address id
    credit_limit: Decimal = wire("financialDetails", "creditLimit")
    credit_term_days: int = wire("financialDetails", "creditTermDays")
    currency_id: int = wire("financialDetails", "currencyId")
    price_list_id: int = wire("financialDetails", "priceListId")
    discount_percentage: Decimal = wire("financialDetails", "discountPercentage")
    tax_number: str = wire("financialDetails", "taxNumber")
    account_reference: str = wire("assignment", "current", "accountReference")
    staff_owner_contact_id: int = wire("assignment", "current", "staffOwnerContactId")
    created_on: datetime | None = wire("createdOn")
    updated_on: datetime | None = wire("updatedOn")
    tag_ids: tuple[int, ...] = ()

    @property
    def full_name(self) -> str:
        """First and last name; the company name when both are empty."""
        return person_name(self.first_name, self.last_name, self.company_name)

    @property
    def is_customer(self) -> bool:
        """Brightpearl has no isCustomer on Contact GET: a customer is neither supplier nor staff."""
        return not (self.is_supplier or self.is_staff)

    @classmethod
    def from_wire(cls, data: Any) -> Contact:
        return cls.read(data, **cls._computed(as_dict(data)))

    @staticmethod
    def _computed(data: dict) -> dict[str, Any]:
        emails = {
            as_str(k): as_str(as_dict(v).get("email"))
            for k, v in as_dict(dig(data, "communication", "emails")).items()
            if as_str(as_dict(v).get("email"))
        }
        telephones = {
            as_str(k): as_str(v) for k, v in as_dict(dig(data, "communication", "telephones")).items() if as_str(v)
        }
        addresses = {as_str(k).upper(): as_int(v) for k, v in as_dict(data.get("postAddressIds")).items() if as_int(v)}
        return {
            "email": emails.get("PRI", ""),
            "emails": MappingProxyType(emails),
            "telephones": MappingProxyType(telephones),
            "post_address_ids": MappingProxyType(addresses),
            "tag_ids": tuple(as_int(t) for t in as_str(data.get("contactTags")).split(",") if as_int(t)),
        }


@model
class ContactSearchRow:
    """One row of `contact-service/contact-search` (API.md §6.2)."""

    contact_id: int = wire("contactId")
    primary_email: str = wire("primaryEmail")
    secondary_email: str = wire("secondaryEmail")
    tertiary_email: str = wire("tertiaryEmail")
    first_name: str = wire("firstName")
    last_name: str = wire("lastName")
    company_name: str = wire("companyName")
    is_supplier: bool = wire("isSupplier")
    is_staff: bool = wire("isStaff")
    is_customer: bool = wire("isCustomer")
    is_primary: bool = wire("isPrimary")
    telephone: str = wire("pri")
    mobile: str = wire("mob")
    created_on: datetime | None = wire("createdOn")
    updated_on: datetime | None = wire("updatedOn")

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.company_name)


@model
class PostalAddress(AddressLines):
    """A postal address resource (API.md §6.4). Addresses carry no name, phone or e-mail: those
    live on the contact."""

    id: int = wire("addressId", or_key="id")
    contact_id: int = wire("contactId")
    country_iso3: str = wire("countryIsoCode")
    country_iso2: str = wire("countryIsoCode2")
    country_id: int = wire("countryId")

    @property
    def lines(self) -> list[str]:
        """The address in display order, ending with the country's ISO code (all an address has)."""
        return self.lines_with(self.country_iso2)


@model
class ContactWithAddresses(Contact):
    """A Contact read with `includeOptional=postalAddresses`: also every postal address linked
    to it, by address id.

    `addresses_included` is False when Brightpearl sent no `postalAddresses` section (the
    parameter's value is UNCONFIRMED, API.md §4.5; a real account may ignore it): then only the
    DEF/BIL/DEL ids of `post_address_ids` are known and must be read one by one.
    """

    postal_addresses: Mapping[int, PostalAddress] = EMPTY
    addresses_included: bool = False

    @classmethod
    def from_wire(cls, data: Any) -> ContactWithAddresses:
        return cls.extend(Contact.from_wire(data), as_dict(data).get("postalAddresses"))

    @classmethod
    def extend(cls, contact: Contact, section: Any = None) -> ContactWithAddresses:
        """`contact` with the addresses of a `postalAddresses` section (None: not sent)."""
        # API note: the sandbox sends a map keyed by address id whose values are shaped like
        # postal-address GET items; a list of such items is accepted too.
        if isinstance(section, dict):
            items = [(key, value) for key, value in section.items() if isinstance(value, dict)]
        else:
            items = [(None, value) for value in as_list(section) if isinstance(value, dict)]
        addresses: dict[int, PostalAddress] = {}
        for key, value in items:
            address = PostalAddress.from_wire(value)
            if not address.id and as_int(key):
                address = PostalAddress.from_wire({**value, "addressId": as_int(key)})
            if address.id:
                addresses[address.id] = address
        base = {name: getattr(contact, name) for name in field_names(Contact)}
        return cls(
            **base,
            postal_addresses=MappingProxyType(addresses),
            addresses_included=isinstance(section, (dict, list)),
        )
