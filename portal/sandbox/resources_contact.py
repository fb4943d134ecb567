"""contact-service: contacts, postal addresses, contact search (API.md §6)."""

from __future__ import annotations

import copy
from typing import Any

from portal.sandbox import reference as ref
from portal.sandbox.contacts import add_contact, financial_details
from portal.sandbox.errors import ApiError, bad_patch, invalid, not_found
from portal.sandbox.formats import wire_datetime
from portal.sandbox.routing import Request, Response, Router, empty_ok, existing, ok, options_uris, path_ids, path_int
from portal.sandbox.search import run_search
from portal.sandbox.search_columns import CONTACT_SEARCH
from portal.sandbox.store import DataStore, order_contact_id, primary_email

MAX_CONTACT_PAGE = 200
ADDRESS_TYPES = ("DEF", "BIL", "DEL")

routes = Router()


def _contact(data: DataStore, text: str) -> dict[str, Any]:
    contact = data.contacts.get(path_int(text))
    if contact is None:
        raise not_found("No Contact Found")
    return contact


def _email(contact: dict[str, Any], key: str) -> str:
    return str(contact["communication"]["emails"].get(key, {}).get("email", ""))


def _with_optional(data: DataStore, contact: dict[str, Any], optional: set[str]) -> dict[str, Any]:
    if "postalAddresses" not in optional:
        return contact
    # API note: the includeOptional value and the section's layout are UNCONFIRMED (§4.5); the
    # sandbox returns every address linked to the contact as a map keyed by address id,
    # each value shaped like a postal-address GET item.
    body = dict(contact)
    linked = {a["addressId"]: a for a in data.addresses_for(contact["contactId"])}
    for address_id in contact["postAddressIds"].values():
        if address_id in data.addresses:
            linked.setdefault(address_id, data.addresses[address_id])
    body["postalAddresses"] = {str(k): linked[k] for k in sorted(linked)}
    return body


@routes.route("GET", "/contact-service/contact[/{ids}]", "get-contact")
def get_contacts(req: Request, ids: str | None = None) -> Response:
    """contact[/{ID-SET}]: up to 200 contacts per page with top-level pagination/sorting.

    With no ID set, or more than 200 ids, one page is returned (§6.1); `firstResult`,
    `pageSize` (≤200) and `sort=contactId.ASC|DESC` page through it.  No match -> 404.
    """
    data = req.data
    wanted = data.contacts.keys() if ids is None else path_ids(ids, limit=None) or []
    found = [i for i in wanted if i in data.contacts]
    if not found:
        raise not_found("No Contact Found")
    direction = "DESC" if req.query.get("sort", "").upper().endswith(".DESC") else "ASC"
    found.sort(reverse=direction == "DESC")
    first = int(req.query["firstResult"]) if req.query.get("firstResult", "").isdigit() else 1
    size = int(req.query["pageSize"]) if req.query.get("pageSize", "").isdigit() else MAX_CONTACT_PAGE
    size = max(1, min(size, MAX_CONTACT_PAGE))
    first = max(first, 1)
    page = found[first - 1 : first - 1 + size]
    optional = req.include_optional()
    pagination: dict[str, Any] = {
        "morePagesAvailable": first - 1 + len(page) < len(found),
        "resultsReturned": len(page),
        "firstResult": first,
        "lastResult": first - 1 + len(page),
    }
    return Response(200, {
        "response": [_with_optional(data, data.contacts[i], optional) for i in page],
        "pagination": pagination,
        "sorting": [{"field": "contactId", "direction": direction}],
    })


@routes.route("OPTIONS", "/contact-service/contact/{ids}", "options-contact")
def options_contacts(req: Request, ids: str) -> Response:
    return options_uris("contact", req.data.contacts, ids, MAX_CONTACT_PAGE)


_PATCHABLE = {
    "/salutation": ("salutation",),
    "/firstName": ("firstName",),
    "/lastName": ("lastName",),
    **{f"/communication/telephones/{k}": ("communication", "telephones", k) for k in ("PRI", "SEC", "MOB", "FAX")},
    **{f"/communication/emails/{k}/email": ("communication", "emails", k) for k in ("PRI", "SEC", "TER")},
    "/marketingDetails/isReceiveEmailNewsletter": ("marketingDetails", "isReceiveEmailNewsletter"),
    "/leadTime": ("leadTime",),
    "/companyId": ("companyId",),
}


