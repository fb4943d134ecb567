"""An order's lines as people read them: unit price and line amount on one basis, so that the
unit price times the quantity (less any discount) is the line amount shown, and the lines add
up to a row of the totals block. The order page, the print view and the PDF all show this.

The basis follows the order's price mode (API.md §7.1, addendum I.2):

- EXC (tax-exclusive; also any other or missing mode): unit price and line amount exclude tax.
  The line amount is rowNet; the lines add up to the Net row, then Tax, then Total.
- INC (tax-inclusive): `productPrice` includes tax while rowNet does not. Unit price and line
  amount include tax; the line amount is rowNet + rowTax; the lines add up to the Total row,
  and the Net and Tax rows say how that total splits.

Rows without a price (older orders, addendum I.4) show rowNet / quantity, plus rowTax /
quantity when the order is INC. That price is what was charged after any discount, so such a
row shows no discount of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.brightpearl.models import Order, OrderRow

ZERO = Decimal("0")
INCLUSIVE = "INC"


@dataclass(frozen=True)
class PricedLine:
    """One row of an order with the unit price and amount shown for it."""

    row: OrderRow
    unit_price: Decimal
    discount: Decimal  # percent taken off unit price x quantity; 0 for none
    amount: Decimal


@dataclass(frozen=True)
class PricedLines:
    """The lines of one order and its totals, on the basis of the order's price mode."""

    includes_tax: bool
    lines: tuple[PricedLine, ...]
    net: Decimal
    tax: Decimal
    total: Decimal

    @property
    def basis(self) -> str:
        """What the unit prices and line amounts are: "incl. tax" or "excl. tax"."""
        return "incl. tax" if self.includes_tax else "excl. tax"

    @property
    def has_discount(self) -> bool:
        """True when some line shows a discount (the discount column is shown only then)."""
        return any(line.discount for line in self.lines)

    @property
    def lines_total_label(self) -> str:
        """The totals row the line amounts add up to: "Total" (INC) or "Net" (EXC)."""
        return "Total" if self.includes_tax else "Net"


def includes_tax(order: Order) -> bool:
    """True when the order's row prices include tax (priceModeCode INC)."""
    # API note: only INC and EXC are documented; a missing or unknown mode is read as EXC,
    # Brightpearl's default, so nothing is ever labelled "incl. tax" on a guess.
    return order.price_mode.strip().upper() == INCLUSIVE


def priced_line(row: OrderRow, *, with_tax: bool) -> PricedLine:
    """`row` shown tax-inclusive (`with_tax`) or tax-exclusive."""
    unit_price = row.unit_price
    if not row.price_given and with_tax:
        unit_price += row.unit_tax  # a derived price is net: add the row's tax per unit
    discount = row.discount_percentage if row.price_given else ZERO
    return PricedLine(row=row, unit_price=unit_price, discount=discount, amount=row.total if with_tax else row.net)


def priced_lines(order: Order) -> PricedLines:
    """The order's lines and totals as the order page, the print view and the PDF show them."""
    with_tax = includes_tax(order)
    return PricedLines(
        includes_tax=with_tax,
        lines=tuple(priced_line(row, with_tax=with_tax) for row in order.rows),
        net=order.net,
        tax=order.tax,
        total=order.total,
    )
