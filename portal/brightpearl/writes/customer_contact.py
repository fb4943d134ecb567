"""A new web customer's Brightpearl contact, created exactly once (write kind
`customer_contact`; payload: see `portal.accounts.registrations.new_contact_payload`).

Two steps (API addendum G.1), each recorded as soon as it is done:

1. `POST contact-service/postal-address` with the address -> its id (`save({"address_id"})`);
2. `POST contact-service/contact/` with the person, their e-mail as PRI and the address as
   DEF, BIL and DEL -> the contact id.

A retry whose earlier attempt may have landed looks first, by the e-mail (addendum G.2): the
registration was only let through when no contact had that primary e-mail, so a customer
contact that has it now was made by the earlier attempt (or by the merchant for this person in
the meantime), and it is adopted instead of posting a second one. The address step is not
looked for: a lost address POST leaves at worst an address linked to no contact in
Brightpearl, never a second contact.

API note (guess, UNCONFIRMED): the contact POST accepts a body without `organisation` for a
private person (addendum G.1); the company name, when given, goes to `organisation.name`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..client import BrightpearlClient
from ..errors import UnknownOutcome
from ..models import ContactSearchRow, as_int
from .attempt import WriteAttempt

KIND = "customer_contact"


async def deliver(client: BrightpearlClient, attempt: WriteAttempt, save: Callable[[dict], None]) -> dict:
    """Create the address and the contact (each once); return {"contact_id", "address_id"}."""
    payload = attempt.payload
    contact_id = as_int(attempt.result.get("contact_id"))
    if contact_id:
        return {"contact_id": contact_id}
    if attempt.retry:
        found = await find_contact(client, payload["email"])
        if found:
            save({"contact_id": found, "adopted": True})
            return {"contact_id": found, "adopted": True}
    address_id = as_int(attempt.result.get("address_id"))
    if not address_id:
        created = await client.post("contact-service/postal-address", dict(payload["address"]))
        address_id = as_int(created)
        if not address_id:
            raise UnknownOutcome(f"postal-address POST answered {created!r} instead of an id")
        save({"address_id": address_id})
    body: dict[str, Any] = {
        "firstName": payload.get("first_name") or "",
        "lastName": payload.get("last_name") or "",
        "postAddressIds": {"DEF": address_id, "BIL": address_id, "DEL": address_id},
        "communication": {"emails": {"PRI": {"email": payload["email"]}}},
    }
    if payload.get("phone"):
        body["communication"]["telephones"] = {"PRI": payload["phone"]}
    if payload.get("company"):
        body["organisation"] = {"name": payload["company"]}
    created = await client.post("contact-service/contact/", body)
    contact_id = as_int(created)
    if not contact_id:
        raise UnknownOutcome(f"contact POST answered {created!r} instead of an id")
    save({"contact_id": contact_id})
    return {"contact_id": contact_id, "address_id": address_id}


async def find_contact(client: BrightpearlClient, email: str) -> int:
    """The lowest id of a customer contact whose primary e-mail is exactly `email`, or 0."""
    found = await client.search("contact-service/contact-search", {"primaryEmail": email})
    wanted = email.strip().casefold()
    ids = sorted(
        row.contact_id
        for row in (ContactSearchRow.from_wire(r) for r in found.rows)
        if row.contact_id and row.primary_email.strip().casefold() == wanted and not row.is_supplier and not row.is_staff
    )
    return ids[0] if ids else 0
