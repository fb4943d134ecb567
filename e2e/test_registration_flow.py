"""Registration in a real browser, both ways in, with JavaScript and without: the visitor sends
the form in one browser, the admin reads the verification mail in the local mailbox in another
(no SMTP server in the e2e settings), and the link is opened in a third with no cookies at all,
as it would be from a mail program. Then the new login signs in and sees the customer pages.

Also the helpers the password flows and the accessibility check use: the admin's mailbox page,
the link in the newest matching message, and the steps that reach the registration pages.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable

import pytest
from conftest import on_server
from playwright.sync_api import BrowserContext, Page, expect

from portal.accounts.registrations import TOKEN_PURPOSE
from portal.sandbox import DEMO_PASSWORD
from portal.sandbox.store import primary_email

# The check runs on the outbox in the background, then the mail is kept: a moment, not more.
MAIL_WAIT_SECONDS = 15
# The Brightpearl contact of a web registration is created through the outbox too.
SETUP_WAIT_SECONDS = 15
CONFIRM_SUBJECT = re.compile(r"^Confirm your email")
TRADE_EMAIL = "tom.lowe@example.com"  # a customer contact in Brightpearl with no portal login
NEW_PASSWORD = "a fresh start for the portal"
WEB_PASSWORD = "four words make passwords"

NewContext = Callable[..., BrowserContext]


# --- the admin's mailbox -------------------------------------------------------------------
def admin_mailbox(new_context: NewContext) -> Page:
    """A page in a browser context of its own, logged in as the admin, on /admin/mailbox."""
    page = new_context().new_page()
    page.goto("/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/admin/mailbox")
    return page


def _message_id(href: str) -> int:
    return int(href.rstrip("/").rsplit("/", 1)[-1])


def newest_message_id(admin: Page) -> int:
    """The id of the newest kept message (0 when there is none): later ones are new."""
    admin.goto("/admin/mailbox")
    links = admin.locator("table.mailbox tbody th a")
    return max((_message_id(href) for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")), default=0)


def link_in_mail(admin: Page, to: str, subject: re.Pattern[str], path: str, *, after: int = 0) -> str:
    """Wait (reloading the mailbox) for the newest message to `to` whose subject matches and
    whose id is above `after`, open it, and return the link to `path` in its plain text."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        admin.goto("/admin/mailbox")
        rows = admin.locator("table.mailbox tbody tr").filter(has_text=to)
        found = [
            (_message_id(href), href)
            for href in rows.get_by_role("link", name=subject).evaluate_all("as => as.map(a => a.getAttribute('href'))")
            if _message_id(href) > after
        ]
        if found:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"no message to {to} matching {subject.pattern!r} within {MAIL_WAIT_SECONDS} s")
        admin.wait_for_timeout(300)
    admin.goto(max(found)[1])
    expect(admin.get_by_role("heading", level=1)).to_have_text(subject)
    expect(admin.locator(".page-head")).to_contain_text(to)
    text = admin.get_by_label("The message as plain text").inner_text()
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S*", text)
    assert match, f"no {path} link in the message:\n{text}"
    return match.group(0)


# --- the registration pages ------------------------------------------------------------------
def fresh_address() -> str:
    return f"jane+{secrets.token_hex(4)}@example.org"


def trade_form_sent(page: Page, email: str) -> None:
    trade = page.get_by_role("region", name="You already buy from us")
    trade.get_by_label("Email").fill(email)
    trade.get_by_role("button", name="Send me a link").click()


def web_form_filled(page: Page, email: str, *, name: str = "Jane Example", password: str = WEB_PASSWORD) -> None:
    web = page.get_by_role("region", name="New to us")
    web.get_by_label("Your name").fill(name)
    web.get_by_label("Company (optional)").fill("Example Interiors")
    web.get_by_label("Email").fill(email)
    web.get_by_label("Phone (optional)").fill("0113 496 0999")
    web.get_by_label("Choose a password").fill(password)
    web.get_by_label("Address line 1").fill("12 Canal Street")
    web.get_by_label("Town or city").fill("Leeds")
    web.get_by_label("Postcode").fill("LS1 4AB")
    web.get_by_label("Country").select_option(label="United Kingdom")