@routes.route("PATCH", "/contact-service/contact/{contact_id}", "patch-contact")
def patch_contact(req: Request, contact_id: str) -> Response:
    """PATCH contact/{id} (JSON Patch on the documented paths) -> the updated contact object."""
    data = req.data
    contact = _contact(data, contact_id)
    updated = copy.deepcopy(contact)
    for operation in req.json_list():
        if not isinstance(operation, dict):
            raise bad_patch(None, None)
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        keys = _PATCHABLE.get(str(path))
        if keys is None or op not in ("add", "replace", "remove", "test"):
            raise bad_patch(op, path)
        is_email = keys[:2] == ("communication", "emails")
        parent: dict[str, Any] = updated
        for key in keys[:-1]:
            parent = parent.setdefault(key, {})
        last = keys[-1]
        current = parent.get(last, {}).get("email") if is_email else parent.get(last)
        if op == "test":
            if current != value:
                raise invalid(f"Test failed for path {path}")
            continue
        if op == "remove":
            if path in ("/communication/emails/PRI/email", "/marketingDetails/isReceiveEmailNewsletter", "/companyId"):
                raise bad_patch(op, path)
            parent.pop(last, None)
            continue
        if path == "/marketingDetails/isReceiveEmailNewsletter" and not isinstance(value, bool):
            raise invalid(f"{path} must be true or false")
        if path == "/companyId":
            if value not in data.companies:
                raise invalid(f"Company {value} does not exist")
            updated["organisation"] = {"organisationId": value, "name": data.companies[value]}
        elif path in ("/salutation", "/firstName", "/lastName") and (not isinstance(value, str) or len(value) > 32):
            raise invalid(f"{path} must be a string of at most 32 characters")
        elif not isinstance(value, (str, int)):
            raise invalid(f"{path} has an invalid value")
        parent[last] = {"email": value} if is_email else value
    updated["updatedOn"] = wire_datetime(req.now, req.data.zone)
    data.contacts[contact["contactId"]] = updated
    return ok(updated)


@routes.route("GET", "/contact-service/postal-address/{ids}", "get-postal-address")
def get_addresses(req: Request, ids: str) -> Response:
    """postal-address/{ID-SET}: existing addresses in no particular order."""
    found = existing(req.data.addresses, ids)
    if not found:
        # API note: the empty answer is UNCONFIRMED; 404 CMNC-404 like other contact GETs.
        raise not_found("No postal addresses found")
    return ok(found)


def _country(body: dict[str, Any]) -> str:
    """The ISO3 country of a new address, or the validation error."""
    iso = body.get("countryIsoCode")
    if iso is not None:
        if not isinstance(iso, str) or len(iso) != 3 or iso.upper() not in ref.COUNTRIES:
            raise invalid("countryIsoCode must be a 3-letter ISO country code")
        return iso.upper()
    country_id = body.get("countryId")
    if isinstance(country_id, int) and country_id in ref.COUNTRY_BY_ID:
        return ref.COUNTRY_BY_ID[country_id]
    raise invalid("A country is required: countryIsoCode (3 letters) or countryId")


@routes.route("POST", "/contact-service/postal-address", "post-postal-address")
def post_address(req: Request) -> Response:
    """POST postal-address: `{addressLine1 (required), addressLine2..4, postalCode, country}`.

    API note: a new address belongs to no contact (contactId 0) until it is linked with
    PUT contact/{id}/postal-address (UNCONFIRMED).
    """
    body = req.json_object()
    errors: list[str] = []
    line1 = body.get("addressLine1")
    if not isinstance(line1, str) or not line1.strip():
        errors.append("addressLine1 is required")
    for key in ("addressLine1", "addressLine2", "addressLine3", "addressLine4", "postalCode"):
        value = body.get(key, "")
        if value is not None and not isinstance(value, str):
            errors.append(f"{key} must be a string")
        elif value and len(value) > 100:
            errors.append(f"{key} must be at most 100 characters")
    try:
        iso3 = _country(body)
    except ApiError as exc:
        errors.extend(message for _, message in exc.errors)
        iso3 = ""
    if errors:
        raise invalid(*errors)
    country = ref.COUNTRIES[iso3]
    fields = {
        "addressLine1": line1.strip(),
        "addressLine2": body.get("addressLine2") or "",
        "addressLine3": body.get("addressLine3") or "",
        "addressLine4": body.get("addressLine4") or "",
        "postalCode": body.get("postalCode") or "",
        "countryIsoCode": iso3,
        "countryIsoCode2": country["iso2"],
        "countryId": country["id"],
    }
    return ok(req.data.add_address(fields))


