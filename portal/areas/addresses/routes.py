"""Delivery addresses (customers): the contact's postal addresses in Brightpearl, the ones still
on their way there, and a form to add one.

A new address is committed to the outbox first and delivered from there (exactly once, see
portal/brightpearl/address_writes.py), so it is never lost when Brightpearl is slow or down;
until Brightpearl has it the list says honestly where it is.

Brightpearl offers no update or delete for postal addresses (API.md §6.4), so the page offers
neither and says how to ask for a change instead.

Brightpearl calls: the contact with its addresses (1), plus one postal-address GET only for
addresses that answer left out (a real account may ignore includeOptional): cold <= 2, warm 0.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from litestar import Request, get, post
from litestar.response import Redirect, Template

from portal.brightpearl.access import may_see_address
from portal.brightpearl.address_writes import POSTAL_ADDRESS, address_payload
from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.models import as_int
from portal.countries import BY_ISO3, COUNTRIES, DEFAULT_COUNTRY, country_name
from portal.outbox import OutboxConflict
from portal.pages.common import is_htmx, page, requires_role
from portal.services import Services, services
from portal.users import User

# Brightpearl documents no length limits for address fields. These fit every real address we
# know of, keep labels and despatch notes readable, and stay under the 100 characters the
# sandbox accepts per line.
MAX_LINE = 100
MAX_PLACE = 60  # town/city, county/state
MAX_POSTCODE = 16  # the longest postal codes in use are 10 characters

# Every address is permanent in Brightpearl (there is no delete), so a runaway script must not
# be able to fill the merchant's system with them.
MAX_PER_HOUR = 10

ROLE_ORDER = ("DEF", "BIL", "DEL")
ROLE_LABELS = {"DEF": "Main address", "BIL": "Billing", "DEL": "Default delivery"}

_IDEM_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]*$")
# Bidirectional overrides and isolates can make text display differently from what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class FormField:
    name: str  # the form field
    label: str
    wire: str  # Brightpearl's field (API.md §6.4: line 3 is the town, line 4 the county)
    limit: int
    required: bool
    autocomplete: str
    missing: str = ""  # the error when a required field is empty


FIELDS = (
    FormField(
        "line1", "Address line 1", "addressLine1", MAX_LINE, True, "address-line1", "Enter the first line of the address."
    ),
    FormField("line2", "Address line 2 (optional)", "addressLine2", MAX_LINE, False, "address-line2"),
    FormField("town", "Town or city", "addressLine3", MAX_PLACE, True, "address-level2", "Enter the town or city."),
    FormField("county", "County or state (optional)", "addressLine4", MAX_PLACE, False, "address-level1"),
    FormField("postcode", "Postcode", "postalCode", MAX_POSTCODE, True, "postal-code", "Enter the postcode."),
)


@dataclass
class AddressForm:
    """The add-address form: what was typed (cleaned), and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    country: str = DEFAULT_COUNTRY
    default_delivery: bool = False
    idem_key: str = ""
    known_max_id: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    form_error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.form_error is None

    @property
    def first_error(self) -> str:
        """The first field with an error, in form order ("" when none): it gets the focus."""
        order = [f.name for f in FIELDS] + ["country"]
        return next((name for name in order if name in self.errors), "")

    def wire(self) -> dict[str, str]:
        """The address in Brightpearl's field names."""
        fields = {f.wire: self.values.get(f.name, "") for f in FIELDS}
        fields["countryIsoCode"] = self.country
        return fields


@dataclass(frozen=True)
class ShownAddress:
    """One entry of the list: an address Brightpearl has, or one on its way there."""

    key: str
    lines: list[str]
    country: str
    roles: list[str] = field(default_factory=list)
    state: str = "done"  # done | sending | waiting | failed
    company: bool = False  # the company's address, inherited from its main contact
    will_be_default: bool = False  # a pending address the customer asked to make the default
    submitted_at: datetime | None = None


@dataclass
class Book:
    """The address list of one contact and what the form needs to know."""

    addresses: list[ShownAddress] = field(default_factory=list)
    available: bool = True  # False: Brightpearl could not be asked (only pending ones shown)
    missing: bool = False  # the login's contact does not exist in Brightpearl
    complete: bool = True  # False: Brightpearl may have addresses it did not list
    known_max_id: int = 0
    default_country: str = DEFAULT_COUNTRY

    @property
    def poll_seconds(self) -> int:
        """How often the list should refresh itself: 0 when nothing is on its way."""
        states = {a.state for a in self.addresses}
        if "sending" in states:
            return 3
        return 15 if "waiting" in states else 0


