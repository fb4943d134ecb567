"""PDF invoices, credit notes and statements (laid out on portal.web.pdf's A4 sheet).

These functions are CPU work (tens of milliseconds): call them in a worker thread.
"""

from __future__ import annotations

from portal.core.formatting import day, money
from portal.domain.documents import CREDIT, Document
from portal.domain.statement import Statement
from portal.web.pdf import Merchant, PdfSheet, party_lines

__all__ = ["Merchant", "invoice_pdf", "statement_pdf"]

def invoice_pdf(doc: Document, merchant: Merchant) -> bytes:
    """The invoice or credit note `doc` as an A4 PDF."""
    order = doc.order
    currency = order.currency_code
    title = f"{doc.kind_label} {doc.number}"
    pdf = PdfSheet(merchant, title)
    pdf.banner(doc.kind_label)

    number_label = "Credit note number" if doc.kind == CREDIT else "Invoice number"
    facts = [(number_label, doc.number), ("Date", day(doc.issued_on))]
    if doc.due_on is not None:
        facts.append(("Due date", day(doc.due_on)))
    if doc.kind != CREDIT:
        facts.append(("Order number", str(order.id)))
    elif order.parent_order_id:
        # As the print view: a credit note's own order id means nothing to the customer.
        facts.append(("Credit for order", str(order.parent_order_id)))
    if order.reference.strip():
        facts.append(("Your reference", order.reference.strip()))
    state = doc.state.label + (" · overdue" if doc.state.overdue else "")
    facts.append(("Status", state))
    if doc.settlement is not None:
        paid_label, due_label = ("Refunded", "Credit open") if doc.kind == CREDIT else ("Paid", "Still due")
        facts.append((paid_label, money(doc.settlement.paid, currency)))
        facts.append((due_label, money(doc.settlement.due, currency)))
    pdf.facts(facts, pdf.epw * 0.6)
    pdf.ln(4)

    pdf.address_columns([("Billing address", party_lines(order.billing)), ("Delivery address", party_lines(order.delivery))])

    # Unit price and amount on one basis, the order's price mode (portal.domain.order_lines).
    pdf.priced_lines(doc.lines, currency)
    pdf.ln(6)
    if doc.kind == CREDIT:
        pdf.note(f"This credit note reduces what you owe {merchant.name} by {money(order.total, currency)}.")
    elif doc.state.key == "paid":
        pdf.note("This invoice has been paid. Thank you.")
    elif doc.due_on is not None:
        still = doc.settlement.due if doc.settlement is not None and doc.settlement.paid > 0 else None
        pdf.note(
            (f"{money(still, currency)} of it is still due. " if still is not None else "")
            + f"Payment is due by {day(doc.due_on)}."
            + (" This invoice is overdue." if doc.state.overdue else "")
        )
    if doc.kind != CREDIT:
        pdf.payment()
    return pdf.render()


# How many rows at the end of the transactions go to the next page with the ageing table when
# the ageing table does not fit under them: the last transactions and the closing balance.
KEPT_WITH_AGEING = 3


def statement_pdf(statement: Statement, merchant: Merchant, customer: str) -> bytes:
    """The statement of account as an A4 PDF. The ageing table is never alone on a page: when
    it does not fit under the transactions, the last of them go to the next page with it."""
    pdf, apart = _statement_pdf(statement, merchant, customer, new_page=False)
    if apart:
        pdf.discard()
        pdf, _ = _statement_pdf(statement, merchant, customer, new_page=True)
    return pdf.render()


def _statement_pdf(statement: Statement, merchant: Merchant, customer: str, *, new_page: bool) -> tuple[PdfSheet, bool]:
    """The statement PDF, the last KEPT_WITH_AGEING rows of its transactions on a new page
    when `new_page`; and whether those rows and the ageing table were split across pages."""
    code = statement.currency
    period = f"{day(statement.date_from)} to {day(statement.date_to)}"
    pdf = PdfSheet(merchant, f"Statement {period}")
    pdf.banner("Statement")
    pdf.facts(
        [
            ("Account", customer),
            ("Period", period),
            ("Currency", code),
            ("Opening balance", money(statement.opening, code)),
            ("Closing balance", money(statement.closing, code)),
        ],
        pdf.epw * 0.7,
    )
    pdf.ln(4)
    pdf.heading("Transactions")
    rows = [[day(statement.date_from), "Opening balance", "", "", "", "", "", money(statement.opening, code)]]
    for entry in statement.entries:
        rows.append(
            [
                day(entry.on),
                entry.label,
                entry.described,
                entry.your_reference,
                day(entry.due_on) if entry.due_on else "",
                money(entry.debit, code) if entry.debit is not None else "",
                money(entry.credit, code) if entry.credit is not None else "",
                money(entry.balance, code),
            ]
        )
    rows.append(
        [
            day(statement.date_to),
            "Closing balance",
            "",
            "",
            "",
            money(statement.total_debits, code),
            money(statement.total_credits, code),
            money(statement.closing, code),
        ]
    )
    headings = ["Date", "Type", "Reference", "Your ref.", "Due", "Debit", "Credit", "Balance"]
    widths = (23, 19, 26, 25.5, 22.5, 21, 21, 22)
    align = ("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")
    # The table in two parts, the last rows (its end) apart, to know on which page they start.
    split = max(len(rows) - KEPT_WITH_AGEING, 1)
    pdf.grid(headings, rows[:split], widths=widths, align=align, size=8)
    if new_page:
        pdf.add_page()
    end_starts = pdf.page_no()
    if rows[split:]:
        pdf.grid(headings, rows[split:], widths=widths, align=align, size=8, bold_last=True, continued=not new_page)
    if statement.ageing is not None:
        ageing = statement.ageing
        pdf.ln(5)
        pdf.heading(f"Unpaid on {day(ageing.as_of)}, by days past due")
        headings = [label for label, _ in ageing.rows]
        values = [money(amount, code) for _, amount in ageing.rows]
        if ageing.unallocated:
            headings.append("Unallocated")
            values.append(money(ageing.unallocated, code))
        headings.append("Total")
        values.append(money(ageing.total, code))
        width = pdf.epw / len(headings)
        pdf.grid(headings, [values], widths=[width] * len(headings), align=["RIGHT"] * len(headings), size=8)
    pdf.payment()
    return pdf, pdf.page_no() != end_starts
