"""Quotes in Chromium: the list and a quote at 1280 and 390 px, sharing a quote with a colleague,
and the link from the captured mail opened in a fresh browser context (no cookies), which shows
the quote alone; revoking it ends the link."""

from __future__ import annotations

import re

from conftest import shoot
from playwright.sync_api import Page, expect
from test_registration_flow import NewContext, admin_mailbox, link_in_mail, newest_message_id

from portal.sandbox import DEMO_PASSWORD

COLLEAGUE = "buyer.colleague@example.org"
SUBJECT = re.compile(r"shared quote \d+ from")


def first_open_quote(page: Page) -> str:
    """Open the first open quote from /quotes; return its number."""
    page.goto("/quotes")
    link = page.locator("#open-quotes tbody th a").first
    number = link.inner_text().removeprefix("Quote ").strip()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    return number


def test_quotes_pages_and_a_quote_shared_by_mail(new_context: NewContext, log_in):
    customer = new_context().new_page()
    log_in(customer)
    customer.get_by_role("navigation", name="Main").get_by_role("link", name="Quotes").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Your quotes")
    expect(customer.get_by_role("heading", name="Expired quotes")).to_be_visible()
    shoot(customer, "quotes")

    number = first_open_quote(customer)
    expect(customer.get_by_text("Valid until").first).to_be_visible()
    shoot(customer, "quote")

    admin = admin_mailbox(new_context)
    before = newest_message_id(admin)
    customer.get_by_label("Colleague's email").fill(COLLEAGUE)
    customer.get_by_label("Message (optional)").fill("Can you check these prices before Friday?")
    customer.get_by_role("button", name="Send the link").click()
    expect(customer.get_by_role("status")).to_contain_text("The quote is on its way")
    expect(customer.locator(".share-list")).to_contain_text(COLLEAGUE)
    shoot(customer, "quote-with-share")

    link = link_in_mail(admin, COLLEAGUE, SUBJECT, "/shared/", after=before)
    colleague = new_context().new_page()  # a fresh browser: no session, no cookies
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_contain_text(f"Quote {number}")
    expect(colleague.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(colleague.get_by_role("link", name="Log in")).to_be_visible()
    expect(colleague.locator(".account")).to_have_count(0)  # nobody is logged in: no name, no Log out
    shoot(colleague, "quote-shared")

    customer.set_viewport_size({"width": 1280, "height": 900})
    customer.get_by_role("button", name=re.compile(f"Revoke the link sent to {re.escape(COLLEAGUE)}")).click()
    expect(customer.get_by_role("status")).to_contain_text("The link is revoked")
    response = colleague.goto(link)
    assert response is not None and response.status == 410
    expect(colleague.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    shoot(colleague, "quote-shared-revoked")


def test_sharing_without_javascript_shows_the_error_beside_the_field(page_without_javascript: Page, log_in):
    page = page_without_javascript
    log_in(page)
    first_open_quote(page)
    page.get_by_label("Colleague's email").fill("colleague@intranet")  # the browser takes it, the portal wants a domain with a dot
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("Enter an email address like name@example.com.").first).to_be_visible()
    expect(page.get_by_label("Colleague's email")).to_have_attribute("aria-invalid", "true")


# --- steps for the accessibility table (e2e/test_accessibility.py) ------------------------------
def first_quote(page: Page, live_server) -> str:
    """The page of Alice's first open quote."""
    page.goto("/quotes")
    return page.locator("#open-quotes tbody th a").first.get_attribute("href")


def quote_print_view(page: Page, live_server) -> str:
    """The printable view of Alice's first open quote."""
    return first_quote(page, live_server) + "/print"


def share_form_with_errors(page: Page) -> None:
    """The share form sent with an address the portal refuses (the browser's checks let it by)."""
    page.get_by_label("Colleague's email").fill("colleague@intranet")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#share-email[aria-invalid=true]")).to_be_visible()


def shared_quote_link(page: Page, live_server) -> str:
    """Alice shares her first open quote; the link from the mail, read by the admin in a browser
    context of its own."""
    page.goto(first_quote(page, live_server))
    page.get_by_label("Colleague's email").fill(COLLEAGUE)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("The quote is on its way")
    context = page.context.browser.new_context(base_url=live_server["url"])
    try:
        admin = context.new_page()
        admin.goto("/login")
        admin.get_by_label("Email").fill("admin@example.com")
        admin.get_by_label("Password").fill(DEMO_PASSWORD)
        admin.get_by_role("button", name="Log in").click()
        expect(admin).to_have_url(re.compile(r"/$"))
        return link_in_mail(admin, COLLEAGUE, SUBJECT, "/shared/")
    finally:
        context.close()
