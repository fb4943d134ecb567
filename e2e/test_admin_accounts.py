"""The admin creates a login in Chromium: finds the Brightpearl contact by e-mail, chooses it
among the contacts sharing that address, sets a temporary password; in a fresh browser the
person logs in with it, must choose their own password first, and then sees their orders.
Screenshots of the list (filtered), the create form (with candidates) and the edit form at both
widths go to conftest.SHOTS (under the temporary directory)."""

from __future__ import annotations

import re

from conftest import SHOTS, on_server
from playwright.sync_api import Page, expect

from portal.sandbox.generate import SHARED_EMAIL

TEMPORARY = "hand this over in person"
LOGIN_EMAIL = "jo.daughters@example.com"
OWN = "jo chose this one herself"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


# Steps for e2e/test_accessibility.py: each leaves the page where it shows what it is named for.
def accounts_filtered(page: Page, live_server) -> str:
    """The accounts list filtered to active customers."""
    return "/admin/accounts?role=customer&state=active"


def candidates_found(page: Page) -> None:
    """On /admin/accounts/new: the shared e-mail looked up (two candidates)."""
    page.get_by_label("Email, name, company or contact id").fill(SHARED_EMAIL)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("2 contacts found")).to_be_visible()


def create_form_with_errors(page: Page) -> None:
    """On /admin/accounts/new: tom.lowe found, and the form sent with a bad email and a short password."""
    page.get_by_label("Email, name, company or contact id").fill("tom.lowe@example.com")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Login email").fill("not an email")
    page.get_by_label("Set a temporary password").check()
    page.get_by_label("Temporary password", exact=True).fill("short")
    page.get_by_role("button", name="Create login").click()
    expect(page.locator("#email-error")).to_be_visible()


def bob_edit_form(page: Page, live_server) -> str:
    """Bob's edit form."""
    users = live_server["app"].state["components"].users
    return f"/admin/accounts/{on_server(live_server, users.by_email, 'bob@example.com')['id']}/edit"


def test_an_admin_creates_a_login_with_a_temporary_password_that_must_be_changed(live_server, new_context, log_in):
    admin = new_context().new_page()
    log_in(admin, "admin@example.com")
    admin.goto("/admin/accounts")
    admin.get_by_role("link", name="New login").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("New login")
    candidates_found(admin)
    expect(admin.get_by_text("Porter Joinery", exact=True)).to_be_visible()
    expect(admin.get_by_text("Porter & Daughters Ltd", exact=True)).to_be_visible()
    shoot(admin, "admin-account-new-candidates")
    admin.get_by_role("link", name=re.compile(r"Choose .*Porter & Daughters Ltd")).click()
    expect(admin.get_by_label("Login email")).to_have_value(SHARED_EMAIL)
    # The login gets an address of its own: the shared one stays free for the other tests
    # (the import's "several contacts share this email" row, the registration flow).
    admin.get_by_label("Login email").fill(LOGIN_EMAIL)
    admin.get_by_label("Set a temporary password").check()
    admin.get_by_label("Temporary password", exact=True).fill(TEMPORARY)
    admin.get_by_role("button", name="Create login").click()
    expect(admin.get_by_role("status").first).to_contain_text("The login is created with the temporary password")
    expect(admin.locator(".login-row__email")).to_have_text([LOGIN_EMAIL])

    person = new_context().new_page()
    person.goto("/login")
    person.get_by_label("Email").fill(LOGIN_EMAIL)
    person.get_by_label("Password").fill(TEMPORARY)
    person.get_by_role("button", name="Log in").click()
    expect(person).to_have_url(re.compile(r"/password"))
    expect(person.get_by_text("You signed in with a temporary password")).to_be_visible()
    person.goto("/orders")
    expect(person).to_have_url(re.compile(r"/password"))  # nothing else opens first
    person.get_by_label("Current password").fill(TEMPORARY)
    person.get_by_label("New password", exact=True).fill(OWN)
    person.get_by_label("New password again").fill(OWN)
    person.get_by_role("button", name=re.compile("Change|Save|Choose")).click()
    person.goto("/orders")
    expect(person.get_by_role("heading", level=1)).to_have_text("Your orders")


def test_screenshots_of_the_list_and_the_edit_form(live_server, new_context, log_in):
    admin = new_context().new_page()
    log_in(admin, "admin@example.com")
    admin.goto(accounts_filtered(admin, live_server))
    expect(admin.get_by_label("Role")).to_have_value("customer")
    shoot(admin, "admin-accounts-filtered")
    admin.goto(bob_edit_form(admin, live_server))
    expect(admin.get_by_text("Mitchell Hospitality Group Ltd", exact=False).first).to_be_visible()
    shoot(admin, "admin-account-edit")
    admin.goto("/admin/accounts/new")
    create_form_with_errors(admin)
    shoot(admin, "admin-account-new-errors")


def test_the_filters_work_without_javascript(live_server, new_context, log_in):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, "admin@example.com")
    page.goto("/admin/accounts")
    page.get_by_label("Role").select_option("supplier")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"role=supplier"))
    expect(page.locator(".login-row__email").first).to_have_text("sam@example.com")
