"""Server-side PDFs: real text (read back with pypdf), A4, the merchant's name and colour."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal.areas.documents.pdf import Merchant, invoice_pdf, statement_pdf
from portal.brightpearl.models import Order, StatementLine
from portal.domain.documents import document
from portal.domain.statement import statement

MERCHANT = "Acme Trade Supplies"
BRAND = "#c8102e"  # red: 0.7843 0.0627 0.1804 in PDF colour operators
BRAND_FILL = b"0.7843 0.0627 0.1804 rg"
A4 = (595.28, 841.89)  # points


@pytest.fixture
def settings(settings):
    """This module's portal runs under a merchant name and brand colour of its own."""
    return settings.with_(site_name=MERCHANT, brand_colour=BRAND)


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def invoiced(sandbox, contact_id: int, type_code: str) -> list[dict]:
    return [
        o for o in sandbox.data.orders_for(contact_id, type_code) if o["invoices"] and o["invoices"][0]["invoiceReference"]
    ]


def money(amount) -> str:
    value = Decimal(str(amount))
    return f"{'-' if value < 0 else ''}£{abs(value):,.2f}"


# --- over HTTP -------------------------------------------------------------------------------
def test_invoice_pdf_download(alice, sandbox):
    order = max(invoiced(sandbox, 1001, "SO"), key=lambda o: len(o["orderRows"]))
    number = order["invoices"][0]["invoiceReference"]
    response = alice.get(f"/documents/{order['id']}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="invoice-{number}.pdf"'
    assert response.headers["cache-control"] == "no-store"
    reader, text = pdf_text(response.content)
    page = reader.pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    assert number in text and MERCHANT in text and "INVOICE" in text
    skus = [row["productSku"] for row in order["orderRows"].values() if row["productSku"]]
    assert skus and all(sku in text for sku in skus)
    assert money(order["totalValue"]["total"]) in text
    assert money(order["totalValue"]["net"]) in text
    assert order["parties"]["billing"]["addressLine1"] in text
    assert order["parties"]["delivery"]["postalCode"] in text
    assert reader.metadata.title == f"Invoice {number}" and reader.metadata.author == MERCHANT
    assert BRAND_FILL in page.get_contents().get_data()


def test_credit_note_pdf_download(alice, sandbox):
    credit = invoiced(sandbox, 1001, "SC")[0]
    number = credit["invoices"][0]["invoiceReference"]
    response = alice.get(f"/documents/{credit['id']}.pdf")
    assert response.headers["content-disposition"] == f'attachment; filename="credit-note-{number}.pdf"'
    _, text = pdf_text(response.content)
    assert "CREDIT NOTE" in text and number in text and "Credit note number" in text
    assert money(credit["totalValue"]["total"]) in text


def test_the_pdf_and_the_print_view_tell_the_same_story(alice, sandbox):
    order = invoiced(sandbox, 1001, "SO")[0]
    html = alice.get(f"/documents/{order['id']}").text
    _, text = pdf_text(alice.get(f"/documents/{order['id']}.pdf").content)
    for label in ("Invoice number", "Due date", "Order number", "Billing address", "Delivery address"):
        assert label in html and (label in text or label.upper() in text)
    for word in re.findall(r'class="pay pay--\w+">([^<]+)<', html):
        assert word in text


def test_a_part_paid_invoice_pdf_says_what_was_paid_and_what_is_still_due(alice, sandbox):
    order = next(o for o in invoiced(sandbox, 1001, "SO") if o["orderPaymentStatus"] == "PARTIALLY_PAID")
    line = next(ln for ln in sandbox.data.statement_lines(1001) if ln["orderId"] == order["id"] and ln["journalTypeCode"] == "SI")
    _, text = pdf_text(alice.get(f"/documents/{order['id']}.pdf").content)
    assert f"Paid {money(line['paidAmount'])}" in text and f"Still due {money(line['dueAmount'])}" in text


def test_statement_pdf_download(alice, sandbox):
    end = date.today()
    start = end - timedelta(days=365)
    response = alice.get(f"/statement.pdf?from={start}&to={end}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="statement-{start}-to-{end}.pdf"'
    reader, text = pdf_text(response.content)
    assert len(reader.pages) >= 2  # a year of alice's account does not fit one page
    assert "STATEMENT" in text and MERCHANT in text and "Harper & Lowe Interiors Ltd" in text
    assert money(sandbox.data.balance(1001, "GBP", None, end)) in text
    for label in ("Opening balance", "Closing balance", "Current", "1–30 days", "Over 90 days"):
        assert label in text
    # The table heading is repeated on every page.
    assert all("Balance" in page.extract_text() for page in reader.pages[:-1])
    assert all(f"Page {n} of {len(reader.pages)}" in reader.pages[n - 1].extract_text() for n in (1, len(reader.pages)))


# --- the renderer on constructed data --------------------------------------------------------
def euro_order(**changes) -> Order:
    wire = {
        "id": 70001,
        "orderTypeCode": "SO",
        "reference": "Bestellung <b>42</b>",
        "orderPaymentStatus": "UNPAID",
        "currency": {"orderCurrencyCode": "EUR"},
        "totalValue": {"net": "1028.75", "taxAmount": "205.75", "total": "1234.50"},
        "invoices": [
            {"invoiceReference": "SI-30001", "taxDate": "2025-01-30T00:00:00+01:00", "dueDate": "2025-03-01T00:00:00+01:00"}
        ],
        "parties": {
            "customer": {"contactId": 1},
            "billing": {"addressFullName": "Zoë Müller\x07", "addressLine1": "Straße 1", "country": "Deutschland"},
            "delivery": {"addressFullName": "Lager 東京", "addressLine1": "Hafen 2"},
        },
        "orderRows": {
            "1": {
                "orderRowSequence": "10",
                "productSku": "EU-SKU-1",
                "productName": "Tisch\r\nEiche " + "sehr lang " * 12,
                "quantity": {"magnitude": "3.0000"},
                "productPrice": {"value": "342.9167"},
                "rowValue": {"taxRate": "20.0000", "rowNet": {"value": "1028.75"}, "rowTax": {"value": "205.75"}},
            }
        },
    }
    wire.update(changes)
    return Order.from_wire(wire)


def test_euro_amounts_and_any_text_render():
    doc = document(euro_order(), date(2025, 6, 1))
    reader, text = pdf_text(invoice_pdf(doc, Merchant(MERCHANT, "#1f4e79")))
    assert "€1,234.50" in text and "€342.92" in text and "€1,028.75" in text
    assert "SI-30001" in text and "EU-SKU-1" in text
    assert "Zoë Müller" in text and "Straße 1" in text
    assert "Bestellung <b>42</b>" in text  # markup is just text in a PDF
    assert "Lager ??" in text  # characters the font lacks become "?"
    assert "\x07" not in text
    assert "overdue" in text  # unpaid after its due date


def test_the_brand_colour_is_the_merchants():
    doc = document(euro_order(), date(2025, 6, 1))
    content = invoice_pdf(doc, Merchant("Shop", "#000080"))
    reader = PdfReader(io.BytesIO(content))
    assert re.search(rb"\b0 0 0\.502\d* rg", reader.pages[0].get_contents().get_data())
    assert BRAND_FILL not in reader.pages[0].get_contents().get_data()


def test_an_empty_statement_renders():
    result = statement([], None, date(2025, 1, 1), date(2025, 3, 31), "EUR")
    _, text = pdf_text(statement_pdf(result, Merchant(MERCHANT), "Kunde GmbH"))
    assert "Kunde GmbH" in text and "€0.00" in text and "1 Jan 2025 to 31 Mar 2025" in text


def test_a_long_statement_breaks_across_pages():
    lines = [
        StatementLine.from_wire(
            {
                "journalId": n,
                "orderId": n,
                "journalTypeCode": "SI" if n % 2 else "SR",
                "journalDate": f"{date(2025, 1, 1) + timedelta(days=n // 3)}T00:00:00+00:00",
                "reference": f"REF-{n:04d}",
                "invoiceAmount": "10.00" if n % 2 else "0",
                "paidAmount": "0" if n % 2 else "5.00",
            }
        )
        for n in range(1, 241)
    ]
    result = statement(lines, Decimal("0"), date(2025, 1, 1), date(2025, 3, 31), "GBP")
    reader, text = pdf_text(statement_pdf(result, Merchant(MERCHANT), "Big Customer"))
    assert len(reader.pages) >= 4
    assert "REF-0001" in text and "REF-0240" in text
    assert money(result.closing) in text and result.closing == Decimal("600.00")


def statement_of(count: int):
    lines = [
        StatementLine.from_wire(
            {
                "journalId": n,
                "orderId": n,
                "journalTypeCode": "SI",
                "journalDate": f"{date(2025, 1, 1) + timedelta(days=n // 3)}T00:00:00+00:00",
                "journalDueDate": f"{date(2025, 2, 1) + timedelta(days=n // 3)}T00:00:00+00:00",
                "reference": f"REF-{n:04d}",
                "invoiceAmount": "10.00",
            }
        )
        for n in range(1, count + 1)
    ]
    return statement(lines, Decimal("0"), date(2025, 1, 1), date(2025, 3, 31), "GBP")


def test_the_ageing_table_is_never_alone_on_a_page():
    # 19 and 28 transactions fit with the ageing table on one page and on two; 20 ended the
    # table just above the page foot and sent the ageing table (or its heading) on alone;
    # from 24 the table broke before its last rows, which left the closing row on its own.
    for count in (19, 20, 22, 24, 27, 28):
        reader, _ = pdf_text(statement_pdf(statement_of(count), Merchant(MERCHANT), "Customer"))
        pages = [page.extract_text() for page in reader.pages]
        ageing = [n for n, text in enumerate(pages) if "by days past due" in text]
        assert len(ageing) == 1, count
        page = pages[ageing[0]]
        # With the end of the transactions: the last one and the closing row (its totals).
        assert f"REF-{count:04d}" in page and "Over 90 days" in page, count
        assert money(10 * count) in page.split("by days past due")[0], count
        # And nothing is lost on the way.
        assert all(f"REF-{n:04d}" in "\n".join(pages) for n in range(1, count + 1)), count
