"""Documents, the statement, the account and the address pages at 390 px and 1280 px in
Chromium: nothing scrolls the page sideways; on a phone each document, statement line and
invoice line is a card whose reference, date, status and amounts are all in view; email
addresses wrap only where they may."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

PHONE, DESKTOP = 390, 1280


def in_view(page: Page, selector: str, width: int) -> None:
    """Every element matching `selector` is shown, and inside the page's width."""
    boxes = page.locator(selector)
    assert boxes.count() > 0, selector
    for index in range(boxes.count()):
        box = boxes.nth(index)
        expect(box).to_be_visible()
        rect = box.bounding_box()
        assert rect is not None and rect["x"] >= 0 and rect["x"] + rect["width"] <= width, (selector, index, rect)


def no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.fixture
def phone(new_context, log_in) -> Page:
    page = new_context(viewport={"width": PHONE, "height": 844}).new_page()
    log_in(page)
    return page


@pytest.fixture
def desktop(new_context, log_in) -> Page:
    page = new_context(viewport={"width": DESKTOP, "height": 900}).new_page()
    log_in(page)
    return page


def year_ago() -> str:
    return (date.today() - timedelta(days=365)).isoformat()


def test_the_documents_list_is_cards_on_a_phone(phone: Page, artifacts):
    phone.goto("/documents")
    no_sideways_scroll(phone, PHONE)
    phone.screenshot(path=artifacts / "documents-cards-390.png", full_page=True)
    rows = "table.documents tbody tr"
    for cell in ("th.doc-row__number a", "td.doc-row__date", "td.doc-row__state .pay", "td[data-label=Total]", "td[data-label=Due]"):
        in_view(phone, f"{rows} {cell}", PHONE)
    # The column heads are out of sight, not out of the table: each figure names itself.
    head = phone.locator("table.documents thead")
    assert head.bounding_box()["height"] <= 1
    expect(phone.get_by_role("columnheader", name="Due date")).to_have_count(1)
    assert phone.locator(f"{rows} td[data-label=Due]").first.evaluate("e => getComputedStyle(e, '::before').content") == '"Due"'
    # The overdue filter, without leaving the page's width either.
    phone.get_by_label("Payment").select_option("overdue")
    expect(phone).to_have_url(re.compile(r"status=overdue"))
    expect(phone.locator(f"{rows} .pay--overdue").first).to_be_visible()
    assert phone.locator(f"{rows}").count() == phone.locator(f"{rows} .pay--overdue").count()
    no_sideways_scroll(phone, PHONE)


def test_print_views_fit_a_phone_with_every_amount_in_view(phone: Page, artifacts):
    for kind in ("invoice", "credit"):
        phone.goto(f"/documents?type={kind}")
        phone.locator("table.documents tbody th a").first.click()
        expect(phone.get_by_role("button", name="Print")).to_be_visible()
        no_sideways_scroll(phone, PHONE)
        in_view(phone, ".doc-rows tbody td[data-label=Amount]", PHONE)
        in_view(phone, ".doc-rows tfoot .grand-total td", PHONE)
        phone.screenshot(path=artifacts / f"document-{kind}-390.png", full_page=True)


def test_the_statement_lines_are_cards_on_a_phone(phone: Page, artifacts):
    phone.goto(f"/statement?from={year_ago()}")
    no_sideways_scroll(phone, PHONE)
    for label in ("Debit", "Credit", "Balance"):
        in_view(phone, f"table.statement tbody tr td[data-label={label}]", PHONE)
    in_view(phone, "table.statement tbody tr td.st__date", PHONE)
    in_view(phone, "table.ageing td[data-label=Total]", PHONE)
    phone.screenshot(path=artifacts / "statement-cards-390.png", full_page=True)


def test_account_and_addresses_fit_a_phone_and_emails_break_only_at_their_parts(phone: Page, artifacts):
    phone.goto("/account")
    no_sideways_scroll(phone, PHONE)
    phone.screenshot(path=artifacts / "account-390.png", full_page=True)
    emails = phone.locator("dd.email")
    assert emails.count() >= 2  # the customer's own and the account manager's
    # Each piece between the <wbr> break points sits on one line: no word is cut.
    pieces = emails.evaluate_all(
        """dds => dds.flatMap(dd => [...dd.querySelectorAll('*'), dd].flatMap(e => [...e.childNodes]))
                  .filter(n => n.nodeType === 3 && n.textContent.trim())
                  .map(n => { const r = document.createRange(); r.selectNodeContents(n);
                              return [n.textContent, r.getClientRects().length]; })"""
    )
    assert pieces and all(lines == 1 for _, lines in pieces), pieces
    in_view(phone, "dd.email", PHONE)
    phone.goto("/addresses")
    no_sideways_scroll(phone, PHONE)
    phone.get_by_role("link", name="contact us").click()
    expect(phone.locator("#contact")).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/documents", "/statement", "/account", "/addresses"])
def test_desktop_pages_keep_their_tables_and_do_not_scroll_sideways(desktop: Page, path):
    desktop.goto(path)
    no_sideways_scroll(desktop, DESKTOP)
    for wrap in desktop.locator(".table-wrap").all():
        # A table box that does not need to scroll at 1280 px: the whole table is in view.
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), path
    if path in ("/documents", "/statement"):
        expect(desktop.locator("table thead").first).to_be_visible()
