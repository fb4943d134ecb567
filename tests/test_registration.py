"""Self-registration through a real SMTP server: the instant trade account, the web account and
its Brightpearl contact, approval, shared e-mails, closed mode, and what never leaks."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    csrf_token,
    deliver_due,
    due_now,
    fresh_sandbox,
    login,
    portal_app,
    portal_settings,
)
from support.mail import links_in, text_of

from portal.sandbox.demo import TOM_CONTACT_ID
from portal.sandbox.generate import SHARED_EMAIL

PASSWORD = "a long and quiet river"
WEB_FORM = {
    "kind": "web",
    "name": "Jane Example",
    "company": "",
    "email": "jane@example.org",
    "phone": "+44 113 000 0000",
    "password": PASSWORD,
    "line1": "1 Example Street",
    "line2": "",
    "town": "Leeds",
    "county": "",
    "postcode": "ls1 1aa",
    "country": "GBR",
    "idem_key": "registration-form-key-1",
}


def make_app(tmp_path, smtp, sandbox=None, **overrides):
    settings = portal_settings(tmp_path, smtp_url=smtp.url, registration=overrides.pop("registration", "open"), **overrides)
    return portal_app(settings, sandbox or fresh_sandbox())


def register(client: TestClient, **form):
    return client.post("/register", data={**form, "_csrf_token": csrf_token(client)})


def confirm_link(message) -> str:
    links = [url for url in links_in(message) if "/register/confirm/" in url]
    assert links, text_of(message)
    return links[0].removeprefix(BASE_URL)


def rows(client, sql, params=()):
    return app_rows(client, sql, params)


def test_an_existing_trade_contact_gets_a_link_chooses_a_password_and_logs_in(tmp_path, smtp):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        answer = register(client, kind="trade", email="Tom.Lowe@example.com")
        assert answer.status_code == 200
        assert "Check your email" in answer.text
        (message,) = smtp.wait_for(1)
        assert message["To"] == "tom.lowe@example.com"
        assert "Confirm your email" in message["Subject"]
        path = confirm_link(message)
        assert path.startswith("/register/confirm/")

        # A fresh browser (no cookies): opening the link changes nothing (mail scanners open links too).
        client.cookies.clear()
        page = client.get(path)
        assert page.status_code == 200
        assert "Choose your password" in page.text
        assert page.headers["referrer-policy"] == "same-origin"
        assert rows(client, "select count(*) as n from users where email = 'tom.lowe@example.com'")[0]["n"] == 0
        token = client.cookies["csrftoken"]
        short = client.post(path, data={"password": "short", "confirm": "short", "_csrf_token": token})
        assert short.status_code == 400
        assert "at least 8 characters" in short.text
        done = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "_csrf_token": token},
                           follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == "/login?registered=1"
        again = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "_csrf_token": token})
        assert again.status_code == 410
        assert "already used" in again.text

        (user,) = rows(client, "select * from users where email = 'tom.lowe@example.com'")
        assert (user["role"], user["contact_id"]) == ("customer", TOM_CONTACT_ID)
        client.cookies.clear()
        assert login(client, "tom.lowe@example.com", PASSWORD).status_code == 303
        assert client.get("/account").status_code == 200
        actions = [r["action"] for r in rows(client, "select action from audit order by id")]
        assert {"registration_received", "registration_verified", "registered"} <= set(actions)


def test_a_web_account_is_created_in_brightpearl_once_and_linked(tmp_path, smtp):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox)
    contacts_before = len(sandbox.data.contacts)
    with TestClient(app, base_url=BASE_URL) as client:
        assert register(client, **WEB_FORM).status_code == 200
        (message,) = smtp.wait_for(1)
        path = confirm_link(message)
        page = client.get(path)
        assert "Confirm my email" in page.text and "password" not in page.text.split("<form", 1)[1].split("</form>")[0].lower()
        done = client.post(path, data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)
        assert done.status_code == 303
        deliver_due(client)
        (user,) = rows(client, "select * from users where email = 'jane@example.org'")
        assert user["contact_id"], "the login is linked once the contact exists"
        contact = sandbox.data.contacts[user["contact_id"]]
        assert contact["communication"]["emails"]["PRI"]["email"] == "jane@example.org"
        assert (contact["firstName"], contact["lastName"]) == ("Jane", "Example")
        address = sandbox.data.addresses[contact["postAddressIds"]["DEF"]]
        assert (address["addressLine1"], address["postalCode"]) == ("1 Example Street", "LS1 1AA")
        assert len(sandbox.data.contacts) == contacts_before + 1
        # The password chosen on the form is the one that logs in.
        client.cookies.clear()
        assert login(client, "jane@example.org", PASSWORD).status_code == 303
        assert client.get("/").status_code == 200


def test_a_web_account_is_being_set_up_until_brightpearl_takes_it_and_is_never_created_twice(tmp_path, smtp):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        register(client, **WEB_FORM)
        path = confirm_link(smtp.wait_for(1)[0])
        sandbox.fail("/contact-service/contact/?$", 500, method="POST")  # the address goes in, not the contact
        client.post(path, data={"_csrf_token": client.cookies["csrftoken"]})
        deliver_due(client)
        assert login(client, "jane@example.org", PASSWORD).status_code == 303
        assert "being set up" in client.get("/").text
        assert client.get("/orders", follow_redirects=False).headers["location"].startswith("/?next=")
        # Next attempt: Brightpearl creates the contact but its answer is lost.
        sandbox.clear_faults()
        sandbox.knobs.lose_responses = 1
        due_now(client)
        deliver_due(client)
        assert "being set up" in client.get("/").text
        due_now(client)
        deliver_due(client)
        created = [c for c in sandbox.data.contacts.values()
                   if c.get("communication", {}).get("emails", {}).get("PRI", {}).get("email") == "jane@example.org"]
        assert len(created) == 1, "the retry found the contact by its e-mail instead of posting again"
        (user,) = rows(client, "select * from users where email = 'jane@example.org'")
        assert user["contact_id"] == created[0]["contactId"]
        assert "being set up" not in client.get("/").text
        (item,) = rows(client, "select * from outbox where kind = 'customer_contact'")
        assert item["state"] == "done" and '"adopted": true' in item["result"]


def test_a_web_registration_for_an_existing_contact_takes_the_trade_path(tmp_path, smtp):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        register(client, **{**WEB_FORM, "email": "tom.lowe@example.com"})
        path = confirm_link(smtp.wait_for(1)[0])
        page = client.get(path)
        assert "Choose your password" in page.text, "the password typed on the form is not trusted for a contact"
        client.post(path, data={"password": "another long passphrase", "confirm": "another long passphrase",
                                "_csrf_token": client.cookies["csrftoken"]})
        (user,) = rows(client, "select * from users where email = 'tom.lowe@example.com'")
        assert user["contact_id"] == TOM_CONTACT_ID
        assert rows(client, "select count(*) as n from outbox where kind = 'customer_contact'")[0]["n"] == 0


def test_every_address_gets_the_same_page_and_its_own_mail(tmp_path, smtp):
    app = make_app(tmp_path, smtp)
    with TestClient(app, base_url=BASE_URL) as client:
        pages = []
        for email in ("alice@example.com", "nobody-here@example.org", "tom.lowe@example.com"):
            answer = register(client, kind="trade", email=email)
            pages.append((answer.status_code, re.sub(r"<strong[^>]*>[^<]*</strong>", "", strip(answer.text))))
        assert pages[0] == pages[1] == pages[2]
        messages = {m["To"]: m for m in smtp.wait_for(3)}
        assert "already have" in messages["alice@example.com"]["Subject"]
        assert "/password/forgot" in text_of(messages["alice@example.com"])
        assert "could not find an account" in text_of(messages["nobody-here@example.org"])
        assert "/register/confirm/" in text_of(messages["tom.lowe@example.com"])
        # Nothing changed on alice's account.
        assert rows(client, "select count(*) as n from users where email = 'alice@example.com'")[0]["n"] == 1
        assert login(client, "alice@example.com").status_code == 303


def tokens_of(app):
    return app.state["components"].tokens


def strip(html: str) -> str:
    return re.sub(r'name="_csrf_token" value="[^"]*"|"X-CSRFToken": "[^"]*"|content="[^"]*"', "", html)


def test_shared_emails_wait_for_an_admin_to_choose_the_contact(tmp_path, smtp):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        register(client, kind="trade", email=SHARED_EMAIL)
        path = confirm_link(smtp.wait_for(1)[0])
        waiting = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "_csrf_token": client.cookies["csrftoken"]})
        assert waiting.status_code == 200
        assert "more than one account" in waiting.text
        (registration,) = rows(client, "select * from registrations where email = ?", [SHARED_EMAIL])
        assert registration["state"] == "needs_contact"
        assert rows(client, "select count(*) as n from users where email = ?", [SHARED_EMAIL])[0]["n"] == 0
        assert "received your registration" in text_of(smtp.wait_for(2)[1]) or "checks every new account" in text_of(smtp.wait_for(2)[1])


def test_approval_mode_waits_for_an_admin(tmp_path, smtp):
    app = make_app(tmp_path, smtp, registration="approval")
    with TestClient(app, base_url=BASE_URL) as client:
        assert "check every new account" in client.get("/register").text
        register(client, kind="trade", email="tom.lowe@example.com")
        path = confirm_link(smtp.wait_for(1)[0])
        waiting = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "_csrf_token": client.cookies["csrftoken"]})
        assert "checks every new account" in waiting.text
        assert rows(client, "select count(*) as n from users where email = 'tom.lowe@example.com'")[0]["n"] == 0
        assert login(client, "tom.lowe@example.com", PASSWORD).status_code != 303  # no login until approved


def test_closed_registration_refuses_the_form(tmp_path, smtp):
    app = make_app(tmp_path, smtp, registration="closed")
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get("/register")
        assert page.status_code == 200 and "opened by our team" in page.text
        refused = register(client, kind="trade", email="tom.lowe@example.com")
        assert refused.status_code == 403
        assert rows(client, "select count(*) as n from registrations")[0]["n"] == 0


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"kind": "trade", "email": "not-an-email"}, "trade-email", "like name@example.com"),
        ({"kind": "trade", "email": ""}, "trade-email", "Enter your email address"),
        ({**WEB_FORM, "password": "short"}, "web-password", "at least 8 characters"),
        ({**WEB_FORM, "password": "x" * 1025}, "web-password", "at most 1,024 characters"),
        ({**WEB_FORM, "password": "password123"}, "web-password", "most common passwords"),
        ({**WEB_FORM, "name": ""}, "web-name", "Enter your name"),
        ({**WEB_FORM, "postcode": ""}, "web-postcode", "Enter the postcode"),
        ({**WEB_FORM, "country": "XXX"}, "web-country", "Choose a country"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_changes_nothing(tmp_path, smtp, form, field, message):
    app = make_app(tmp_path, smtp)
    with TestClient(app, base_url=BASE_URL) as client:
        answer = register(client, **form)
        assert answer.status_code == 400
        assert message in answer.text
        assert f'id="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
        assert rows(client, "select count(*) as n from registrations")[0]["n"] == 0
        assert rows(client, "select count(*) as n from outbox")[0]["n"] == 0


@pytest.mark.parametrize("token", ["not-a-token", "x" * 500])
def test_a_tampered_link_is_refused(tmp_path, smtp, token):
    app = make_app(tmp_path, smtp)
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get(f"/register/confirm/{token}")
        assert page.status_code == 400
        assert "not valid" in page.text


def test_a_link_of_another_purpose_is_refused(tmp_path, smtp):
    app = make_app(tmp_path, smtp)
    reset = tokens_of(app).mint("password-reset", 1)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get(f"/register/confirm/{reset}").status_code == 400


def test_an_address_gets_at_most_three_mails_a_quarter_hour(tmp_path, smtp):
    app = make_app(tmp_path, smtp)
    with TestClient(app, base_url=BASE_URL) as client:
        answers = {register(client, kind="trade", email="tom.lowe@example.com").text.count("Check your email") for _ in range(5)}
        assert answers == {2}  # title and heading, every time
        assert rows(client, "select count(*) as n from registrations")[0]["n"] == 3


def test_the_check_waits_for_brightpearl_and_then_sends(tmp_path, smtp):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox)
    sandbox.fail("/contact-service/contact-search", 503, times=20)
    with TestClient(app, base_url=BASE_URL) as client:
        assert register(client, kind="trade", email="tom.lowe@example.com").status_code == 200
        deliver_due(client)
        (registration,) = rows(client, "select state from registrations")
        assert registration["state"] == "received"
        sandbox.clear_faults()
        due_now(client)
        deliver_due(client)
        (message,) = smtp.wait_for(1)
        assert "/register/confirm/" in text_of(message)


def supplier_email(sandbox) -> str:
    """The primary e-mail of a supplier contact that has no portal login."""
    for contact in sandbox.data.contacts.values():
        email = contact.get("communication", {}).get("emails", {}).get("PRI", {}).get("email", "")
        if contact["relationshipToAccount"]["isSupplier"] and email and email != "sam@example.com":
            return email
    raise AssertionError("the sandbox has no other supplier")


@pytest.mark.parametrize("allowed", [True, False])
def test_a_supplier_contact_gets_a_supplier_login_only_when_the_merchant_allows_it(tmp_path, smtp, allowed):
    sandbox = fresh_sandbox()
    app = make_app(tmp_path, smtp, sandbox, supplier_registration=allowed)
    email = supplier_email(sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        register(client, kind="trade", email=email)
        (message,) = smtp.wait_for(1)
        if not allowed:
            assert "could not find an account" in text_of(message)
            return
        path = confirm_link(message)
        client.get(path)
        client.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "_csrf_token": client.cookies["csrftoken"]})
        (user,) = rows(client, "select * from users where email = ?", [email])
        assert user["role"] == "supplier"
