"""The address form (the address book, registration): its fields with Brightpearl's names and
limits, and the cleaning of what was typed. Bad input gets its message beside the field and changes nothing."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from portal.core.countries import BY_ISO3, COUNTRIES, DEFAULT_COUNTRY

# Brightpearl documents no length limits for address fields. These fit every real address we
# know of, keep labels and despatch notes readable, and stay under the 100 characters the
# sandbox accepts per line.
MAX_LINE = 100
MAX_PLACE = 60  # town/city, county/state
MAX_POSTCODE = 16  # the longest postal codes in use are 10 characters

# The country select: ISO 3166-1 alpha-3 code (what Brightpearl takes) and name.
COUNTRY_OPTIONS = tuple((country.iso3, country.name) for country in COUNTRIES)

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