# --- the form ----------------------------------------------------------------------------------
def clean_text(raw: str, spec: FormField) -> tuple[str, str | None]:
    """Return (value, error): trimmed, spaces collapsed, NFC; refused with control characters,
    over the length limit, or empty when required."""
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in raw):
        return raw.strip(), "Remove line breaks, tabs and other control characters."
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if spec.name == "postcode":
        text = text.upper()
    if len(text) > spec.limit:
        return text, f"Use at most {spec.limit} characters (this has {len(text)})."
    if spec.required and not any(ch.isalnum() for ch in text):
        return text, spec.missing
    if spec.name == "postcode" and not _POSTCODE.match(text):
        return text, "Use only letters, numbers, spaces and hyphens."
    return text, None


def parse_address_form(form) -> AddressForm:
    """Validate a submitted form. Only the fields below are read: a contact id or anything else
    sent along is ignored (the address always goes to the logged-in contact)."""
    parsed = AddressForm()
    for spec in FIELDS:
        sent = form.getall(spec.name, []) if hasattr(form, "getall") else [form.get(spec.name, "")]
        if len(sent) > 1:
            parsed.errors[spec.name] = "Send this field only once."
        raw = sent[0] if sent else ""
        if not isinstance(raw, str):
            parsed.errors.setdefault(spec.name, "Type the address as text.")
            raw = ""
        value, error = clean_text(raw, spec)
        parsed.values[spec.name] = value
        if error and spec.name not in parsed.errors:
            parsed.errors[spec.name] = error
    code = str(form.get("country", "")).strip().upper()
    parsed.country = code if code in BY_ISO3 else ""
    if not parsed.country:
        parsed.errors["country"] = "Choose a country from the list."
    parsed.default_delivery = str(form.get("default_delivery", "")).lower() in {"1", "on", "true", "yes"}
    key = str(form.get("idem_key", ""))
    known = str(form.get("known_max_id", ""))
    parsed.known_max_id = int(known) if known.isdigit() and len(known) <= 10 else 0
    if _IDEM_KEY.match(key):
        parsed.idem_key = key
    else:
        parsed.idem_key = new_key()
        parsed.form_error = parsed.form_error or "This form had expired. Check the details and send it again."
    return parsed


def new_key() -> str:
    """A fresh idempotency key: one per rendered form, so a double submit adds one address."""
    return secrets.token_urlsafe(16)


def blank_form(book: Book) -> AddressForm:
    return AddressForm(country=book.default_country, idem_key=new_key(), known_max_id=book.known_max_id)


# --- the list ----------------------------------------------------------------------------------
async def load_book(svc: Services, user: User) -> Book:
    """The contact's addresses (ownership checked) followed by the ones still on their way."""
    rows = svc.outbox.open_rows(kind=POSTAL_ADDRESS, contact_id=user.contact_id)
    delivered = delivered_address_ids(svc, user.contact_id)
    saved = {as_int(json.loads(r["result"] or "{}").get("address_id")) for r in rows} - {0}
    book = Book(known_max_id=max(delivered | saved, default=0))
    shown_ids: set[int] = set()
    try:
        contact = await svc.bp.contact_with_addresses(user.contact_id)
        if contact is None:
            book.missing = True
        else:
            found = dict(contact.postal_addresses)
            linked = set(found) | delivered
            wanted = set(contact.post_address_ids.values())
            if not contact.addresses_included:
                # Brightpearl sent no postalAddresses section: only the defaults and the
                # addresses the portal itself added can be looked up.
                wanted |= delivered
                book.complete = False
            missing_ids = sorted(wanted - set(found))
            if missing_ids:
                found.update(await svc.bp.postal_addresses(missing_ids))
            mine = [a for a in found.values() if may_see_address(user, contact, a, linked_ids=linked)]
            book.addresses = _in_brightpearl(contact, mine)
            shown_ids = {a.id for a in mine}
            book.known_max_id = max([book.known_max_id, *found, *contact.post_address_ids.values()])
            book.default_country = _home_country(contact, found)
    except BrightpearlError:
        book.available = False
    for row in rows:
        result = json.loads(row["result"] or "{}")
        if as_int(result.get("address_id")) in shown_ids:
            continue  # Brightpearl has it already; the row only awaits its last step
        book.addresses.append(_on_its_way(row))
    return book


def _in_brightpearl(contact, addresses) -> list[ShownAddress]:
    roles_of: dict[int, list[str]] = {}
    for role in ROLE_ORDER:
        address_id = contact.post_address_ids.get(role)
        if address_id:
            roles_of.setdefault(address_id, []).append(role)

    def order(address) -> tuple:
        roles = roles_of.get(address.id, [])
        return (min((ROLE_ORDER.index(r) for r in roles), default=len(ROLE_ORDER)), address.id)

    shown = []
    for address in sorted(addresses, key=order):
        roles = roles_of.get(address.id, [])
        shown.append(
            ShownAddress(
                key=f"address-{address.id}",
                lines=_lines(address.line1, address.line2, address.line3, address.line4, address.postal_code),
                country=country_name(address.country_iso3 or address.country_iso2),
                roles=[ROLE_LABELS[r] for r in roles],
                company=address.contact_id not in (0, contact.id),
            )
        )
    return shown