@routes.route("PUT", "/contact-service/contact/{contact_id}/postal-address", "put-contact-postal-address")
def put_contact_addresses(req: Request, contact_id: str) -> Response:
    """PUT contact/{id}/postal-address: link addresses, optionally as DEF/BIL/DEL (all or nothing)."""
    data = req.data
    contact = _contact(data, contact_id)
    cid = contact["contactId"]
    links = req.json_list()
    checked: list[tuple[int, str | None]] = []
    for n, link in enumerate(links):
        if not isinstance(link, dict) or not isinstance(link.get("postalAddressId"), int):
            raise invalid(f"[{n}].postalAddressId is required")
        address = data.addresses.get(link["postalAddressId"])
        if address is None:
            raise invalid(f"Postal address {link['postalAddressId']} does not exist")
        if address["contactId"] not in (0, cid):
            raise invalid(f"Postal address {address['addressId']} belongs to another contact")
        kind = link.get("type")
        if kind is not None and kind not in ADDRESS_TYPES:
            raise invalid(f"[{n}].type must be DEF, BIL, DEL or omitted")
        if kind in ("DEF", "BIL") and not contact["isPrimaryContact"]:
            raise invalid(f"A secondary contact cannot set its {kind} address; it is inherited from the company")
        checked.append((address["addressId"], kind))
    for address_id, kind in checked:
        data.addresses[address_id]["contactId"] = cid
        if kind is not None:
            contact["postAddressIds"][kind] = address_id
    contact["updatedOn"] = wire_datetime(req.now, req.data.zone)
    return empty_ok()


@routes.route("POST", "/contact-service/contact/{contact_id}/note", "post-contact-note")
def post_contact_note(req: Request, contact_id: str) -> Response:
    """POST contact/{id}/note `{text, isPublic?, addedOn?}` -> note id (response assumed)."""
    data = req.data
    contact = _contact(data, contact_id)
    body = req.json_object()
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise invalid("text is required")
    note_id = data.ids.take("contact_note")
    data.contact_notes[note_id] = {
        "noteId": note_id, "contactId": contact["contactId"], "text": text,
        "isPublic": bool(body.get("isPublic", False)), "addedOn": wire_datetime(req.now, req.data.zone),
        "addedBy": req.api_user_id,
    }
    return ok(note_id)


def _text(body: dict[str, Any], key: str, limit: int) -> str:
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise invalid(f"{key} must be a string of at most {limit} characters")
    return value


