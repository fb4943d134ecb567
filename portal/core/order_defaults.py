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
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = value.get(item.name)
            if item.name in ("notification_email", "quote_terms"):
                values[item.name] = raw[:MAX_QUOTE_TERMS] if isinstance(raw, str) else ""
            elif item.name == "quote_validity_days":
                valid = isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_QUOTE_VALIDITY_DAYS
                if raw is not None and not valid:
                    log.warning("setting %s: %s = %r ignored", SETTINGS_KEY, item.name, raw)
                values[item.name] = raw if valid else DEFAULT_QUOTE_VALIDITY_DAYS
            elif raw is None:
                values[item.name] = None
            elif isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < MAX_ID:
                values[item.name] = raw
            else:
                log.warning("setting %s: %s = %r ignored", SETTINGS_KEY, item.name, raw)
                values[item.name] = None
        return cls(**values)


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
