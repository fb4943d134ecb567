"""Quotes as customers see them: sales orders whose shown state is "quote"
(portal.domain.status_labels), with the day until which each stands.

A quote stands until its delivery date in Brightpearl when it has one (the merchant sets it on
the quote), else for the admin's number of days (order defaults `quote_validity_days`) from the
day it was placed, counted in the merchant's time zone. It stands through that whole day and is
**expired** from the day after: an expired quote says so and cannot be accepted.

Nothing here calls Brightpearl or reads the clock: callers pass the data and "today".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from portal.brightpearl.models import Order
from portal.domain.order_lines import PricedLines, priced_lines
from portal.domain.order_states import OrderState
from portal.domain.status_labels import StatusLabels

SALES_ORDER = "SO"


def is_quote(labels: StatusLabels, order: Order) -> bool:
    """True when `order` is a sales order shown to the customer as a quote."""
    return order.order_type_code == SALES_ORDER and labels.for_order(order).state == OrderState.QUOTE.value


def valid_until(order: Order, validity_days: int, zone: tzinfo) -> date | None:
    """The last day the quote stands: its delivery date, else the day it was placed (or
    created) plus `validity_days`; None when Brightpearl gives neither date."""
    if order.delivery_date is not None:
        return order.delivery_date
    placed = order.placed_on or order.created_on
    if placed is None:
        return None
    return placed.astimezone(zone).date() + timedelta(days=validity_days)


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


def quote(order: Order, labels: StatusLabels, validity_days: int, zone: tzinfo, today: date) -> Quote:
    """`order` (already known to be a quote of the user) as a Quote on `today`."""
    until = valid_until(order, validity_days, zone)
    return Quote(order=order, label=labels.for_order(order).label, valid_until=until,
                 expired=until is not None and until < today)
