"""What state an order is in, for people: quote, open or closed, and its status's name.

API.md §7.4: status ids and names are per account; the only state Brightpearl defines is
"draft" (quotes, pending purchase orders). So:

- a **quote** is a sales order whose status has the state "draft";
- a sales order is **closed** when its status name says it is invoiced, cancelled, completed
  or closed (`CLOSED_WORDS`), in any letter case, so a merchant's own "Invoiced & shipped"
  counts too;
- every other sales order is **open**, including one whose status the account no longer lists.

For colour, an order is in one of the `OrderState`s (`order_state`): quote, cancelled, done
(invoiced, completed, closed), shipped (all shipped, shippingStatusCode ASS), in progress
(part shipped, SPS) or received (nothing shipped yet). The status name is always shown with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from portal.brightpearl.models import Order, OrderStatus

CLOSED_WORDS = re.compile(r"invoic|cancel|complete|closed", re.IGNORECASE)
CANCELLED_WORDS = re.compile(r"cancel", re.IGNORECASE)
# Without the account's status list (the order page does not read it) a quote is told by its
# status name: "Draft / Quote", "Quote", but not "Quote approved" (an order by then).
QUOTE_WORDS = re.compile(r"draft|quote", re.IGNORECASE)
ACCEPTED_WORDS = re.compile(r"approv|accept|confirm", re.IGNORECASE)
# The name shown for a status the account no longer lists (Brightpearl sent only its id).
UNKNOWN_STATUS = "Other"
# Unknown statuses sort after every known one.
_LAST = 10**6


def is_quote(status: OrderStatus | None) -> bool:
    return status is not None and status.state.strip().casefold() == "draft"


def is_closed(status: OrderStatus | None) -> bool:
    return status is not None and not is_quote(status) and bool(CLOSED_WORDS.search(status.name))


def is_open(status: OrderStatus | None) -> bool:
    return not is_quote(status) and not is_closed(status)


class OrderState(StrEnum):
    """Where an order stands, for its colour (the CSS class `status--<value>`)."""

    QUOTE = "quote"
    RECEIVED = "received"
    PROGRESS = "progress"
    SHIPPED = "shipped"
    DONE = "done"
    CANCELLED = "cancelled"


def order_state(order: Order, status: OrderStatus | None = None) -> OrderState:
    """The state of `order`; `status` is the account's entry for its status when known (then
    its "draft" state decides a quote), else the order's own status name does."""
    name = status.name if status is not None else order.status_name
    if status is not None:
        quote = is_quote(status)
    else:
        quote = bool(QUOTE_WORDS.search(name)) and not ACCEPTED_WORDS.search(name)
    if quote:
        return OrderState.QUOTE
    if CANCELLED_WORDS.search(name):
        return OrderState.CANCELLED
    if CLOSED_WORDS.search(name):
        return OrderState.DONE
    shipping = order.shipping_status_code.strip().upper()
    if shipping == "ASS":
        return OrderState.SHIPPED
    # Stock allocation is the warehouse's business: a customer's order is in progress once
    # part of it has left.
    if shipping == "SPS":
        return OrderState.PROGRESS
    return OrderState.RECEIVED


def status_name(statuses: Mapping[int, OrderStatus], status_id: int | None, given: str = "") -> str:
    """The name to show for an order's status: `given` (the name the order itself carries)
    when there is one, else the account's name for `status_id`, else UNKNOWN_STATUS."""
    if given:
        return given
    status = statuses.get(status_id) if status_id is not None else None
    return status.name if status else UNKNOWN_STATUS


def status_sort_key(statuses: Mapping[int, OrderStatus], status_id: int) -> int:
    """Where a status sorts in lists of statuses: the account's order, unknown ones last."""
    status = statuses.get(status_id)
    return status.sort_order if status else _LAST
