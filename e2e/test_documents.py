"""Invoices, credit notes and the statement in a real browser: list, search, print view,
PDF download (read back with pypdf), statement with CSV download; with and without JavaScript."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal

from playwright.sync_api import Page, expect
from pypdf import PdfReader


def render_pdf(path, stem, artifacts) -> None:
    """PNG pages of a PDF under e2e/artifacts/ to look at, when poppler's pdftoppm is here."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(artifacts / stem)], check=True, timeout=60)


def test_documents_print_view_pdf_and_statement_with_javascript(page: Page, artifacts, log_in):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None)
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Invoices and credit notes")).to_be_visible()
    rows = page.locator("table.documents tbody tr")
    expect(rows).to_have_count(25)
    page.screenshot(path=artifacts / "documents.png", full_page=True, caret="initial")

    # Only credit notes, through htmx: the table changes and the URL follows.
    with page.expect_response(re.compile(r"/documents\?")) as response:
        page.get_by_label("Show").select_option("credit")
    assert response.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"type=credit"))
    expect(rows.first).to_contain_text("Credit note")
    for text in page.locator("table.documents tbody .doc-row__kind").all_inner_texts():
        assert text == "Credit note"

    # Search by an invoice number that is not on the first page.
    page.get_by_label("Show").select_option("")
    expect(page).not_to_have_url(re.compile(r"type=credit"))
    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    number = page.locator("table.documents tbody th a").last.inner_text()
    page.get_by_label("Document number or order reference").fill(number)
    expect(page).to_have_url(re.compile(rf"q={re.escape(number)}"))
    expect(page.locator("table.documents tbody th a").first).to_have_text(number)

    # The print view: a Print button (the script is allowed by the CSP) and the PDF link.
    page.locator("table.documents tbody th a").first.click()
    expect(page.get_by_role("heading", name=re.compile(rf"Invoice\s+{re.escape(number)}"))).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.get_by_text("Ctrl+P")).to_be_hidden()
    page.screenshot(path=artifacts / "document-print-view.png", full_page=True, caret="initial")
    page.emulate_media(media="print")
    page.screenshot(path=artifacts / "document-print-media.png", full_page=True, caret="initial")
    expect(page.locator(".site-header")).to_be_hidden()
    page.pdf(path=artifacts / "document-printed-by-chromium.pdf", format="A4", print_background=True)
    page.emulate_media(media="screen")
    render_pdf(artifacts / "document-printed-by-chromium.pdf", "document-printed-by-chromium", artifacts)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{number}.pdf"
    saved = artifacts / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(p.extract_text() for p in PdfReader(saved).pages)
    assert number in text and "INVOICE" in text and "£" in text
    sku = page.locator(".doc-rows__sku").first.inner_text()
    assert sku in text
    total = page.locator(".doc-rows .grand-total td").inner_text()
    assert total in text
    render_pdf(saved, "invoice-pdf", artifacts)

    # The statement: figures, a shorter period through the form, the CSV adds up.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statement").click()
    expect(page.get_by_role("heading", name="Statement of account")).to_be_visible()
    expect(page.get_by_role("heading", name="Transactions")).to_be_visible()
    page.screenshot(path=artifacts / "statement.png", full_page=True, caret="initial")
    closing = page.locator(".figures__main dd").inner_text()
    start = page.get_by_label("From").input_value()
    page.get_by_label("From").fill("2000-01-01")
    page.get_by_role("button", name="Show statement").click()
    expect(page.locator("#statement-from-error")).to_be_visible()
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=artifacts / "statement-error.png", full_page=True, caret="initial")
    page.get_by_label("From").fill(start)
    page.get_by_role("button", name="Show statement").click()
    expect(page).to_have_url(re.compile(rf"from={start}"))
    expect(page.locator(".figures__main dd")).to_have_text(closing)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
    assert rows[0][0] == "Date" and rows[-1][1] == "Closing balance"
    assert f"£{Decimal(rows[-1][7]):,.2f}" == closing.replace("-£", "£")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    statement_pdf = artifacts / "statement.pdf"
    download_info.value.save_as(statement_pdf)
    assert closing in "\n".join(p.extract_text() for p in PdfReader(statement_pdf).pages)
    render_pdf(statement_pdf, "statement-pdf", artifacts)
    assert violations == []


def test_documents_without_javascript(page_without_javascript: Page, artifacts, log_in):
    page = page_without_javascript
    log_in(page, "bob@example.com")
    page.goto("/documents")
    first = page.locator("table.documents tbody th a").first
    number = first.inner_text()
    page.get_by_label("Document number or order reference").fill(number)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"/documents\?q={re.escape(number)}"))
    expect(page.locator("table.documents tbody tr")).to_have_count(1)
    page.locator("table.documents tbody th a").first.click()
    expect(page.get_by_text("Ctrl+P")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.screenshot(path=artifacts / "document-print-view-nojs.png", full_page=True, caret="initial")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    text = "\n".join(p.extract_text() for p in PdfReader(download_info.value.path()).pages)
    assert number in text
    page.goto("/statement")
    page.get_by_label("From").fill("2024-06-01")
    page.get_by_label("To").fill("2024-01-01")
    page.get_by_role("button", name="Show statement").click()
    expect(page.locator("#statement-from-error")).to_have_text("The start date must be on or before the end date.")


def test_documents_and_statement_fit_a_phone(new_context, artifacts, log_in):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page)
    # Wide tables scroll inside their own box; nothing of these pages widens the page. (The
    # site header's navigation is measured apart: it is the shared layout's.)
    widest = """Math.ceil(Math.max(390, ...[...document.querySelectorAll('.site-header *')].map(e => e.getBoundingClientRect().right)))"""
    for path, name in (("/documents", "documents-phone"), ("/statement", "statement-phone")):
        page.goto(path)
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(widest), path
    page.goto("/documents")
    page.locator("table.documents tbody th a").first.click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.screenshot(path=artifacts / "document-print-view-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(widest)
    assert page.locator(".doc-sheet").bounding_box()["width"] <= 390
