"""Building contacts in the wire shape of examples/contact-get.json.

Shared by the demo data generator and `POST contact-service/contact`, so generated contacts
and contacts created through the API look alike.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.sandbox import reference as ref
from portal.sandbox.formats import wire_datetime
from portal.sandbox.store import DataStore


def financial_details(
    price_list_id: int, currency: str, credit_limit: int, terms: int, discount: Decimal = Decimal(0),
    nominal: str = "4000", tax_number: str = "", tax_code_id: int = 1,
) -> dict[str, Any]:
    """The `financialDetails` block (creditLimit a JSON number, as recorded)."""
    financial: dict[str, Any] = {
        "priceListId": price_list_id,
        "nominalCode": nominal,
        "taxCodeId": tax_code_id,
        "creditLimit": credit_limit,
        "creditTermDays": terms,
        "currencyId": ref.CURRENCIES[currency]["id"],
        "discountPercentage": float(discount),
        "creditTermTypeId": 1,
    }
    if tax_number:
        financial["taxNumber"] = tax_number
    return financial


def add_contact(
    store: DataStore, contact_id: int, *, salutation: str, first: str, last: str, email: str,
    organisation_id: int, addresses: dict[str, int], financial: dict[str, Any],
    created_on: datetime, updated_on: datetime, is_supplier: bool = False, is_staff: bool = False,
    is_primary: bool = True, telephone: str = "", mobile: str = "", secondary_email: str = "",
    website: str = "", account_manager: int = 0, account_reference: str = "", tags: str = "",
    newsletter: bool = False,
) -> dict[str, Any]:
    """Store a contact (empty communication entries are left out, as Brightpearl does)."""
    emails: dict[str, Any] = {"PRI": {"email": email}} if email else {}
    if secondary_email:
        emails["SEC"] = {"email": secondary_email}
    phones: dict[str, str] = {}
    if telephone:
        phones["PRI"] = telephone
    if mobile:
        phones["MOB"] = mobile
    status_id, status_name = (
        ref.CONTACT_STATUS_STAFF if is_staff
        else ref.CONTACT_STATUS_SUPPLIER if is_supplier
        else ref.CONTACT_STATUS_CUSTOMER
    )
    assignment: dict[str, Any] = {}
    if account_manager:
        assignment["staffOwnerContactId"] = account_manager
    assignment["leadSourceId"] = 3 if not (is_staff or is_supplier) else 0
    if account_reference:
        assignment["accountReference"] = account_reference
    contact = {
        "contactId": contact_id,
        "isPrimaryContact": is_primary,
        "salutation": salutation,
        "firstName": first,
        "lastName": last,
        "postAddressIds": addresses,
        "communication": {
            "emails": emails,
            "telephones": phones,
            "messagingVoips": {},
            "websites": {"PRI": website} if website else {},
        },
        "contactStatus": {"current": {"contactStatusId": status_id, "contactStatusName": status_name}},
        "relationshipToAccount": {"isSupplier": is_supplier, "isStaff": is_staff},
        "marketingDetails": {"isReceiveEmailNewsletter": newsletter},
        "financialDetails": financial,
        "assignment": {"current": assignment},
        "organisation": {"organisationId": organisation_id, "name": store.companies.get(organisation_id, "")},
        "tradeStatus": "UNKNOWN",
        "createdByid": ref.API_USER_ID,
        "createdOn": wire_datetime(created_on, store.zone),
        "updatedOn": wire_datetime(max(created_on, updated_on), store.zone),
        "contactTags": tags,
        "aliases": {},
        "companyId": organisation_id,
    }
    store.contacts[contact_id] = contact
    return contact
