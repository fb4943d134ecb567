"""Quotes as customers see them: sales orders whose shown state is "quote"
(portal.domain.status_labels), with the day until which each stands.

A quote stands until the day in the order custom field the admin names (order defaults
`quote_valid_until_field`) when the quote has one, else until its delivery date in Brightpearl
when it has one (the merchant sets it on the quote), else for the admin's number of days (order defaults `quote_validity_days`) from the
day it was placed, counted in the merchant's time zone. It stands through that whole day and is
**expired** from the day after: an expired quote says so and cannot be accepted.

Nothing here calls Brightpearl or reads the clock: callers pass the data and "today".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

from portal.brightpearl.models import Order
from portal.brightpearl.models.wire import as_calendar_date
from portal.domain.order_lines import PricedLines, priced_lines
from portal.domain.order_states import OrderState
from portal.domain.status_labels import StatusLabels

SALES_ORDER = "SO"


def is_quote(labels: StatusLabels, order: Order) -> bool:
    """True when `order` is a sales order shown to the customer as a quote."""
    return order.order_type_code == SALES_ORDER and labels.for_order(order).state == OrderState.QUOTE.value


def valid_until(order: Order, validity_days: int, zone: tzinfo, field: str = "") -> date | None:
    """The last day the quote stands: the day in its custom field `field` (the admin's, when
    set and the order holds a date there), else its delivery date, else the day it was placed
    (or created) plus `validity_days`; None when Brightpearl gives none of these."""
    named = custom_field_day(order.custom_fields, field) if field else None
    if named is not None:
        return named
    if order.delivery_date is not None:
        return order.delivery_date
    placed = order.placed_on or order.created_on
    if placed is None:
        return None
    return placed.astimezone(zone).date() + timedelta(days=validity_days)


def custom_field_day(custom_fields: Mapping[str, Any], code: str) -> date | None:
    """The calendar day the custom field `code` holds, or None (absent, empty, not a date).

    API note (API-ADDENDUM E.5): Order GET with `includeOptional=customFields` gives
    `customFields` as code -> raw value. A DATE field's value is ASSUMED to come as text: a plain
    "YYYY-MM-DD", or a moment ("2026-12-20T00:00:00.000+00:00", or the recorded
    "2026-12-20 00:00:00 +0000" with a space and no colon in the offset), read by the rule of
    the model's date-only fields (as_calendar_date). Select lists come as {"id", "value"}, so a
    mapping is read through its "value" (or "date"). Anything else is ignored: a junk value must
    not make a quote expire. The code is matched exactly, else ignoring case (an admin may type
    "pcf_validto")."""
    if code in custom_fields:
        raw = custom_fields[code]
    else:
        wanted = code.casefold()
        raw = next((value for key, value in custom_fields.items() if str(key).casefold() == wanted), None)
    if isinstance(raw, Mapping):
        raw = raw.get("value", raw.get("date"))
    if not isinstance(raw, str):
        return None  # numbers, booleans, lists: not a day a merchant typed
    return as_calendar_date(raw)


@dataclass(frozen=True)
class Quote:
    """One quote with what its pages show besides the order itself."""

    order: Order
    label: str  # the status label the customer sees ("Quote")
    valid_until: date | None
    expired: bool

    @property
    def number(self) -> str:
        return str(self.order.id)

    @property
    def placed(self) -> date | None:
        moment = self.order.placed_on or self.order.created_on
        return moment.date() if moment is not None else None

    @property
    def lines(self) -> PricedLines:
        return priced_lines(self.order)

    @property
    def file_name(self) -> str:
        return f"quote-{self.order.id}.pdf"


def quote(order: Order, labels: StatusLabels, validity_days: int, zone: tzinfo, today: date,
          valid_until_field: str = "") -> Quote:
    """`order` (already known to be a quote of the user) as a Quote on `today`; its last day
    is read from the custom field `valid_until_field` when it holds one."""
    until = valid_until(order, validity_days, zone, valid_until_field)
    return Quote(order=order, label=labels.for_order(order).label, valid_until=until,
                 expired=until is not None and until < today)