@routes.route("POST", "/contact-service/contact", "post-contact")
def post_contact(req: Request) -> Response:
    """POST contact: a new contact -> its id (§6.3).

    API note: the nesting of organisation/relationshipToAccount/financialDetails on POST is
    UNCONFIRMED; the sandbox accepts the GET shape.  An `organisation.name` that matches an
    existing company links to it, otherwise a company is created.
    """
    data = req.data
    body = req.json_object()
    salutation, first, last = _text(body, "salutation", 32), _text(body, "firstName", 32), _text(body, "lastName", 32)
    if not (first or last):
        raise invalid("firstName or lastName is required")
    communication = body.get("communication") or {}
    emails = communication.get("emails") or {}
    phones = communication.get("telephones") or {}
    addresses = body.get("postAddressIds") or {}
    if not isinstance(addresses, dict):
        raise invalid("postAddressIds must be an object")
    for kind, address_id in addresses.items():
        address = data.addresses.get(address_id) if isinstance(address_id, int) else None
        if kind not in ADDRESS_TYPES or address is None:
            raise invalid(f"postAddressIds.{kind} is not a valid postal address")
        if address["contactId"] != 0:
            raise invalid(f"Postal address {address_id} belongs to another contact")
    organisation = body.get("organisation") or {}
    company_id = body.get("companyId")
    if company_id is not None and company_id not in data.companies:
        raise invalid(f"Company {company_id} does not exist")
    relation = body.get("relationshipToAccount") or {}
    financial_in = body.get("financialDetails") or {}
    price_list_id = financial_in.get("priceListId", ref.PRICE_LIST_TRADE)
    if price_list_id not in ref.PRICE_LIST_BY_ID:
        raise invalid(f"Invalid price list id: {price_list_id}")
    currency = ref.CURRENCY_BY_ID.get(financial_in.get("currencyId", 1))
    if currency is None:
        raise invalid("Invalid currencyId")
    if company_id is None:
        name = str(organisation.get("name") or "").strip()
        company_id = next((cid for cid, existing in data.companies.items() if name and existing == name), None)
        if company_id is None:
            company_id = data.ids.take("organisation")
            data.companies[company_id] = name
    contact_id = data.ids.take("contact")
    add_contact(
        data, contact_id, salutation=salutation, first=first, last=last,
        email=str((emails.get("PRI") or {}).get("email") or ""), organisation_id=company_id,
        addresses={k: addresses[k] for k in ADDRESS_TYPES if k in addresses},
        financial=financial_details(price_list_id, currency, int(financial_in.get("creditLimit", 0) or 0),
                                    int(financial_in.get("creditTermDays", 30) or 0)),
        created_on=req.now, updated_on=req.now,
        is_supplier=bool(relation.get("isSupplier", False)), is_staff=bool(relation.get("isStaff", False)),
        is_primary=not any(c["companyId"] == company_id for c in data.contacts.values()),
        telephone=str(phones.get("PRI") or ""), mobile=str(phones.get("MOB") or ""),
        secondary_email=str((emails.get("SEC") or {}).get("email") or ""),
        newsletter=bool((body.get("marketingDetails") or {}).get("isReceiveEmailNewsletter", False)),
    )
    for address_id in addresses.values():
        data.addresses[address_id]["contactId"] = contact_id
    return ok(contact_id)


@routes.route("POST", "/contact-service/company", "post-company")
def post_company(req: Request) -> Response:
    """POST company `{name}` -> company id (response shape assumed, as in the example)."""
    body = req.json_object()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("name is required")
    company_id = req.data.ids.take("organisation")
    req.data.companies[company_id] = name.strip()
    return ok(company_id)


@routes.search("/contact-service/contact-search", CONTACT_SEARCH)
def contact_search(req: Request) -> Response:
    data = req.data
    last_ordered: dict[int, str] = {}
    for order in data.orders.values():
        if order["orderTypeCode"] == "SO":
            owner = order_contact_id(order)
            if order["placedOn"] > last_ordered.get(owner, ""):
                last_ordered[owner] = order["placedOn"]
    records = []
    for contact in data.iter_contacts():
        relation = contact["relationshipToAccount"]
        phones = contact["communication"]["telephones"]
        company = data.company_name(contact)
        nominal = str(contact["financialDetails"].get("nominalCode", ""))
        records.append({
            "contactId": contact["contactId"],
            "primaryEmail": primary_email(contact),
            "secondaryEmail": _email(contact, "SEC"),
            "tertiaryEmail": _email(contact, "TER"),
            "firstName": contact.get("firstName", ""),
            "lastName": contact.get("lastName", ""),
            "isSupplier": relation["isSupplier"],
            "companyName": company,
            "isStaff": relation["isStaff"],
            "isCustomer": not (relation["isSupplier"] or relation["isStaff"]),
            "createdOn": contact["createdOn"],
            "updatedOn": contact["updatedOn"],
            "lastContactedOn": None,
            "lastOrderedOn": last_ordered.get(contact["contactId"]),
            "nominalCode": int(nominal) if nominal.isdigit() else None,
            "isPrimary": contact["isPrimaryContact"],
            "pri": phones.get("PRI", ""),
            "sec": phones.get("SEC", ""),
            "mob": phones.get("MOB", ""),
            "exactCompanyName": company,
            "title": contact.get("salutation", ""),
        })
    return run_search(CONTACT_SEARCH, records, req.query, zone=req.data.zone)
