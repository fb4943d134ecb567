"""A quote as an A4 PDF, on the sheet the invoices use (portal.web.pdf): the merchant's banner and
legal identity, the quote's facts, addresses, lines, totals and the merchant's terms.

CPU work (tens of milliseconds): call it in a worker thread.
"""

from __future__ import annotations

from portal.core.formatting import day
from portal.domain.quotes import Quote
from portal.web.pdf import Merchant, PdfSheet, party_lines


def quote_pdf(quote: Quote, merchant: Merchant, terms: str) -> bytes:
    order = quote.order
    currency = order.currency_code
    pdf = PdfSheet(merchant, f"Quote {quote.number}")
    pdf.banner("Quote")
    facts = [("Quote number", quote.number)]
    if quote.placed is not None:
        facts.append(("Date", day(quote.placed)))
    if quote.valid_until is not None:
        facts.append(("Expired on" if quote.expired else "Valid until", day(quote.valid_until)))
    if order.reference.strip():
        facts.append(("Your reference", order.reference.strip()))
    pdf.facts(facts, pdf.epw * 0.6)
    pdf.ln(4)
    pdf.address_columns([("Billing address", party_lines(order.billing)),
                         ("Delivery address", party_lines(order.delivery))])

    pdf.priced_lines(quote.lines, currency)
    pdf.ln(6)
    if quote.expired and quote.valid_until is not None:
        pdf.note(f"This quote expired on {day(quote.valid_until)}.")
    elif quote.valid_until is not None:
        pdf.note(f"This quote stands until {day(quote.valid_until)}.")
    if terms.strip():
        pdf.ln(4)
        pdf.heading("Terms", 10)
        pdf.note(terms.strip())
    return pdf.render()
