"""Forgot password, reset by link and change password, through a real SMTP server: single use,
expiry, purpose, every session ending, and answers that say nothing about an address."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    components,
    csrf_token,
    fresh_sandbox,
    login,
    on_loop,
    portal_app,
    portal_settings,
    switch_to,
)
from support.mail import links_in, text_of

from portal.sandbox import DEMO_PASSWORD
from portal.security import tokens as tokens_module

NEW = "correct horse battery staple"


@pytest.fixture
def app(tmp_path, smtp):
    return portal_app(portal_settings(tmp_path, smtp_url=smtp.url), fresh_sandbox())


def forgot(client: TestClient, email: str, **headers):
    return client.post("/password/forgot", data={"email": email, "_csrf_token": csrf_token(client)}, headers=headers)


def reset_path(message) -> str:
    (url,) = [u for u in links_in(message) if "/password/reset/" in u]
    assert url.startswith(BASE_URL)
    return url.removeprefix(BASE_URL)


def post_reset(client: TestClient, path: str, password: str = NEW, confirm: str | None = None):
    client.get(path)
    return client.post(path, data={"password": password, "confirm": password if confirm is None else confirm,
                                   "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def strip(html: str) -> str:
    return re.sub(r'name="_csrf_token" value="[^"]*"|"X-CSRFToken": "[^"]*"|content="[^"]*"|<strong[^>]*>[^<]*</strong>', "", html)


def signed_in_elsewhere(client: TestClient, email: str) -> dict[str, str]:
    """Log in as `email` and return that session's cookies (another device), then forget them."""
    switch_to(client, email)
    assert client.get("/account").status_code == 200
    cookies = dict(client.cookies)
    client.cookies.clear()
    return cookies


def still_signed_in(client: TestClient, cookies: dict[str, str]) -> bool:
    """Whether the device with `cookies` may still open its account page."""
    mine = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update(cookies)
    answer = client.get("/account", follow_redirects=False)
    client.cookies.clear()
    client.cookies.update(mine)
    return answer.status_code == 200


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        other_device = signed_in_elsewhere(client, "alice@example.com")
        answer = forgot(client, "Alice@Example.com")
        assert answer.status_code == 200 and "Check your email" in answer.text
        (message,) = smtp.wait_for(1)
        assert message["To"] == "alice@example.com"
        path = reset_path(message)
        form = client.get(path)
        assert form.headers["referrer-policy"] == "same-origin"
        assert form.headers["cache-control"] == "no-store"
        assert 'autocomplete="new-password"' in form.text
        done = post_reset(client, path)
        assert done.status_code == 303 and done.headers["location"] == "/login?reset=done"
        # The other device's session ended; the old password no longer works, the new one does.
        assert not still_signed_in(client, other_device)
        assert login(client, "alice@example.com", DEMO_PASSWORD).status_code != 303
        assert login(client, "alice@example.com", NEW).status_code == 303
        # Used once: the link now says so.
        again = client.get(path)
        assert again.status_code == 410 and "already used" in again.text
        notice = smtp.wait_for(2)[1]
        assert "was changed" in notice["Subject"]
        actions = [row["action"] for row in app_rows(client, "select action from audit")]
        assert "password_reset" in actions and "sessions_ended" in actions


