"""Passwords in a real browser: a forgotten password reset through the mailed link (asked for in
one browser, the mail read by the admin in a second, the link opened in a third with no cookies),
and a password changed on /password, which ends the customer's session in every other browser.

Bob's demo password is put back at the end (other e2e files log in as him), through the change
form; a fixture checks it afterwards and, should the test have stopped half-way, stores it again.
"""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from conftest import on_server
from playwright.sync_api import Page, expect
from test_registration_flow import NewContext, admin_mailbox, link_in_mail, logged_in, newest_message_id

from portal.sandbox import DEMO_PASSWORD
from portal.sandbox.demo import BOB_CONTACT_ID

BOB = "bob@example.com"
RESET_SUBJECT = re.compile(r"^Reset your password")
RESET_PASSWORD = "a new password for bob"
# A login of its own for the change test, so no session another test holds ends.
CHANGER = "carol.password-change@example.com"
CHANGED_PASSWORD = "carol changed it today"


def demo_password_back(live_server, email: str) -> None:
    """Store the demo password again for `email` unless it already has it."""
    components = live_server["app"].state["components"]
    row = on_server(live_server, components.users.by_email, email)
    try:
        PasswordHasher().verify(row["password_hash"], DEMO_PASSWORD)
    except VerificationError:
        on_server(live_server, components.users.change_password, row["id"], components.passwords.hash_sync(DEMO_PASSWORD))


@pytest.fixture
def bob_keeps_his_password(live_server):
    yield
    demo_password_back(live_server, BOB)


def login_refused(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("#login-error")).to_be_visible()


def password_changed(page: Page, current: str, new: str) -> None:
    """On /password: the change form sent, and its answer seen."""
    page.goto("/password")
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/password\?changed=1$"))
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed")


def test_a_forgotten_password_is_reset_through_the_mailed_link(new_context: NewContext, bob_keeps_his_password):
    visitor = new_context().new_page()
    admin = admin_mailbox(new_context)
    before = newest_message_id(admin)

    visitor.goto("/password/forgot")
    visitor.get_by_label("Email").fill(BOB)
    visitor.get_by_role("button", name="Send me a link").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(visitor.get_by_role("status")).to_contain_text(BOB)

    link = link_in_mail(admin, BOB, RESET_SUBJECT, "/password/reset/", after=before)
    holder = new_context().new_page()
    holder.goto(link)
    expect(holder.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    # Two different entries first: the error is beside the second field, the link still works.
    holder.get_by_label("New password", exact=True).fill(RESET_PASSWORD)
    holder.get_by_label("New password again").fill(RESET_PASSWORD + " typo")
    holder.get_by_role("button", name="Save the new password").click()
    expect(holder.get_by_label("New password again")).to_have_attribute("aria-invalid", "true")
    holder.get_by_label("New password", exact=True).fill(RESET_PASSWORD)
    holder.get_by_label("New password again").fill(RESET_PASSWORD)
    holder.get_by_role("button", name="Save the new password").click()
    expect(holder).to_have_url(re.compile(r"/login\?reset=done$"))

    login_refused(holder, BOB, DEMO_PASSWORD)
    logged_in(holder, BOB, RESET_PASSWORD)
    expect(holder.get_by_role("navigation", name="Main").get_by_role("link", name="Orders")).to_have_count(1)

    # The link works once.
    again = new_context().new_page()
    response = again.goto(link)
    assert response is not None and response.status == 410
    expect(again.get_by_role("heading", level=1)).to_have_text("This link was already used")

    # Bob's demo password back, as he would do it: on /password.
    password_changed(holder, RESET_PASSWORD, DEMO_PASSWORD)
    login_refused(new_context().new_page(), BOB, RESET_PASSWORD)
    logged_in(new_context().new_page(), BOB, DEMO_PASSWORD)


def test_changing_the_password_ends_the_other_sessions(new_context: NewContext, live_server):
    components = live_server["app"].state["components"]
    hashed = components.passwords.hash_sync(DEMO_PASSWORD)
    on_server(live_server, lambda: components.users.ensure(email=CHANGER, password_hash=hashed, role="customer",
                                                           contact_id=BOB_CONTACT_ID, name="Carol Change"))
    demo_password_back(live_server, CHANGER)  # a second run of this test starts the same way
    here = new_context(java_script_enabled=False).new_page()
    elsewhere = new_context().new_page()
    logged_in(here, CHANGER, DEMO_PASSWORD)
    logged_in(elsewhere, CHANGER, DEMO_PASSWORD)

    # A wrong current password changes nothing, and says so beside the field.
    here.goto("/password")
    here.get_by_label("Current password").fill("not my password")
    here.get_by_label("New password", exact=True).fill(CHANGED_PASSWORD)
    here.get_by_label("New password again").fill(CHANGED_PASSWORD)
    here.get_by_role("button", name="Change password").click()
    expect(here.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    expect(here.locator("main")).to_contain_text("That is not your current password.")
    elsewhere.goto("/orders")
    expect(elsewhere).to_have_url(re.compile(r"/orders$"))

    password_changed(here, DEMO_PASSWORD, CHANGED_PASSWORD)
    # The other browser is sent to log in on its next page; this one carries on.
    elsewhere.goto("/orders")
    expect(elsewhere).to_have_url(re.compile(r"/login\?next="))
    here.goto("/orders")
    expect(here).to_have_url(re.compile(r"/orders$"))

    login_refused(elsewhere, CHANGER, DEMO_PASSWORD)
    logged_in(elsewhere, CHANGER, CHANGED_PASSWORD)


# --- steps the accessibility check takes (e2e/test_accessibility.py's PAGES) -----------------
def forgot_form_sent(page: Page) -> None:
    """The forgot form sent for an address no login has: the same "check your email" answer."""
    page.get_by_label("Email").fill("nobody-here@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def forgot_form_sent_invalid(page: Page) -> None:
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")


def wrong_current_password_sent(page: Page) -> None:
    """The change form with a wrong current password and a new one too short: nothing changes."""
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
