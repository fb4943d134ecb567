"""The parts of a page that may fail on their own, and the one way to read them.

Each page names its *essential* data (the order for the order page, the list for a list page)
and reads it plainly: when that fails, the error page says why (portal.web.errors). Everything
else a page shows is a *part* (shipping method names, shipments, comments, a balance, the price
list, the account manager), read through `PageParts.read`. When Brightpearl cannot give a part,
the part takes its default, the rest of the page is rendered as usual, and the template shows a
note in the part's place:

    parts = PageParts()
    notes, shipments = await asyncio.gather(
        parts.read("comments", bp.orders.notes(order.id), ()),
        parts.read("shipments", bp.warehouse.goods_out_notes(order.id), ()),
    )
    return {..., "unavailable": parts.unavailable}

    {{ parts.note(unavailable, "shipments") }}          (partials/_parts.html)

An outage (timeouts, 5xx, throttling, the open breaker) is logged as a warning; anything else
(a 404 for a path the portal needs, a refused request, rejected credentials) is an error and is
logged with its traceback. The visitor reads the same note either way: there is nothing else
they could do about it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from types import MappingProxyType
from typing import TypeVar

from portal.brightpearl.errors import BrightpearlError, BrightpearlUnavailable

log = logging.getLogger("portal.parts")

T = TypeVar("T")

# What each part is called on the page (the note begins with it).
LABELS: Mapping[str, str] = MappingProxyType(
    {
        "comments": "Earlier comments",
        "shipments": "Shipments",
        "shipping_methods": "Delivery methods",
        "statuses": "Order statuses",
        "balance": "Your balance",
        "price_list": "Your price list",
        "account_manager": "Your account manager",
        "currency": "The currency of these amounts",
        "addresses": "Your addresses in our system",
        "amounts_paid": "What has been paid",
    }
)


def log_degraded(part: str, error: BrightpearlError) -> None:
    """Log that `part` of a page is shown without Brightpearl's data: an outage as a warning,
    anything else (our request, a 404 for a path we need, credentials) as an error with its
    traceback. Every degraded part is logged here, whatever the page does in its place."""
    if isinstance(error, BrightpearlUnavailable):
        log.warning("part %r of the page degraded: Brightpearl unavailable: %r", part, str(error))
    else:
        log.error("part %r of the page degraded: %r", part, str(error), exc_info=error)


def note_for(part: str) -> str:
    """What the page says in place of a part it cannot show."""
    return f"{LABELS.get(part, part.replace('_', ' ').capitalize())} can’t be shown right now — try again in a minute."


class PageParts:
    """The optional parts of one page (one request): read each with `read`; `unavailable` maps
    the name of each part that could not be read to the note to show instead."""

    def __init__(self) -> None:
        self.unavailable: dict[str, str] = {}

    async def read(self, part: str, value: Awaitable[T], default: T, *, note: bool = True) -> T:
        """`await value`, or `default` (and a note for `part`) when Brightpearl fails it.
        `note=False` when `default` fully stands in for the value (worked out another way):
        the failure is logged, the page says nothing."""
        try:
            return await value
        except BrightpearlError as error:
            log_degraded(part, error)
        if note:
            self.unavailable[part] = note_for(part)
        return default

    def failed(self, part: str) -> bool:
        return part in self.unavailable
