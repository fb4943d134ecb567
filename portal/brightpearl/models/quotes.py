"""What the customer saw of a quote, as a value: its status, lines and total.

A checkout takes `QuoteFingerprint.of(order)` when it is rendered and puts `as_json()` in the
outbox payload; the delivery re-reads the quote and compares (portal.brightpearl.writes), and
the page says what changed (portal.domain.quote_snapshot). It lives beside the models because
both the Brightpearl writes and the domain use it, and they may import only models in common.

Amounts and quantities are kept as normalised decimal strings ("8", "206.4"), so "8.0000" and
"8" are the same line; lines are sorted, so Brightpearl listing rows in another order is no
change. A free-text line (no product) is known by its name; a product line by its product.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .orders import Order, OrderRow


def canonical(value: Decimal | str | int | None) -> str:
    """A decimal as a normalised string: "8.0000" -> "8", "206.40" -> "206.4", "0E-4" -> "0"."""
    try:
        number = Decimal(str(value if value is not None else 0))
    except (InvalidOperation, ValueError):
        return "0"
    if not number.is_finite():
        return "0"
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


@dataclass(frozen=True, order=True)
class QuoteLine:
    product_id: int
    name: str  # only for a free-text line (product_id 0); "" for a product line
    quantity: str
    net: str
    tax: str

    @classmethod
    def of(cls, row: OrderRow) -> QuoteLine:
        return cls(
            product_id=row.product_id,
            name="" if row.product_id else row.name.strip(),
            quantity=canonical(row.quantity),
            net=canonical(row.net),
            tax=canonical(row.tax),
        )

    def as_json(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "name": self.name, "quantity": self.quantity, "net": self.net, "tax": self.tax}


@dataclass(frozen=True)
class QuoteFingerprint:
    status_id: int
    currency: str
    total: str
    lines: tuple[QuoteLine, ...]

    @classmethod
    def of(cls, order: Order) -> QuoteFingerprint:
        return cls(
            status_id=order.status_id,
            currency=order.currency_code,
            total=canonical(order.total),
            lines=tuple(sorted(QuoteLine.of(row) for row in order.rows)),
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON value the outbox payload carries."""
        return {
            "status_id": self.status_id,
            "currency": self.currency,
            "total": self.total,
            "lines": [line.as_json() for line in self.lines],
        }

    @classmethod
    def from_json(cls, value: object) -> QuoteFingerprint | None:
        """The fingerprint a payload holds, or None when it holds none that can be read."""
        if not isinstance(value, Mapping):
            return None
        try:
            lines = tuple(
                sorted(
                    QuoteLine(
                        product_id=int(line.get("product_id") or 0),
                        name=str(line.get("name") or ""),
                        quantity=canonical(line.get("quantity")),
                        net=canonical(line.get("net")),
                        tax=canonical(line.get("tax")),
                    )
                    for line in value.get("lines") or []
                )
            )
            return cls(
                status_id=int(value.get("status_id") or 0),
                currency=str(value.get("currency") or ""),
                total=canonical(value.get("total")),
                lines=lines,
            )
        except (AttributeError, TypeError, ValueError):
            return None

    def changed_parts(self, now: QuoteFingerprint) -> tuple[str, ...]:
        """Which of "lines", "total", "status" differ in `now` (empty: the same quote)."""
        parts = []
        if self.lines != now.lines:
            parts.append("lines")
        if (self.total, self.currency) != (now.total, now.currency):
            parts.append("total")
        if self.status_id != now.status_id:
            parts.append("status")
        return tuple(parts)
