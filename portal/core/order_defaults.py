"""How the portal places orders in Brightpearl: the admin's choices, kept in SQLite.

Integrations such as BrightConnect ask for the same settings: the channel, warehouse and
price-list fallback of the orders the portal places, their lead source and project, the status
of a quote the customer accepts and of an order placed from the portal, and the address the
merchant is told at; and for quotes, how many days one stands when Brightpearl gives it no
delivery date, and the merchant's terms printed on it. An admin sets them on /admin/orders.

Every field may be left unset: None follows Brightpearl (the first channel, its warehouse and
price list, the statuses named "Quote approved" and "New web order"; see
`portal.domain.order_defaults.resolve`, which needs Brightpearl's lists and so lives above
core). The store keeps only what the admin chose, under the settings key `order_defaults`.

    store = OrderDefaultsStore(site_settings)
    store.current()            # OrderDefaults, from memory after the first read
    store.save(OrderDefaults(channel_id=4, notification_email="orders@example.com"))

One store per process (portal.web.components): `save` replaces the copy in memory, so the next
`current()` of every request sees it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from portal.core.site_settings import SiteSettings

log = logging.getLogger("portal.core.order_defaults")

SETTINGS_KEY = "order_defaults"
MAX_ID = 2**31  # Brightpearl ids are positive 32-bit integers
# How long a quote stands when Brightpearl gives it no delivery date (days from when it was placed).
DEFAULT_QUOTE_VALIDITY_DAYS = 30
MAX_QUOTE_VALIDITY_DAYS = 366
MAX_QUOTE_TERMS = 4000  # characters of the merchant's terms shown on quotes
MAX_FIELD_CODE = 64  # characters of a custom field's code (Brightpearl's look like "PCF_VALIDTO")
MAX_CHOICES = 50  # payment methods or shipping methods offered at checkout

# How a customer's accepted quote reaches Brightpearl.
ACCEPT_IN_PLACE = "accept"  # the quote moves to the accepted status, with a note (Brightpearl's way)
NEW_ORDER = "order"  # a new sales order from the quote's lines; the quote moves to "converted"
PLACEMENTS = (ACCEPT_IN_PLACE, NEW_ORDER)


@dataclass(frozen=True)
class OrderDefaults:
    """What the admin chose; None (or "" for the address) leaves the choice to Brightpearl."""

    channel_id: int | None = None
    warehouse_id: int | None = None
    price_list_id: int | None = None  # used when the customer's contact names no price list
    lead_source_id: int | None = None  # Brightpearl's API has no list of lead sources: a number
    project_id: int | None = None  # nor of projects: a number
    quote_accepted_status_id: int | None = None
    portal_order_status_id: int | None = None
    notification_email: str = ""
    quote_validity_days: int = DEFAULT_QUOTE_VALIDITY_DAYS  # a quote without a delivery date stands this long
    quote_terms: str = ""  # the merchant's terms, shown on every quote (plain text)
    quote_placement: str = ACCEPT_IN_PLACE  # ACCEPT_IN_PLACE | NEW_ORDER
    quote_converted_status_id: int | None = None  # a quote an order was placed from
    quote_changes_status_id: int | None = None  # a quote the customer asked to change
    quote_declined_status_id: int | None = None  # a quote the customer declined
    quote_valid_until_field: str = ""  # an order custom field holding the quote's last day
    payment_method_codes: tuple[str, ...] = ()  # Brightpearl payment methods offered at checkout
    on_account: bool = True  # "on account" (pay against the invoice) offered, within the credit left
    shipping_method_ids: tuple[int, ...] = ()  # the methods a customer may choose; () keeps the quote's

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: object) -> OrderDefaults:
        """The defaults a stored value holds; fields that are missing or not valid are unset
        (a hand-edited row never breaks ordering), and logged."""
        if not isinstance(value, Mapping):
            if value is not None:
                log.warning("setting %s is not a JSON object; using Brightpearl's defaults", SETTINGS_KEY)
            return cls()
        default = cls()
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = value.get(item.name)
            parsed = _PARSERS.get(item.name, _id)(raw)
            if parsed is _INVALID:
                if raw is not None:
                    log.warning("setting %s: %s = %r ignored", SETTINGS_KEY, item.name, raw)
                parsed = getattr(default, item.name)
            values[item.name] = parsed
        return cls(**values)


_INVALID = object()


def _is_int(raw: object) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool)


def _id(raw: object) -> object:
    if raw is None:
        return None
    return raw if _is_int(raw) and 0 < raw < MAX_ID else _INVALID  # type: ignore[operator]


def _text(limit: int):
    def parse(raw: object) -> object:
        return raw[:limit] if isinstance(raw, str) else _INVALID

    return parse


def _validity(raw: object) -> object:
    return raw if _is_int(raw) and 0 < raw <= MAX_QUOTE_VALIDITY_DAYS else _INVALID  # type: ignore[operator]


def _placement(raw: object) -> object:
    return raw if raw in PLACEMENTS else _INVALID


def _flag(raw: object) -> object:
    return raw if isinstance(raw, bool) else _INVALID


def _codes(raw: object) -> object:
    if not isinstance(raw, list | tuple) or not all(isinstance(c, str) and 0 < len(c) <= MAX_FIELD_CODE for c in raw):
        return _INVALID
    return tuple(dict.fromkeys(raw))[:MAX_CHOICES]


def _ids(raw: object) -> object:
    if not isinstance(raw, list | tuple) or not all(_is_int(i) and 0 < i < MAX_ID for i in raw):
        return _INVALID
    return tuple(dict.fromkeys(raw))[:MAX_CHOICES]


_PARSERS = {
    "notification_email": _text(320),
    "quote_terms": _text(MAX_QUOTE_TERMS),
    "quote_validity_days": _validity,
    "quote_placement": _placement,
    "quote_valid_until_field": _text(MAX_FIELD_CODE),
    "payment_method_codes": _codes,
    "on_account": _flag,
    "shipping_method_ids": _ids,
}


class OrderDefaultsStore:
    """The stored OrderDefaults, read once and kept in memory until saved again."""

    def __init__(self, site_settings: SiteSettings) -> None:
        self.site_settings = site_settings
        self._lock = threading.Lock()
        self._current: OrderDefaults | None = None

    def current(self) -> OrderDefaults:
        """The saved defaults (OrderDefaults() when none were ever saved)."""
        current = self._current
        if current is None:
            current = OrderDefaults.from_json(self.site_settings.get(SETTINGS_KEY))
            with self._lock:
                self._current = current
        return current

    def save(self, defaults: OrderDefaults) -> OrderDefaults:
        """Store `defaults` (replacing all of the earlier ones); return them."""
        with self._lock:
            self.site_settings.set(SETTINGS_KEY, defaults.as_json())
            self._current = defaults
        return defaults

    def forget(self) -> None:
        """Drop the copy in memory (after the row was changed by other means, e.g. a restore)."""
        with self._lock:
            self._current = None
