"""Shipments as a customer sees them: an order's delivery state in words, its despatches in
order (their carrier links come from portal.core.tracking), the items and quantities each
carried, and per order line what is shipped and what is still to come (`deliveries`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from portal.brightpearl.models import GoodsOutNote, Order, OrderRow

# Brightpearl's shippingStatusCode of an order (API.md §7.1).
SHIPPING_STATES = {
    "NST": "Not applicable",
    "SNS": "Not shipped",
    "SPS": "Part shipped",
    "ASS": "Shipped",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def shipping_state(code: str | None) -> str:
    """The delivery state of an order for people, "–" for a code Brightpearl did not document."""
    return SHIPPING_STATES.get(code or "", "–")


def in_despatch_order(notes: Iterable[GoodsOutNote]) -> list[GoodsOutNote]:
    """An order's despatches, shipped ones first by ship date, then the ones being prepared."""
    return sorted(notes, key=lambda g: (g.shipped_on is None, g.shipped_on or g.created_on or _EPOCH, g.id))


def newest_first(notes: Iterable[GoodsOutNote]) -> list[GoodsOutNote]:
    """Despatches of several orders, the latest shipped (or created) first."""
    return sorted(notes, key=lambda n: (n.shipped_on or n.created_on or _EPOCH, n.id), reverse=True)


# --- what each shipment carried, and what is still to come -----------------------------------
ZERO = Decimal("0")


@dataclass(frozen=True)
class ShippedItem:
    """One item on a shipment: the order line's name and SKU ("" when the note names a row the
    order no longer has) and the quantity this shipment carried."""

    name: str
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class Shipment:
    """One despatch of an order, named for people by its place among the order's despatches."""

    note: GoodsOutNote
    number: int  # 1-based, in despatch order
    count: int  # the order's despatches in all
    items: tuple[ShippedItem, ...]

    @property
    def title(self) -> str:
        """"Shipment 1 of 2", or "Shipment" when it is the only one (never the note's id)."""
        return f"Shipment {self.number} of {self.count}" if self.count > 1 else "Shipment"

    @property
    def state(self) -> str:
        """"Shipped", "Packed" or "Being prepared"."""
        if self.note.shipped:
            return "Shipped"
        return "Packed" if self.note.packed else "Being prepared"


@dataclass(frozen=True)
class LineDelivery:
    """The delivery of one order line: how many were ordered, are shipped, and are on a note
    not shipped yet. `tracked` is False for a line no despatch carries (a free-text row such as
    a delivery charge); `cancelled` when the order is: then nothing is still to come."""

    ordered: Decimal
    shipped: Decimal = ZERO
    preparing: Decimal = ZERO
    tracked: bool = True
    cancelled: bool = False

    @property
    def to_come(self) -> Decimal:
        """Ordered and not shipped yet (including what is being prepared); 0 once cancelled."""
        if self.cancelled or not self.tracked:
            return ZERO
        return max(self.ordered - self.shipped, ZERO)


@dataclass(frozen=True)
class Deliveries:
    """An order's shipments with their items, and the delivery of each order line."""

    shipments: tuple[Shipment, ...]
    lines: Mapping[int, LineDelivery]  # by order row id
    cancelled: bool = False

    def of(self, row: OrderRow) -> LineDelivery:
        """The delivery of one row of the order."""
        return self.lines.get(row.row_id) or LineDelivery(ordered=row.quantity, tracked=False, cancelled=self.cancelled)

    @property
    def shipped(self) -> Decimal:
        return sum((line.shipped for line in self.lines.values() if line.tracked), ZERO)

    @property
    def to_come(self) -> Decimal:
        return sum((line.to_come for line in self.lines.values()), ZERO)

    @property
    def summary(self) -> str:
        """What was shipped of the order in one sentence, "" when there is nothing to say."""
        if not any(line.tracked for line in self.lines.values()):
            return ""
        shipped, to_come = self.shipped, self.to_come
        shipped_text = f"{_count(shipped)} shipped"
        if self.cancelled:
            return f"Order cancelled: {shipped_text}, nothing more to come." if shipped else ""
        if not to_come:
            return f"Everything has been shipped ({_count(shipped)})."
        return f"{shipped_text}, {_count(to_come)} still to come."


def _count(quantity: Decimal) -> str:
    normal = quantity.normalize()
    number = f"{normal:f}" if normal != normal.to_integral() else str(int(normal))
    return f"{number} item{'' if quantity == 1 else 's'}"


def deliveries(order: Order, notes: Iterable[GoodsOutNote], *, cancelled: bool = False) -> Deliveries:
    """Match the despatches' rows to the order's lines: by order row id, else (for a row id the
    order does not have) by product id, to the first line of that product.

    API note: the note's `orderRows` keys are the order's row ids (§9.1); matching by product
    as well keeps a note readable if a row was replaced after despatch. Rows of a note that
    match neither still show on the shipment, with the quantity and no name."""
    notes = in_despatch_order(notes)
    by_id = {row.row_id: row for row in order.rows}
    by_product: dict[int, OrderRow] = {}
    for row in order.rows:
        if row.product_id:
            by_product.setdefault(row.product_id, row)
    shipped: dict[int, Decimal] = {}
    preparing: dict[int, Decimal] = {}
    carried: set[int] = set()
    shipments = []
    for number, note in enumerate(notes, start=1):
        items = []
        for row_id, quantity in note.rows.items():
            row = by_id.get(row_id) or by_product.get(note.products.get(row_id, 0))
            if row is None:
                items.append(ShippedItem(name="", sku="", quantity=quantity))
                continue
            items.append(ShippedItem(name=row.name, sku=row.sku, quantity=quantity))
            carried.add(row.row_id)
            into = shipped if note.shipped else preparing
            into[row.row_id] = into.get(row.row_id, ZERO) + quantity
        shipments.append(Shipment(note=note, number=number, count=len(notes), items=tuple(items)))
    lines = {
        row.row_id: LineDelivery(
            ordered=row.quantity,
            shipped=shipped.get(row.row_id, ZERO),
            preparing=preparing.get(row.row_id, ZERO),
            # A line is delivered goods when it names a product or a despatch carried it.
            tracked=bool(row.product_id) or row.row_id in carried,
            cancelled=cancelled,
        )
        for row in order.rows
    }
    return Deliveries(shipments=tuple(shipments), lines=lines, cancelled=cancelled)
