"""A customer's new delivery address, created in Brightpearl and linked to their contact,
exactly once (write kind `postal_address`; payload: see `address_payload`).

Two steps (API.md §6.4, §14):

1. `POST contact-service/postal-address/` with the address -> its new id, recorded at once with
   `save({"address_id": id})`;
2. `PUT contact-service/contact/{contact}/postal-address` with `[{"postalAddressId": id}]`, plus
   `"type": "DEL"` when the customer asked for it to become the default delivery address.

Step 2 may be repeated safely (linking the same address again changes nothing), so every
attempt after the id is saved goes straight to it.  Step 1 may not: when its answer was lost
after Brightpearl committed, a second POST would create a second address.  Brightpearl has no
idempotency key and no address search, so a retry that has no saved id first *looks*:

- Brightpearl ids only grow and are never reused (API.md, "IDs"), so the address created by a
  lost POST has an id above every address id the portal knew when the customer submitted the
  form.  That id (`known_max_id`) is part of the outbox payload.
- The retry reads the addresses above it with ID-set GETs (`postal-address/{from}-{to}`, 200 ids
  a call, at most `SCAN_WINDOWS` calls, stopping at the first range with no address at all) and
  adopts the lowest one with exactly the same content that belongs to no other contact.

API note (guess, UNCONFIRMED): a new postal address belongs to no contact (contactId absent or
0) until step 2 links it; an address linked to this contact in the meantime is accepted too.
Only an address with the same lines, postcode and country is adopted; at worst (thousands of
addresses created in the account since the form was shown, or none known) the retry posts
again and an unlinked copy stays behind in Brightpearl, never a second address on the contact.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from typing import Any

from ..client import BrightpearlClient
from ..errors import BrightpearlBadRequest, BrightpearlNotFound, UnknownOutcome, is_none_found
from ..models import PostalAddress, as_int
from .attempt import WriteAttempt

log = logging.getLogger("portal.outbox")

KIND = "postal_address"

# The wire fields of a new address, in Brightpearl's names (API.md §6.4): line 1 street,
# 2 locality, 3 town, 4 county/state.
ADDRESS_FIELDS = ("addressLine1", "addressLine2", "addressLine3", "addressLine4", "postalCode", "countryIsoCode")

SCAN_WINDOW = 200  # ids per ID-set GET (Brightpearl's usual limit, API.md §4.2)
SCAN_WINDOWS = 5  # ID-set GETs a retry may spend looking for its address


def address_payload(address: dict[str, str], *, default_delivery: bool, known_max_id: int) -> dict[str, Any]:
    """The outbox payload of a new address: the wire fields, whether it becomes the default
    delivery address, and the highest address id the portal knew when the form was shown."""
    return {
        "address": {key: str(address.get(key, "")) for key in ADDRESS_FIELDS},
        "default_delivery": bool(default_delivery),
        "known_max_id": max(0, int(known_max_id)),
    }


async def deliver(client: BrightpearlClient, attempt: WriteAttempt, save: Callable[[dict], None]) -> dict:
    """Create the address (once) and link it to the contact; return {"address_id": id}."""
    contact_id = attempt.contact_id
    if not contact_id:
        raise BrightpearlBadRequest("this login is not linked to a Brightpearl contact")
    payload = attempt.payload
    result: dict[str, Any] = {}
    address_id = as_int(attempt.result.get("address_id"))
    if not address_id and attempt.retry:
        address_id = await find_created_address(client, payload, contact_id)
        if address_id:
            result["adopted"] = True
            save({"address_id": address_id, "adopted": True})
    if not address_id:
        created = await client.post("contact-service/postal-address/", payload["address"])
        address_id = as_int(created)
        if not address_id:
            # Committed or not, we cannot tell: the next attempt looks before posting again.
            raise UnknownOutcome(f"postal-address POST answered {created!r} instead of an id")
        save({"address_id": address_id})
    link: dict[str, Any] = {"postalAddressId": address_id}
    if payload.get("default_delivery"):
        link["type"] = "DEL"
    # API note: we assume this PUT adds (or re-types) the listed links and leaves the contact's
    # other addresses alone, as the docs' "associate" wording suggests (UNCONFIRMED).
    await client.put(f"contact-service/contact/{int(contact_id)}/postal-address", [link])
    return {**result, "address_id": address_id}


async def find_created_address(client: BrightpearlClient, payload: dict, contact_id: int) -> int:
    """The id of an address an earlier attempt created for this payload, or 0 when none is found.

    Reads the ids above `known_max_id` a range at a time (see the module docstring)."""
    # API note: relies on ids growing and never being reused (API.md §0, HC:211125046), on a
    # new address having no contact until it is linked (UNCONFIRMED), and on ranges of 200 ids
    # being accepted by postal-address GET (the limit is documented for other resources only).
    wanted = fingerprint(payload["address"])
    start = max(0, as_int(payload.get("known_max_id"))) + 1
    for _ in range(SCAN_WINDOWS):
        end = start + SCAN_WINDOW - 1
        try:
            found = await client.get(f"contact-service/postal-address/{start}-{end}")
        except BrightpearlNotFound as exc:
            if is_none_found(exc):
                return 0  # no address at all in this range: none was created after it either
            raise
        items = found if isinstance(found, list) else []
        addresses = [PostalAddress.from_wire(item) for item in items if isinstance(item, dict)]
        if not addresses:
            return 0
        matches = sorted(
            a.id
            for a in addresses
            if a.id and a.contact_id in (0, contact_id) and fingerprint(_wire_fields(a)) == wanted
        )
        if matches:
            return matches[0]
        start = end + 1
    log.warning("no earlier postal address found in %d ids above %s: posting again", SCAN_WINDOW * SCAN_WINDOWS,
                payload.get("known_max_id"))
    return 0


def fingerprint(fields: dict[str, Any]) -> tuple[str, ...]:
    """The content of an address, compared loosely: Unicode NFC, case and runs of spaces do not
    matter (Brightpearl may store "ls10 1ab" as "LS10 1AB")."""
    return tuple(
        " ".join(unicodedata.normalize("NFC", str(fields.get(key) or "")).split()).casefold() for key in ADDRESS_FIELDS
    )


def _wire_fields(address: PostalAddress) -> dict[str, str]:
    return {
        "addressLine1": address.line1,
        "addressLine2": address.line2,
        "addressLine3": address.line3,
        "addressLine4": address.line4,
        "postalCode": address.postal_code,
        "countryIsoCode": address.country_iso3,
    }
