"""A quote as the customer saw it when the checkout started, and what changed since.

    taken = snapshot(order)                      # JSON for the checkout form / outbox payload
    ...
    changes = differences(taken, snapshot(now), status_names={1: "Draft / Quote", ...})
    [c.text for c in changes]   # ["The lines of the quote changed.", "The total changed from £1,392.00 to £1,500.00."]

When the delivery refuses a quote that changed in Brightpearl, the outbox item fails with
result {"outcome": "quote_changed", "seen": <snapshot of the quote then>}: the page shows
`differences(item.payload["fingerprint"], item.result["seen"])` and asks the customer to confirm
again. The fingerprint itself is portal.brightpearl.models.quotes.QuoteFingerprint (shared with
the delivery, which may not import the domain).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.brightpearl.models import Order
from portal.brightpearl.models.quotes import QuoteFingerprint, QuoteLine
from portal.core.formatting import money


@dataclass(frozen=True)
class Difference:
    """One thing that changed: `part` is "lines", "total" or "status"; `text` is for the page."""

    part: str
    text: str


def snapshot(order: Order) -> dict[str, Any]:
    """The fingerprint of `order` (status, lines, total) as JSON."""
    return QuoteFingerprint.of(order).as_json()


def fingerprint(value: Mapping[str, Any] | Order) -> QuoteFingerprint | None:
    """The fingerprint of an order or of its JSON; None for JSON that holds none."""
    if isinstance(value, Order):
        return QuoteFingerprint.of(value)
    return QuoteFingerprint.from_json(value)


def unchanged(taken: Mapping[str, Any], now: Mapping[str, Any] | Order) -> bool:
    """True when `now` is the quote `taken` was a snapshot of, unchanged."""
    before, after = fingerprint(taken), fingerprint(now)
    return before is not None and after is not None and not before.changed_parts(after)


def differences(
    taken: Mapping[str, Any],
    now: Mapping[str, Any] | Order,
    *,
    status_names: Mapping[int, str] | None = None,
) -> list[Difference]:
    """What changed from the snapshot `taken` to `now`, lines first, then total, then status.
    A snapshot that cannot be read counts as every part changed."""
    before, after = fingerprint(taken), fingerprint(now)
    if before is None or after is None:
        return [Difference("lines", "The quote changed since you opened it.")]
    found: list[Difference] = []
    for part in before.changed_parts(after):
        if part == "lines":
            found.append(Difference("lines", _lines_text(before.lines, after.lines)))
        elif part == "total":
            found.append(
                Difference(
                    "total",
                    f"The total changed from {money(before.total, before.currency)} to {money(after.total, after.currency)}.",
                )
            )
        else:
            names = status_names or {}
            old, new = names.get(before.status_id), names.get(after.status_id)
            text = f"The quote's status changed from {old} to {new}." if old and new else "The quote's status changed."
            found.append(Difference("status", text))
    return found


def _lines_text(before: tuple[QuoteLine, ...], after: tuple[QuoteLine, ...]) -> str:
    gone = len([line for line in before if line not in after])
    added = len([line for line in after if line not in before])
    if len(before) != len(after):
        return f"The lines of the quote changed: it had {len(before)} and now has {len(after)}."
    if gone == 1 and added == 1:
        return "One line of the quote changed (its product, quantity or price)."
    return "The lines of the quote changed (products, quantities or prices)."
