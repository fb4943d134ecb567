"""An admin deactivates a login from the accounts page, and that person's open session stops
working at its next request; reactivated, they log in again."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.core.db import open_database
from portal.core.users import UserStore
from portal.sandbox import DEMO_PASSWORD
from portal.sandbox.demo import TOM_CONTACT_ID
from portal.security.passwords import Passwords

EMAIL = "tom.deactivated@example.com"


def test_a_deactivated_users_open_session_stops_working(live_server, new_context, log_in):
    # A login of its own (through a second connection to the portal's database file), so that
    # deactivating it disturbs no other test.
    db = open_database(live_server["app"].state["components"].settings.db_path)
    try:
        UserStore(db).ensure(email=EMAIL, password_hash=Passwords(fast=True).hash_sync(DEMO_PASSWORD), role="customer",
                             contact_id=TOM_CONTACT_ID, name="Tom Lowe")
    finally:
        db.close()
    person = new_context().new_page()
    log_in(person, EMAIL)
    person.goto("/orders")
    expect(person.get_by_role("heading", level=1)).to_have_text("Your orders")

    admin = new_context().new_page()
    log_in(admin, "admin@example.com")
    admin.goto("/admin/accounts")
    admin.get_by_role("button", name=f"Deactivate {EMAIL}").click()
    expect(admin.get_by_role("status")).to_contain_text("deactivated")

    person.goto("/orders")
    expect(person).to_have_url(re.compile(r"/login\?next=/orders"))
    person.get_by_label("Email").fill(EMAIL)
    person.get_by_label("Password").fill(DEMO_PASSWORD)
    person.get_by_role("button", name="Log in").click()
    expect(person.get_by_text("do not match an active account")).to_be_visible()

    admin.get_by_role("button", name=f"Reactivate {EMAIL}").click()
    expect(admin.get_by_role("status")).to_contain_text("active again")
    log_in(person, EMAIL)