def check_your_email(page: Page, email: str) -> None:
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(email)


def logged_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def customer_pages_shown(page: Page) -> None:
    """The customer's dashboard (its tiles) and the navigation to their orders."""
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Welcome"))).to_be_visible()
    expect(page.locator("#tile-open-orders")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders")).to_have_count(1)


def contact_being_set_up_then_dashboard(page: Page) -> None:
    """A web customer's home says "being set up" until the contact exists; reload until then."""
    deadline = time.monotonic() + SETUP_WAIT_SECONDS
    while page.get_by_role("heading", name="Your account is being set up").count():
        expect(page.get_by_role("link", name="Check again")).to_be_visible()
        if time.monotonic() > deadline:
            pytest.fail(f"the account was still being set up after {SETUP_WAIT_SECONDS} s")
        page.wait_for_timeout(300)
        page.reload()
    customer_pages_shown(page)


def unregistered_customer_email(live_server) -> str:
    """A Brightpearl customer contact's e-mail (one generated by the sandbox, shared with no other
    contact) that has no portal login yet: a second trade registration besides Tom's."""
    components = live_server["app"].state["components"]
    contacts = list(live_server["sandbox"].data.iter_contacts())
    emails = [primary_email(c).casefold() for c in contacts]
    for contact in contacts:
        email = primary_email(contact)
        relation = contact["relationshipToAccount"]
        if (contact["contactId"] > 1010 and email.isascii() and emails.count(email.casefold()) == 1
                and not relation["isSupplier"] and not relation["isStaff"]
                and on_server(live_server, components.users.by_email, email) is None
                and email != TRADE_EMAIL):
            return email
    raise AssertionError("the sandbox has no customer contact left without a login")


# --- the flows ------------------------------------------------------------------------------
def register_trade(new_context: NewContext, email: str, *, javascript: bool) -> None:
    visitor = new_context(java_script_enabled=javascript).new_page()
    admin = admin_mailbox(new_context)
    before = newest_message_id(admin)

    visitor.goto("/register")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Create your account")
    trade_form_sent(visitor, email)
    check_your_email(visitor, email)

    link = link_in_mail(admin, email, CONFIRM_SUBJECT, "/register/confirm/", after=before)
    # The link is opened where no cookie of the portal's is: from a mail program.
    holder = new_context(java_script_enabled=javascript).new_page()
    holder.goto(link)
    expect(holder.get_by_role("heading", level=1)).to_have_text("Choose your password")
    expect(holder.locator("main")).to_contain_text(email)
    holder.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    holder.get_by_label("New password again").fill(NEW_PASSWORD)
    holder.get_by_role("button", name="Save my password").click()
    expect(holder).to_have_url(re.compile(r"/login\?registered=1$"))

    logged_in(holder, email, NEW_PASSWORD)
    customer_pages_shown(holder)
    holder.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    expect(holder.locator("table.orders tbody tr").first).to_be_visible()

    # The link works once.
    used = new_context(java_script_enabled=javascript).new_page()
    response = used.goto(link)
    assert response is not None and response.status == 410
    expect(used.get_by_role("heading", level=1)).to_have_text("This link was already used")


def register_web(new_context: NewContext, *, javascript: bool) -> None:
    email = fresh_address()
    visitor = new_context(java_script_enabled=javascript).new_page()
    admin = admin_mailbox(new_context)
    before = newest_message_id(admin)

    visitor.goto("/register")
    web_form_filled(visitor, email)
    visitor.get_by_role("region", name="New to us").get_by_role("button", name="Create my account").click()
    check_your_email(visitor, email)

    link = link_in_mail(admin, email, CONFIRM_SUBJECT, "/register/confirm/", after=before)
    holder = new_context(java_script_enabled=javascript).new_page()
    holder.goto(link)
    # The password was chosen on the form: the link only confirms the address.
    expect(holder.get_by_role("heading", level=1)).to_have_text("Confirm your email")
    expect(holder.get_by_label("New password", exact=True)).to_have_count(0)
    holder.get_by_role("button", name="Confirm my email").click()
    expect(holder).to_have_url(re.compile(r"/login\?registered=1$"))

    logged_in(holder, email, WEB_PASSWORD)
    contact_being_set_up_then_dashboard(holder)


def test_a_trade_customer_registers_and_signs_in(new_context):
    register_trade(new_context, TRADE_EMAIL, javascript=True)


def test_a_trade_customer_registers_without_javascript(new_context, live_server):
    register_trade(new_context, unregistered_customer_email(live_server), javascript=False)


def test_a_new_customer_registers_and_signs_in(new_context):
    register_web(new_context, javascript=True)


def test_a_new_customer_registers_without_javascript(new_context):
    register_web(new_context, javascript=False)


def test_the_form_shows_errors_beside_the_fields_without_javascript(page_without_javascript: Page):
    page = page_without_javascript
    page.goto("/register")
    web = page.get_by_role("region", name="New to us")
    web.get_by_label("Email").fill("not-an-address")
    web.get_by_role("button", name="Create my account").click()
    web = page.get_by_role("region", name="New to us")
    expect(web.get_by_label("Your name")).to_have_attribute("aria-invalid", "true")
    expect(web.get_by_label("Your name")).to_be_focused()  # the first field with an error
    expect(web.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(web.get_by_label("Email")).to_have_value("not-an-address")
    expect(web.get_by_label("Address line 1")).to_have_attribute("aria-invalid", "true")
    expect(web).to_contain_text("Enter an email address like name@example.com.")
    # The other form is left as it was.
    expect(page.get_by_role("region", name="You already buy from us").get_by_label("Email")).not_to_have_attribute(
        "aria-invalid", "true"
    )


# --- steps the accessibility check takes (e2e/test_accessibility.py's PAGES) -----------------
def register_form_sent_invalid(page: Page) -> None:
    """The web form sent with a bad email and nothing else: the errors beside the fields."""
    web = page.get_by_role("region", name="New to us")
    web.get_by_label("Email").fill("not-an-address")
    web.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("region", name="New to us").get_by_label("Your name")).to_have_attribute("aria-invalid", "true")


def register_form_sent(page: Page) -> None:
    """The trade form sent for a new address: the "check your email" page."""
    email = fresh_address()
    trade_form_sent(page, email)
    check_your_email(page, email)


def _confirm_link(live_server, **registration) -> str:
    """A working verification link for a registration committed through the store, once its
    background check has sent it to "verifying" (the link in the mail is a token like this)."""
    components = live_server["app"].state["components"]
    registration_id = on_server(live_server, lambda: components.registrations.submit(ip="127.0.0.1", **registration))
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while (found := on_server(live_server, components.registrations.get, registration_id)).state != "verifying":
        assert found.state == "received" and time.monotonic() < deadline, f"the registration is {found.state}"
        time.sleep(0.1)
    return f"/register/confirm/{on_server(live_server, components.tokens.mint, TOKEN_PURPOSE, registration_id)}"


def web_confirm_link(page: Page, live_server) -> str:
    """The link's page of a new web customer: one button, "Confirm my email"."""
    address = {"addressLine1": "12 Canal Street", "addressLine2": "", "addressLine3": "Leeds", "addressLine4": "",
               "postalCode": "LS1 4AB", "countryIsoCode": "GBR"}
    components = live_server["app"].state["components"]
    return _confirm_link(live_server, kind="web", email=fresh_address(), name="Jane Example", address=address,
                         password_hash=components.passwords.hash_sync(WEB_PASSWORD))


def trade_confirm_link(page: Page, live_server) -> str:
    """The link's page of a trade customer: choose a password."""
    return _confirm_link(live_server, kind="trade", email=unregistered_customer_email(live_server))


def passwords_that_differ_sent(page: Page) -> None:
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("something else")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
