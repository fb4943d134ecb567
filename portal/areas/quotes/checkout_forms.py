"""The checkout's forms: what each step reads from a submitted form, cleaned, with its errors
by field. Only the named fields are read; anything else sent along is ignored.

Bad input gets its message beside the field and changes nothing (the step is shown again).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from portal.web.address_form import AddressForm, parse_address_form

MAX_PO_REFERENCE = 50  # Brightpearl's order reference field holds the customer's PO number
MAX_INSTRUCTIONS = 500
NEW_ADDRESS = "new"
QUOTE_ADDRESS = "quote"  # the delivery address the quote already has
ON_ACCOUNT = "ON_ACCOUNT"  # pay against the invoice (not a Brightpearl payment-method code)
_IDEM_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _one(form, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _text(raw: str, *, limit: int, multiline: bool) -> tuple[str, str | None]:
    raw = raw.replace("\r\n", "\n")
    if _CONTROL.search(raw) or (not multiline and "\n" in raw.strip()):
        return raw.strip(), "Remove tabs, line breaks and other control characters."
    text = unicodedata.normalize("NFC", raw).strip()
    if not multiline:
        text = " ".join(text.split())
    if len(text) > limit:
        return text, f"Use at most {limit:,} characters (this has {len(text):,})."
    return text, None


def idem_key_of(form) -> str:
    """The form's idempotency key, or "" when it has none that could be one."""
    key = _one(form, "idem_key")
    return key if _IDEM_KEY.match(key) else ""


@dataclass
class DeliveryForm:
    """Step 2: where to deliver (an address key, or a new address) and how to ship."""

    address: str = ""
    new_address: AddressForm | None = None
    shipping_method_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def parse_delivery(form, *, address_keys: Collection[str], shipping_ids: Collection[int]) -> DeliveryForm:
    """The delivery step as sent: `address` must be one of `address_keys` or "new" (then the
    address fields are checked as on the address page); a shipping method, when the merchant
    offers a choice (`shipping_ids`), must be one of them."""
    parsed = DeliveryForm(address=_one(form, "address"))
    if parsed.address == NEW_ADDRESS:
        parsed.new_address = parse_address_form(form)
        parsed.new_address.form_error = None  # the checkout's own key guards the step
        parsed.errors.update({f"address-{name}": error for name, error in parsed.new_address.errors.items()})
    elif parsed.address not in address_keys:
        parsed.errors["address"] = "Choose where we should deliver the order."
    if shipping_ids:
        raw = _one(form, "shipping_method_id")
        method = int(raw) if raw.isdigit() and len(raw) <= 10 else 0
        if method in shipping_ids:
            parsed.shipping_method_id = method
        else:
            parsed.errors["shipping_method_id"] = "Choose a delivery method."
    return parsed


@dataclass
class PaymentForm:
    """Step 3: how the customer pays, their purchase-order reference, delivery instructions."""

    payment: str = ""
    po_reference: str = ""
    instructions: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def choices(self) -> dict[str, str]:
        return {"payment": self.payment, "po_reference": self.po_reference, "instructions": self.instructions}


def parse_payment(form, *, payments: Mapping[str, str | None]) -> PaymentForm:
    """The payment step as sent. `payments` maps each offered way to pay to None when it may be
    chosen, else to why not (on account beyond the credit left, say). With no way offered at
    all, the payment is left to be agreed ("")."""
    parsed = PaymentForm(payment=_one(form, "payment"))
    if payments:
        if parsed.payment not in payments:
            parsed.errors["payment"] = "Choose how you will pay."
        elif payments[parsed.payment]:
            parsed.errors["payment"] = str(payments[parsed.payment])
    else:
        parsed.payment = ""
    parsed.po_reference, error = _text(_one(form, "po_reference"), limit=MAX_PO_REFERENCE, multiline=False)
    if error:
        parsed.errors["po_reference"] = error
    parsed.instructions, error = _text(_one(form, "instructions"), limit=MAX_INSTRUCTIONS, multiline=True)
    if error:
        parsed.errors["instructions"] = error
    return parsed
