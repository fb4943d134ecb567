"""The merchant's legal identity (/admin/branding) on what a customer receives: the invoice's
print view and PDF (issuer block, payment details), the statement PDF, and emails."""

from __future__ import annotations

import io
import re

import pytest
from litestar.testing import TestClient
from PIL import Image
from pypdf import PdfReader
from support import BASE_URL, app_rows, deliver_due, fresh_sandbox, portal_app, portal_settings, switch_to

LEGAL = {
    "portal_name": "Northwind Trade", "primary": "#0b3d2e", "accent": "#8a1c1c",
    "login_headline": "Log in", "login_text": "",
    "legal_name": "Northwind Trading Ltd", "address": "1 Quay Street\nBristol BS1 4DJ",
    "vat_number": "GB123456789", "company_number": "01234567",
    "payment_details": "Barclays, sort code 20-00-00\nAccount 12345678", "email": "accounts@northwind.example",
    "phone": "+44 117 496 0000",
}


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        answer = client.post("/admin/branding", data={**LEGAL, "_csrf_token": client.cookies["csrftoken"]},
                             follow_redirects=False)
        assert answer.status_code == 303
        yield client


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def an_invoice(sandbox) -> int:
    return next(o["id"] for o in sandbox.data.orders_for(1001, "SO") if o["invoices"] and o["invoices"][0]["invoiceReference"])


def test_the_invoice_print_view_and_pdf_carry_the_legal_identity(client, sandbox):
    order_id = an_invoice(sandbox)
    switch_to(client, "alice@example.com")
    html = client.get(f"/documents/{order_id}").text
    for text in ("Northwind Trading Ltd", "1 Quay Street, Bristol BS1 4DJ", "Company no. 01234567 · VAT no. GB123456789",
                 "accounts@northwind.example", "How to pay", "Barclays, sort code 20-00-00<br>Account 12345678"):
        assert text in html
    text = pdf_text(client.get(f"/documents/{order_id}.pdf").content)
    for expected in ("Northwind Trading Ltd", "1 Quay Street", "Bristol BS1 4DJ", "Company no. 01234567", "VAT no. GB123456789",
                     "How to pay", "Account 12345678", "Northwind Trade"):
        assert expected in text


def test_the_statement_pdf_carries_the_legal_identity(client):
    switch_to(client, "alice@example.com")
    page = client.get("/statement").text  # printed from the browser, it carries them too
    assert "Northwind Trading Ltd" in page and "VAT no. GB123456789" in page and "Account 12345678" in page
    answer = client.get("/statement.pdf")
    assert answer.status_code == 200
    text = pdf_text(answer.content)
    assert "Northwind Trading Ltd" in text and "VAT no. GB123456789" in text and "Account 12345678" in text


def test_the_logo_is_drawn_in_the_pdf(client, sandbox):
    out = io.BytesIO()
    Image.new("RGB", (300, 100), (10, 60, 40)).save(out, format="PNG")
    answer = client.post("/admin/branding/logo", data={"_csrf_token": client.cookies["csrftoken"]},
                         files={"logo": ("logo.png", out.getvalue(), "image/png")}, follow_redirects=False)
    assert answer.status_code == 303
    order_id = an_invoice(sandbox)
    switch_to(client, "alice@example.com")
    assert re.search(r'<img class="doc-issuer__logo" src="/brand/logo/[0-9a-f]{64}\.png" alt="Northwind Trade">',
                     client.get(f"/documents/{order_id}").text)
    reader = PdfReader(io.BytesIO(client.get(f"/documents/{order_id}.pdf").content))
    assert any("/Image" in str(x.get("/Subtype")) for x in reader.pages[0]["/Resources"]["/XObject"].values())


def test_an_email_carries_the_brand_and_legal_identity(client):
    client.cookies.clear()
    client.get("/password/forgot")
    client.post("/password/forgot", data={"email": "alice@example.com", "_csrf_token": client.cookies["csrftoken"]})
    deliver_due(client)
    (mail,) = app_rows(client, "select sender, subject, text, html from mailbox order by id desc limit 1")
    assert "Northwind Trade" in mail["subject"] and mail["sender"].startswith("Northwind Trade <portal@")
    assert "Northwind Trading Ltd" in mail["text"] and "Company no. 01234567 · VAT no. GB123456789" in mail["text"]
    assert "1 Quay Street, Bristol BS1 4DJ" in mail["text"] and "accounts@northwind.example" in mail["text"]
    assert "Northwind Trading Ltd" in mail["html"] and "background: #0b3d2e" in mail["html"]
