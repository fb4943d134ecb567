"""The admin's accounts page: deciding registrations (choosing the contact when several share
an e-mail), deactivating and reactivating, resetting two-factor, temporary passwords and reset
links; each audited, each refused to anyone but an admin."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    components,
    csrf_token,
    deliver_due,
    fresh_sandbox,
    login,
    on_loop,
    portal_app,
    portal_settings,
    switch_to,
)
from support.mail import links_in, text_of

from portal.sandbox.demo import BOB_CONTACT_ID
from portal.sandbox.generate import SHARED_EMAIL

PASSWORD = "a long and quiet river"


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, smtp, sandbox):
    app = portal_app(portal_settings(tmp_path, smtp_url=smtp.url, registration="approval"), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def registered(client: TestClient, smtp, **form) -> int:
    """Register, follow the link (choosing PASSWORD when asked); return the registration id."""
    client.cookies.clear()
    before = len(smtp.messages)
    client.post("/register", data={**form, "_csrf_token": csrf_token(client)})
    message = smtp.wait_for(before + 1)[-1]
    (link,) = [u for u in links_in(message) if "/register/confirm/" in u]
    path = link.removeprefix(BASE_URL)
    client.get(path)
    client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "_csrf_token": client.cookies["csrftoken"]})
    (row,) = app_rows(client, "select id, state from registrations where email = ? order by id desc limit 1", [form["email"]])
    return row["id"]


def test_an_admin_links_a_shared_email_to_the_contact_they_choose(client, smtp, sandbox):
    registration = registered(client, smtp, kind="trade", email=SHARED_EMAIL)
    switch_to(client, "admin@example.com")
    page = client.get("/admin/accounts")
    assert "Porter Joinery" in page.text and "Porter &amp; Daughters Ltd" in page.text
    # Without a choice, nothing happens.
    refused = post(client, f"/admin/registrations/{registration}/approve")
    assert refused.status_code == 400 and "Choose which Brightpearl contact" in refused.text
    contacts = sorted(cid for cid, c in sandbox.data.contacts.items()
                      if c.get("communication", {}).get("emails", {}).get("PRI", {}).get("email") == SHARED_EMAIL)
    done = post(client, f"/admin/registrations/{registration}/approve", contact_id=str(contacts[1]))
    assert done.status_code == 303
    assert "approved" in client.get(done.headers["location"]).text
    (user,) = app_rows(client, "select * from users where email = ?", [SHARED_EMAIL])
    assert user["contact_id"] == contacts[1]
    approved = [m for m in smtp.wait_for(3) if "is ready" in m["Subject"]]
    assert approved and approved[0]["To"] == SHARED_EMAIL
    client.cookies.clear()
    assert login(client, SHARED_EMAIL, PASSWORD).status_code == 303
    assert any(r["action"] == "registration_approved" for r in app_rows(client, "select action from audit"))


def test_an_approved_web_account_gets_its_brightpearl_contact(client, smtp, sandbox):
    registration = registered(
        client, smtp, kind="web", name="Jane Example", email="jane@example.org", password=PASSWORD,
        line1="1 Example Street", town="Leeds", postcode="LS1 1AA", country="GBR", idem_key="registration-key-01",
    )
    (row,) = app_rows(client, "select state from registrations where id = ?", [registration])
    assert row["state"] == "awaiting_approval"
    switch_to(client, "admin@example.com")
    assert post(client, f"/admin/registrations/{registration}/approve").status_code == 303
    deliver_due(client)
    (user,) = app_rows(client, "select * from users where email = 'jane@example.org'")
    assert user["contact_id"] and user["contact_id"] in sandbox.data.contacts


def test_a_refused_registration_gets_no_login_and_a_mail(client, smtp):
    registration = registered(client, smtp, kind="trade", email="tom.lowe@example.com")
    switch_to(client, "admin@example.com")
    assert post(client, f"/admin/registrations/{registration}/refuse", reason="not a customer").status_code == 303
    assert app_rows(client, "select count(*) as n from users where email = 'tom.lowe@example.com'")[0]["n"] == 0
    assert any("not able to open an account" in text_of(m) for m in smtp.wait_for(3))
    # Deciding twice changes nothing.
    assert post(client, f"/admin/registrations/{registration}/approve").status_code == 400


def test_deactivating_ends_the_users_open_session_at_once(client):
    switch_to(client, "bob@example.com")
    bob_session = dict(client.cookies)
    switch_to(client, "admin@example.com")
    bob = on_loop(client, components(client.app).users.by_email, "bob@example.com")
    assert post(client, f"/admin/accounts/{bob['id']}/active", active="0").status_code == 303
    admin_session = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update(bob_session)
    assert client.get("/account", follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert login(client, "bob@example.com").status_code != 303
    client.cookies.clear()
    client.cookies.update(admin_session)
    assert post(client, f"/admin/accounts/{bob['id']}/active", active="1").status_code == 303
    client.cookies.clear()
    assert login(client, "bob@example.com").status_code == 303
    actions = [r["action"] for r in app_rows(client, "select action from audit")]
    assert {"account_deactivated", "account_reactivated", "sessions_ended"} <= set(actions)


def test_an_admin_cannot_deactivate_themselves(client):
    switch_to(client, "admin@example.com")
    admin = on_loop(client, components(client.app).users.by_email, "admin@example.com")
    refused = post(client, f"/admin/accounts/{admin['id']}/active", active="0")
    assert refused.status_code == 400 and "your own login" in refused.text


def test_a_temporary_password_must_be_changed_at_the_next_login(client):
    switch_to(client, "admin@example.com")
    bob = on_loop(client, components(client.app).users.by_email, "bob@example.com")
    weak = post(client, f"/admin/accounts/{bob['id']}/temporary-password", password="short")
    assert weak.status_code == 400 and "at least 8 characters" in weak.text
    assert post(client, f"/admin/accounts/{bob['id']}/temporary-password", password="hand it over 1").status_code == 303
    client.cookies.clear()
    assert login(client, "bob@example.com", "hand it over 1").status_code == 303
    assert client.get("/orders", follow_redirects=False).headers["location"].startswith("/password")


def test_an_admin_resets_two_factor_and_mails_reset_links(client, smtp):
    c = components(client.app)
    bob = on_loop(client, c.users.by_email, "bob@example.com")
    on_loop(client, c.db.execute, "update users set totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled_at = '2026-01-01' where id = ?", [bob["id"]])
    switch_to(client, "admin@example.com")
    assert "Reset two-factor" in client.get("/admin/accounts").text
    assert post(client, f"/admin/accounts/{bob['id']}/two-factor/reset").status_code == 303
    assert app_rows(client, "select totp_enabled_at from users where id = ?", [bob["id"]])[0]["totp_enabled_at"] is None
    assert post(client, f"/admin/accounts/{bob['id']}/reset-link").status_code == 303
    (message,) = smtp.wait_for(1)
    assert message["To"] == "bob@example.com" and "/password/reset/" in text_of(message)


def test_only_admins_reach_the_accounts_page(client):
    switch_to(client, "alice@example.com")
    # The admin area answers a customer exactly like a missing page.
    assert client.get("/admin/accounts").status_code == 404
    assert post(client, "/admin/accounts/1/active", active="0").status_code == 404
    client.cookies.clear()
    assert client.get("/admin/accounts", follow_redirects=False).headers["location"].startswith("/login")


def test_the_admin_needs_no_contact_and_sees_bob(client):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/accounts").text
    assert "bob@example.com" in page and f"contact {BOB_CONTACT_ID}" in page