def _on_its_way(row: dict) -> ShownAddress:
    payload = json.loads(row["payload"])
    wire = payload.get("address", {})
    if row["state"] == "failed":
        state = "failed"
    elif row["state"] == "pending" and row["attempts"]:
        state = "waiting"
    else:
        state = "sending"
    return ShownAddress(
        key=f"pending-{row['id']}",
        lines=_lines(*(wire.get(f.wire, "") for f in FIELDS)),
        country=country_name(wire.get("countryIsoCode")),
        state=state,
        will_be_default=bool(payload.get("default_delivery")),
        submitted_at=datetime.fromisoformat(row["created_at"]),
    )


def _lines(*parts: str) -> list[str]:
    return [p for p in (str(x or "").strip() for x in parts) if p]


def _home_country(contact, addresses: dict) -> str:
    """The country of the contact's main address (else of any of its addresses), else GB."""
    candidates = [addresses.get(contact.post_address_ids.get(role, 0)) for role in ROLE_ORDER]
    candidates += list(addresses.values())
    for address in candidates:
        if address is not None and address.country_iso3.upper() in BY_ISO3:
            return address.country_iso3.upper()
    return DEFAULT_COUNTRY


def delivered_address_ids(svc: Services, contact_id: int) -> set[int]:
    """Ids of the addresses the portal has delivered for this contact."""
    rows = svc.db.query(
        "select result from outbox where kind = ? and contact_id = ? and state = 'done'", [POSTAL_ADDRESS, contact_id]
    )
    return {as_int(json.loads(r["result"] or "{}").get("address_id")) for r in rows} - {0}


def _context(book: Book, form: AddressForm, message: tuple[str, str] | None = None) -> dict:
    return {
        "book": book,
        "form": form,
        "fields": FIELDS,
        "countries": COUNTRIES,
        "message": message,
    }


# --- routes ------------------------------------------------------------------------------------
@get("/addresses", name="addresses", guards=[requires_role("customer")])
async def addresses_page(request: Request) -> Template:
    """The address list and the add form; htmx (the list refreshing itself) gets the list alone."""
    user: User = request.scope["user"]
    book = await load_book(services(request), user)
    if is_htmx(request):
        return page(request, "partials/address_list.html", book=book)
    return page(request, "views/addresses.html", **_context(book, blank_form(book)))


@post("/addresses", name="add_address", status_code=200, guards=[requires_role("customer")])
async def add_address(request: Request) -> Template | Redirect:
    """Add a delivery address: outbox first, then one delivery attempt; the list shows the result."""
    user: User = request.scope["user"]
    svc = services(request)
    form = parse_address_form(await request.form())
    status = 400
    message = None
    if form.ok and svc.outbox.submitted_since(user_id=user.id, kind=POSTAL_ADDRESS, since=timedelta(hours=1)) >= MAX_PER_HOUR:
        form.form_error = (
            f"You have added {MAX_PER_HOUR} addresses in the last hour. Please wait a while, "
            "or contact us if you need more."
        )
        status = 429
    if form.ok:
        before = await load_book(svc, user)
        # What the form was shown with; never above what the portal knows now.
        known = min(form.known_max_id, before.known_max_id) if before.available else form.known_max_id
        try:
            row = svc.outbox.submit(
                user_id=user.id,
                contact_id=user.contact_id,
                kind=POSTAL_ADDRESS,
                idem_key=form.idem_key,
                payload=address_payload(form.wire(), default_delivery=form.default_delivery, known_max_id=known),
                audit=lambda: svc.audit.record(
                    "address.add",
                    actor_user_id=user.id,
                    actor_email=user.email,
                    ip=request.client.host if request.client else "",
                    target=f"contact:{user.contact_id}",
                    detail={"country": form.country, "default_delivery": form.default_delivery},
                ),
            )
        except OutboxConflict:
            form.form_error = (
                "This form was already sent with other details. Check the list, then add the address again."
            )
            form.idem_key = new_key()
            status = 409
        else:
            row = await svc.outbox.deliver_now(row)
            if not is_htmx(request):
                return Redirect(request.app.route_reverse("addresses"), status_code=303)
            message = _outcome(row)
            status = 200
    book = await load_book(svc, user)
    if status == 200:
        form = blank_form(book)
    context = _context(book, form, message)
    if is_htmx(request):
        return page(request, "partials/address_book.html", status_code=status, **context)
    return page(request, "views/addresses.html", status_code=status, **context)


def _outcome(row: dict) -> tuple[str, str]:
    """(kind, text) of the message after an address was submitted: done, pending or failed."""
    if row["state"] == "done":
        return "done", "Address added."
    if row["state"] == "failed":
        return "failed", "Our system did not accept this address. We have been told and will sort it out."
    return "pending", "Address saved. It is on its way to our system and will appear in the list shortly."


route_handlers = [addresses_page, add_address]