def test_unknown_and_known_addresses_get_the_same_answer(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        known = forgot(client, "alice@example.com")
        unknown = forgot(client, "nobody@example.org")
        assert known.status_code == unknown.status_code == 200
        assert strip(known.text) == strip(unknown.text)
        messages = smtp.wait_for(1)
        time.sleep(0.5)
        assert [m["To"] for m in smtp.messages] == ["alice@example.com"] == [m["To"] for m in messages]


def test_a_newer_link_or_a_changed_password_ends_older_links(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        forgot(client, "bob@example.com")
        forgot(client, "bob@example.com")
        first, second = (reset_path(m) for m in smtp.wait_for(2))
        assert post_reset(client, second).status_code == 303
        assert client.get(first).status_code == 410


def test_the_reset_link_uses_the_configured_address_not_the_request_host(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        forgot(client, "alice@example.com", host="evil.example")
        (message,) = smtp.wait_for(1)
        assert "evil.example" not in text_of(message)
        assert reset_path(message).startswith("/password/reset/")


def test_an_expired_link_is_refused(app, smtp, monkeypatch):
    with TestClient(app, base_url=BASE_URL) as client:
        forgot(client, "alice@example.com")
        path = reset_path(smtp.wait_for(1)[0])
        # The signature's own clock: 61 minutes later.
        real = time.time
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real() + 61 * 60)
        page = client.get(path)
        assert page.status_code == 410 and "expired" in page.text
        assert tokens_module.LIFETIMES["password-reset"] == timedelta(minutes=60)


@pytest.mark.parametrize("purpose", ["register", "first-admin"])
def test_a_token_for_another_purpose_is_refused(app, purpose):
    token = components(app).tokens.mint(purpose, 1)
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get(f"/password/reset/{token}")
        assert page.status_code == 400 and "not valid" in page.text


def test_a_tampered_link_is_refused(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        forgot(client, "alice@example.com")
        path = reset_path(smtp.wait_for(1)[0])
        tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        assert client.get(tampered).status_code == 400


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", None, "at least 8 characters"),
        ("x" * 1025, None, "at most 1,024 characters"),
        ("password123", None, "most common passwords"),
        (NEW, "something else entirely", "not the same"),
    ],
)
def test_a_bad_new_password_is_refused_and_the_link_still_works(app, smtp, password, confirm, message):
    with TestClient(app, base_url=BASE_URL) as client:
        forgot(client, "alice@example.com")
        path = reset_path(smtp.wait_for(1)[0])
        answer = post_reset(client, path, password, confirm)
        assert answer.status_code == 400 and message in answer.text
        assert 'aria-invalid="true"' in answer.text
        assert post_reset(client, path).status_code == 303


def test_a_malformed_email_gets_a_message_beside_the_field(app):
    with TestClient(app, base_url=BASE_URL) as client:
        answer = forgot(client, "not an email")
        assert answer.status_code == 400
        assert "like name@example.com" in answer.text and 'aria-invalid="true"' in answer.text


def test_an_address_gets_at_most_three_reset_mails_a_quarter_hour(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        answers = {strip(forgot(client, "alice@example.com").text) for _ in range(6)}
        assert len(answers) == 1
        smtp.wait_for(3)
        time.sleep(0.5)
        assert len(smtp.messages) == 3


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app, smtp):
    with TestClient(app, base_url=BASE_URL) as client:
        other_device = signed_in_elsewhere(client, "bob@example.com")
        switch_to(client, "bob@example.com")
        page = client.get("/password")
        assert 'autocomplete="current-password"' in page.text
        token = client.cookies["csrftoken"]
        wrong = client.post("/password", data={"current": "not it at all", "password": NEW, "confirm": NEW, "_csrf_token": token})
        assert wrong.status_code == 400 and "not your current password" in wrong.text
        done = client.post("/password", data={"current": DEMO_PASSWORD, "password": NEW, "confirm": NEW,
                                              "_csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303
        # This browser carries on in a new session; the other device is signed out.
        changed = client.get(done.headers["location"])
        assert changed.status_code == 200 and "has been changed" in changed.text
        assert not still_signed_in(client, other_device)
        assert still_signed_in(client, dict(client.cookies))
        assert "was changed" in smtp.wait_for(1)[0]["Subject"]


def test_a_temporary_password_must_be_changed_first(app):
    c = components(app)
    with TestClient(app, base_url=BASE_URL) as client:
        row = c.users.by_email("bob@example.com")
        on_loop(client, lambda: c.users.change_password(row["id"], c.passwords.hash_sync("temporary pass 1"), temporary=True))
        assert login(client, "bob@example.com", "temporary pass 1").status_code == 303
        orders = client.get("/orders", follow_redirects=False)
        assert orders.status_code == 303 and orders.headers["location"].startswith("/password?next=")
        page = client.get("/password")
        assert "temporary password" in page.text
        token = client.cookies["csrftoken"]
        done = client.post("/password", data={"current": "temporary pass 1", "password": NEW, "confirm": NEW,
                                              "_csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303
        assert client.get("/orders").status_code == 200


def test_a_deactivated_users_open_session_stops_working(app):
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "bob@example.com")
        assert client.get("/account").status_code == 200
        c = components(app)
        on_loop(client, c.users.set_active, c.users.by_email("bob@example.com")["id"], False)
        assert client.get("/account", follow_redirects=False).status_code in (302, 303, 401)
