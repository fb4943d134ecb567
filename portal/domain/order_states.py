"""What state an order is in, for people: quote, open or closed, and its status's name.

API.md §7.4: status ids and names are per account; the only state Brightpearl defines is
"draft" (quotes, pending purchase orders). So:

- a **quote** is a sales order whose status has the state "draft";
- a sales order is **closed** when its status name says it is invoiced, cancelled, completed
  or closed (`CLOSED_WORDS`), in any letter case, so a merchant's own "Invoiced & shipped"
  counts too;
- every other sales order is **open**, including one whose status the account no longer lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from portal.brightpearl.models import OrderStatus

CLOSED_WORDS = re.compile(r"invoic|cancel|complete|closed", re.IGNORECASE)
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
