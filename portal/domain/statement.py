"""The statement of account (page, CSV and PDF): running balance, ageing and the CSV file,
worked out from the statement lines the caller has read.

Nothing here calls Brightpearl or reads the clock: callers pass the lines and the dates, so the
arithmetic can be tested on constructed data with fixed dates.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.brightpearl.models import StatementLine

ZERO = Decimal("0")

# API note: journal type codes are UNCONFIRMED (API.md §8.4); SI/SC/SR/SP as in the sandbox and
# the shared example. Receipts (SR) and refunds (SP) carry the money in paidAmount, documents in
# invoiceAmount (credits negative).
JOURNAL_LABELS = {"SI": "Invoice", "SC": "Credit note", "SR": "Payment", "SP": "Refund"}
PAYMENT_CODES = frozenset({"SR", "SP"})
DOCUMENT_CODES = frozenset({"SI", "SC"})

AGEING_LABELS = ("Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days")


def is_payment(line: StatementLine) -> bool:
    """True for money received or paid back (it settles documents), False for a document."""
    code = line.journal_type_code.strip().upper()
    if code in PAYMENT_CODES:
        return True
    if code in DOCUMENT_CODES:
        return False
    # Unknown code: a line that invoices nothing and moves money is a payment.
    return line.invoice_amount == 0 and line.paid_amount != 0


def movement(line: StatementLine) -> Decimal:
    """What the line adds to the balance the customer owes: + invoices and refunds paid out,
    - credit notes and payments received."""
    return -line.paid_amount if is_payment(line) else line.invoice_amount


def opening_balance(lines: Iterable[StatementLine], date_from: date) -> Decimal:
    """The balance at the start of `date_from`, worked out from every line dated before it:
    what Brightpearl's own balance says when `lines` is the account's whole history."""
    return sum((movement(line) for line in lines if (day := line_day(line)) is not None and day < date_from), ZERO)


def line_day(line: StatementLine) -> date | None:
    """The journal date, a calendar day (read by the models' date-only rule)."""
    return line.journal_date


def line_label(line: StatementLine) -> str:
    code = line.journal_type_code.strip().upper()
    label = JOURNAL_LABELS.get(code) or code or "Transaction"
    if is_payment(line) and is_processor_id(line.reference):
        return "Card refund" if line.paid_amount < 0 else "Card payment"
    return label


# A card processor's transaction id (Stripe's pi_/ch_/py_/re_ and the like): what a payment's
# reference is when a web shop took it. It means nothing to a person reading a statement.
_PROCESSOR_ID = re.compile(r"(pi|ch|py|re|pm|src|txn)_[A-Za-z0-9]{10,}")


def is_processor_id(reference: str) -> bool:
    """True when `reference` is a card processor's transaction id rather than a reference a
    person typed or would recognise (a bank reference, a cheque number)."""
    return _PROCESSOR_ID.fullmatch(reference.strip()) is not None


def shown_reference(line: StatementLine) -> str:
    """The reference a person recognises: a processor id is left out ("" then); every other
    reference is shown as Brightpearl has it."""
    return "" if is_processor_id(line.reference) else line.reference.strip()


@dataclass(frozen=True)
class StatementEntry:
    """One transaction of the statement with the balance after it."""

    on: date
    label: str
    reference: str
    your_reference: str
    due_on: date | None
    debit: Decimal | None  # what the line charges (invoices, refunds)
    credit: Decimal | None  # what the line settles (payments, credit notes)
    balance: Decimal
    order_id: int = 0
    is_payment: bool = False  # money moved (payment, refund) rather than a document
    settles: str = ""  # a payment's: the number of the document of its order ("" unknown)
    raw_reference: str = ""  # Brightpearl's reference as it is (a processor id too): the CSV's

    @property
    def described(self) -> str:
        """The reference as the PDF prints it: a payment says which document it paid
        ("For SI-20931", then its own reference when a person would recognise it)."""
        if self.is_payment and self.settles:
            return f"For {self.settles}" + (f" ({self.reference})" if self.reference else "")
        return self.reference


@dataclass(frozen=True)
class Ageing:
    """What is unpaid at the end of `as_of`, by how many days past its due date."""

    as_of: date
    buckets: tuple[Decimal, Decimal, Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO, ZERO, ZERO)
    unallocated: Decimal = ZERO  # payments not matched to a document up to as_of (negative)

    @property
    def rows(self) -> list[tuple[str, Decimal]]:
        """(label, amount) per bucket, in display order."""
        return list(zip(AGEING_LABELS, self.buckets, strict=True))

    @property
    def overdue(self) -> Decimal:
        return sum(self.buckets[1:], ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO) + self.unallocated


def bucket_index(days_overdue: int) -> int:
    """0 current (not yet due), 1 for 1–30 days overdue, 2 for 31–60, 3 for 61–90, 4 beyond."""
    if days_overdue <= 0:
        return 0
    if days_overdue <= 30:
        return 1
    if days_overdue <= 60:
        return 2
    if days_overdue <= 90:
        return 3
    return 4


def ageing(lines: Iterable[StatementLine], as_of: date) -> Ageing:
    """Age what is unpaid at the end of `as_of` from the statement lines up to that day.

    Each document (invoice or credit note) dated on or before `as_of` is reduced by the
    payments and refunds against the same order dated on or before `as_of`, oldest document
    first; what is left goes into the bucket of its days past due (a document without a due
    date is due on its date). Payments matching no document stay `unallocated`, so that
    `total` is the balance at `as_of`."""
    documents: dict[int, list[tuple[date, StatementLine]]] = defaultdict(list)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    loose: list[tuple[date, StatementLine]] = []
    for line in lines:
        day = line_day(line)
        if day is None or day > as_of:
            continue
        if is_payment(line):
            paid[line.order_id] += line.paid_amount
        elif line.order_id:
            documents[line.order_id].append((day, line))
        else:
            loose.append((day, line))
    buckets = [ZERO] * 5
    unallocated = ZERO
    for order_id, amount in paid.items():
        if order_id not in documents:
            unallocated -= amount
    for order_id, items in documents.items():
        remaining = paid.get(order_id, ZERO)
        items.sort(key=lambda item: (item[0], item[1].journal_id))
        for position, (day, line) in enumerate(items):
            applied = remaining if position == len(items) - 1 else _applicable(remaining, line.invoice_amount)
            remaining -= applied
            _add(buckets, line, day, line.invoice_amount - applied, as_of)
    for day, line in loose:
        _add(buckets, line, day, line.invoice_amount, as_of)
    return Ageing(as_of=as_of, buckets=tuple(buckets), unallocated=unallocated)


def _applicable(available: Decimal, amount: Decimal) -> Decimal:
    """How much of `available` settles a document of `amount` (same sign, at most its size)."""
    if available == 0 or (available > 0) != (amount > 0):
        return ZERO
    return available if abs(available) <= abs(amount) else amount


def _add(buckets: list[Decimal], line: StatementLine, day: date, outstanding: Decimal, as_of: date) -> None:
    if outstanding == 0:
        return
    due = line.due_date or day
    buckets[bucket_index((as_of - due).days)] += outstanding


@dataclass(frozen=True)
class Statement:
    """The statement of account of one contact in one currency over [date_from, date_to]."""

    currency: str
    date_from: date
    date_to: date
    opening: Decimal
    entries: list[StatementEntry] = field(default_factory=list)
    ageing: Ageing | None = None

    @property
    def closing(self) -> Decimal:
        return self.entries[-1].balance if self.entries else self.opening

    @property
    def total_debits(self) -> Decimal:
        return sum((e.debit or ZERO for e in self.entries), ZERO)

    @property
    def total_credits(self) -> Decimal:
        return sum((e.credit or ZERO for e in self.entries), ZERO)

    @property
    def file_stem(self) -> str:
        return f"statement-{self.date_from.isoformat()}-to-{self.date_to.isoformat()}"


def statement(
    lines: Sequence[StatementLine], opening: Decimal | None, date_from: date, date_to: date, currency: str
) -> Statement:
    """Build the statement: `opening` is the balance at the end of the day before `date_from`
    (None = no transactions before, i.e. 0); each line dated within the period gets the running
    balance after it; ageing is as of `date_to`."""
    balance = opening if opening is not None else ZERO
    # A payment names the document it settles: the invoice (or credit note) of its order.
    numbers = {line.order_id: line.reference.strip() for line in lines if line.order_id and not is_payment(line)}
    dated = [(day, line) for line in lines if (day := line_day(line)) is not None and date_from <= day <= date_to]
    # Stable: within a day, keep Brightpearl's order (journalDate ASC, then as listed).
    dated.sort(key=lambda item: item[0])
    entries = []
    for day, line in dated:
        change = movement(line)
        balance += change
        entries.append(
            StatementEntry(
                on=day,
                label=line_label(line),
                reference=shown_reference(line),
                your_reference=line.customer_reference,
                due_on=line.due_date if not is_payment(line) else None,
                debit=change if change > 0 else None,
                credit=-change if change < 0 else None,
                balance=balance,
                order_id=line.order_id,
                is_payment=is_payment(line),
                settles=numbers.get(line.order_id, "") if is_payment(line) else "",
                raw_reference=line.reference,
            )
        )
    return Statement(
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        opening=opening if opening is not None else ZERO,
        entries=entries,
        ageing=ageing(lines, date_to),
    )


# --- CSV -------------------------------------------------------------------------------------
CSV_HEADER = ("Date", "Type", "Reference", "Your reference", "Due date", "Debit", "Credit", "Balance", "Currency")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula: cells starting with = + - @ (or a
    tab/CR) get a leading apostrophe (OWASP "CSV injection")."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _amount(value: Decimal | None) -> str:
    # Numbers we format ourselves stay numbers (a negative balance is not a formula).
    return "" if value is None else f"{value:.2f}"


def statement_csv(statement: Statement) -> str:
    """The statement as CSV: a header row, the opening balance, one row per transaction with
    its running balance, the closing balance. Text from Brightpearl is formula-guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    code = statement.currency
    writer.writerow(
        [statement.date_from.isoformat(), "Opening balance", "", "", "", "", "", _amount(statement.opening), code]
    )
    for entry in statement.entries:
        writer.writerow(
            [
                entry.on.isoformat(),
                csv_text(entry.label),
                # The reference as Brightpearl holds it, processor ids too: a spreadsheet is
                # where a bookkeeper matches payments against card and bank statements.
                csv_text(entry.raw_reference),
                csv_text(entry.your_reference),
                entry.due_on.isoformat() if entry.due_on else "",
                _amount(entry.debit),
                _amount(entry.credit),
                _amount(entry.balance),
                code,
            ]
        )
    writer.writerow(
        [statement.date_to.isoformat(), "Closing balance", "", "", "", "", "", _amount(statement.closing), code]
    )
    return out.getvalue()
