"""Invoices and credit notes as the list, the print view and the PDF show them, built from
orders the caller has read (and checked are the user's).

Nothing here calls Brightpearl or reads the clock: callers pass the data and "today", so the
rules (what is a document, paid or overdue) can be tested on constructed data with fixed dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.brightpearl.models import Order, OrderSearchRow, OrderType, StatementLine
from portal.domain.order_lines import PricedLines, priced_lines
from portal.domain.statement import is_payment

ZERO = Decimal("0")

# --- invoices and credit notes ---------------------------------------------------------------
INVOICE, CREDIT = "invoice", "credit"
KIND_LABELS = {INVOICE: "Invoice", CREDIT: "Credit note"}
KIND_BY_ORDER_TYPE = {OrderType.SALES_ORDER: INVOICE, OrderType.SALES_CREDIT: CREDIT}
DOCUMENT_TYPES = tuple(KIND_BY_ORDER_TYPE)  # the order types whose orders are documents


@dataclass(frozen=True)
class PaymentState:
    """How far a document is settled, in words for the customer. `key` names a CSS modifier."""

    key: str
    label: str
    overdue: bool = False


@dataclass(frozen=True)
class Settlement:
    """What a document comes to, what has been paid against it and what is still due, as the
    statement lines of its order say; positive for invoices and credit notes alike (a credit
    note's `paid` is what was refunded, its `due` the credit still open)."""

    total: Decimal
    paid: Decimal
    due: Decimal


def settlements(lines: Iterable[StatementLine]) -> dict[int, Settlement]:
    """Order id -> Settlement from the document lines (invoices, credit notes) of a statement;
    payment lines are left out, since each document line carries its own paid and due amounts.
    The same figures the dashboard's overdue tile shows."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for line in lines:
        if not line.order_id or is_payment(line):
            continue
        # API note: credit notes come with negative amounts (sandbox; UNCONFIRMED on real
        # accounts): read each line by the sign of its invoice amount, so both signs work.
        sign = -1 if line.invoice_amount < 0 else 1
        found = sums[line.order_id]
        found[0] += sign * line.invoice_amount
        found[1] += sign * line.paid_amount
        found[2] += sign * line.due_amount
    return {order_id: Settlement(*amounts) for order_id, amounts in sums.items()}


def payment_state(order: Order, today: date, settlement: Settlement | None = None) -> PaymentState:
    """The payment state of an invoice (paid / part paid / unpaid, overdue when not fully paid
    after its due date) or of a credit note (refunded / part refunded / open credit).

    With the invoice's `settlement` (its statement line) the amounts decide, so the list and the
    overdue tile agree; without it, the order's payment status does."""
    status = order.payment_status.strip().upper()
    if settlement is not None and document_kind(order) == INVOICE and settlement.total > 0:
        if settlement.due <= 0:
            status = "PAID"
        else:
            status = "UNPAID" if settlement.paid <= 0 else "PARTIALLY_PAID"
    if document_kind(order) == CREDIT:
        # A credit note is "paid" when the money went back to the customer.
        labels = {"PAID": ("refunded", "Refunded"), "PARTIALLY_PAID": ("part", "Part refunded")}
        key, label = labels.get(status, ("open", "Open credit"))
        return PaymentState(key, label)
    labels = {"PAID": ("paid", "Paid"), "PARTIALLY_PAID": ("part", "Part paid"), "UNPAID": ("unpaid", "Unpaid")}
    if status not in labels:
        # API note: NOT_APPLICABLE and unknown codes (e.g. the UI's "Authorised") are shown
        # without a claim either way (API.md §7.1).
        return PaymentState("none", "–")
    key, label = labels[status]
    due = due_date(order)
    # Calendar days on both sides: due on the 30th is overdue from the merchant's 1st.
    overdue = status != "PAID" and due is not None and due < today
    return PaymentState(key, label, overdue)


def document_kind(order: Order) -> str:
    """INVOICE for a sales order, CREDIT for a sales credit, "" for anything else."""
    return KIND_BY_ORDER_TYPE.get(order.order_type, "")


def is_document(order: Order | None) -> bool:
    """True when `order` is an invoice or credit note: a sales order or sales credit whose
    `invoices[]` carries its number (Order.is_invoiced). A tax date or a status named
    "Invoiced" is no sign of one (addendum I.3). The one rule for lists, counts and links."""
    return order is not None and document_kind(order) != "" and order.is_invoiced


def issue_date(order: Order) -> date | None:
    """The tax date of the document (its date, a calendar day)."""
    invoice = order.invoice
    return invoice.tax_date if invoice else None


def due_date(order: Order) -> date | None:
    """When an invoice is due; None for credit notes (nothing is due from the customer)."""
    if document_kind(order) != INVOICE:
        return None
    invoice = order.invoice
    return invoice.due_date if invoice else None


@dataclass(frozen=True)
class Document:
    """One invoice or credit note: what the list row, the print view and the PDF show."""

    order: Order
    kind: str
    number: str
    issued_on: date | None
    due_on: date | None
    state: PaymentState
    settlement: Settlement | None = None  # None: the statement could not be read

    @property
    def total(self) -> Decimal:
        return self.settlement.total if self.settlement is not None else abs(self.order.total)

    @property
    def owed(self) -> bool:
        """True for an invoice not fully paid (what the "unpaid" filter keeps)."""
        if self.kind != INVOICE:
            return False
        if self.settlement is not None:
            return self.settlement.due > 0
        return self.state.key in ("unpaid", "part")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "Document")

    @property
    def currency(self) -> str:
        return self.order.currency_code

    @property
    def file_name(self) -> str:
        """A safe download name: `invoice-SI-20931.pdf`, `credit-note-SC-1209.pdf`."""
        stem = "invoice" if self.kind == INVOICE else "credit-note"
        number = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in self.number)
        number = number.strip(".-")[:64] or str(self.order.id)
        return f"{stem}-{number}.pdf"

    @property
    def lines(self) -> PricedLines:
        """The rows with unit prices and amounts in the order's price mode (INC or EXC)."""
        return priced_lines(self.order)

    @property
    def tax_summary(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(rate %, net, tax) per tax rate of the rows, lowest rate first."""
        totals: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for row in self.order.rows:
            totals[row.tax_rate][0] += row.net
            totals[row.tax_rate][1] += row.tax
        return [(rate, net, tax) for rate, (net, tax) in sorted(totals.items())]


def document(order: Order, today: date, settlement: Settlement | None = None) -> Document:
    """The document view of an invoiced sales order or sales credit (check ownership first);
    `settlement` from its statement line(s) when they were read."""
    return Document(
        order=order,
        kind=document_kind(order),
        number=order.invoice_reference.strip(),
        issued_on=issue_date(order),
        due_on=due_date(order),
        state=payment_state(order, today, settlement),
        settlement=settlement,
    )


def document_candidates(rows: Iterable[OrderSearchRow]) -> list[OrderSearchRow]:
    """The order-search rows that may be documents: sales orders and credits with a tax date,
    newest tax date first. Only the order itself says which of them are (`is_document`)."""
    # API note: order-search has taxDate but not the invoice number. A tax date is no sign of
    # an invoice (addendum I.3: real accounts carry one on orders that are not invoiced), but
    # every invoice has one, so rows without it need not be read.
    found = [r for r in rows if r.tax_date is not None and r.order_type in KIND_BY_ORDER_TYPE]
    return sorted(found, key=lambda r: (r.tax_date, r.order_id), reverse=True)


def newest_first(documents: Iterable[Document]) -> list[Document]:
    """Documents by their date, the newest first (the higher order id first on one day)."""
    return sorted(documents, key=lambda d: (d.issued_on is not None, d.issued_on or 0, d.order.id), reverse=True)


def matches(row: OrderSearchRow, order: Order | None, needle: str) -> bool:
    """True when `needle` (case-insensitive) is part of the document number, the customer's
    order reference or the order number."""
    needle = needle.casefold()
    if not needle:
        return True
    texts = [row.customer_ref, str(row.order_id)]
    if order is not None:
        texts.append(order.invoice_reference)
    return any(needle in text.casefold() for text in texts)


def row_kind(row: OrderSearchRow) -> str:
    """INVOICE or CREDIT for an order-search row of a sales order or credit, else ""."""
    return KIND_BY_ORDER_TYPE.get(row.order_type, "")
