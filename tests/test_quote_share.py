"""Sharing a quote by mail: the form, the mail and its link, the shared page a colleague opens
without an account (the quote and the merchant's branding, nothing else), revoking, and links
that show nothing (expired, tampered, revoked, a quote no longer open)."""

from __future__ import annotations

import json
import re
import time

import itsdangerous.timed
import pytest
from support import app_rows, components, on_loop, switch_to

from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID

COLLEAGUE = "colleague@example.org"
SHARE_LINK = re.compile(r"https?://[^\s\"<>]+(/shared/[A-Za-z0-9._\-]+)")


def quote_of(sandbox, contact_id: int) -> dict:
    """The contact's newest quote (one still standing in the demo data)."""
    quotes = [o for o in sandbox.data.orders_for(contact_id, "SO") if o["orderStatus"]["orderStatusId"] == 1]
    return max(quotes, key=lambda o: o["placedOn"])


def share(client, order_id: int, email: str = COLLEAGUE, message: str = "Please check the prices.", **extra):
    return client.post(
        f"/quotes/{order_id}/share",
        data={"email": email, "message": message, "_csrf_token": client.cookies["csrftoken"], **extra},
        follow_redirects=False,
    )


def mails_to(client, email: str) -> list[dict]:
    rows = app_rows(client, "select payload from outbox where kind = 'mail' order by id")
    return [p for p in (json.loads(r["payload"]) for r in rows) if p["to"] == email]


def shared_path(client, email: str = COLLEAGUE) -> str:
    (mail,) = mails_to(client, email)[-1:]
    found = SHARE_LINK.search(mail["text"])
    assert found, mail["text"]
    assert found.group(1) in mail["html"]
    return found.group(1)


def audit(client, action: str) -> list[dict]:
    return app_rows(client, "select * from audit where action = ? order by id", [action])


@pytest.fixture
def shared(alice, sandbox):
    """Alice shares her newest quote: (client logged out, quote, share path)."""
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    assert share(alice, order["id"]).status_code == 303
    path = shared_path(alice)
    return alice, order, path


def test_sharing_sends_a_mail_with_a_link_and_the_message(alice, sandbox):
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    response = share(alice, order["id"], message="Please check the prices.\nThanks, Alice")
    assert response.status_code == 303
    assert response.headers["location"] == f"/quotes/{order['id']}?done=shared#shares"
    (mail,) = mails_to(alice, COLLEAGUE)
    assert mail["template"] == "quote_shared"
    assert f"quote {order['id']}" in mail["subject"] and "Alice" in mail["subject"]
    assert "Please check the prices.\nThanks, Alice" in mail["text"]
    assert "Please check the prices." in mail["html"]
    assert "/shared/" in shared_path(alice)
    (row,) = audit(alice, "quote_shared")
    assert row["target"] == f"order:{order['id']}" and row["actor_email"] == "alice@example.com" and row["ip"]
    assert json.loads(row["detail"])["to"] == COLLEAGUE
    page = alice.get(f"/quotes/{order['id']}?done=shared").text
    assert "The quote is on its way" in page
    assert COLLEAGUE in page and "Revoke" in page and "not opened yet" in page


def test_the_link_opens_the_quote_in_a_fresh_client_with_nothing_else_of_the_account(shared):
    client, order, path = shared
    client.cookies.clear()  # a colleague's browser: no session
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "same-origin" and page.headers["cache-control"] == "no-store"
    text = page.text
    assert f"Quote <span class=\"doc-sheet__number\">{order['id']}</span>" in text
    for row in order["orderRows"].values():
        assert row["productName"].replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;") in text
    assert components(client.app).branding.current().portal_name in text
    # No menu, no account, no link into the portal but the login (and the brand's files).
    assert 'aria-label="Main"' not in text and "Log out" not in text
    assert "Alice" not in text and "alice@example.com" not in text and "Share with a colleague" not in text
    links = set(re.findall(r'href="(/[^"]*)"', text))
    assert {link for link in links if not link.startswith(("/static/", "/brand.css", "/brand/logo/"))} <= {"/login"}
    assert "/login" in links


def test_each_opening_is_in_the_audit_log_and_counted(shared):
    client, order, path = shared
    client.cookies.clear()
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # not single-use
    rows = audit(client, "quote_share_opened")
    assert len(rows) == 2
    assert all(r["target"] == f"order:{order['id']}" and r["ip"] for r in rows)
    (share_row,) = app_rows(client, "select opened, last_opened_at from quote_shares")
    assert share_row["opened"] == 2 and share_row["last_opened_at"]
    switch_to(client, "alice@example.com")
    assert "opened 2 times" in client.get(f"/quotes/{order['id']}").text


def test_a_revoked_link_shows_a_clear_page_and_nothing_of_the_quote(shared):
    client, order, path = shared
    (share_row,) = app_rows(client, "select id from quote_shares")
    revoke = client.post(f"/quotes/{order['id']}/shares/{share_row['id']}/revoke",
                         data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)
    assert revoke.status_code == 303
    page = client.get(f"/quotes/{order['id']}?done=revoked").text
    assert "The link is revoked" in page and "No links to this quote work now." in page
    (row,) = audit(client, "quote_share_revoked")
    assert row["target"] == f"order:{order['id']}" and row["actor_email"] == "alice@example.com"
    client.cookies.clear()
    gone = client.get(path)
    assert gone.status_code == 410
    assert "This link no longer works" in gone.text
    assert str(order["id"]) not in gone.text and "doc-sheet" not in gone.text
    assert gone.headers["cache-control"] == "no-store"


def test_a_tampered_or_foreign_link_is_a_400_page_showing_nothing(shared):
    client, order, path = shared
    client.cookies.clear()
    token = path.rsplit("/", 1)[1]
    other_purpose = on_loop(client, components(client.app).tokens.mint, "password-reset", order["id"])
    for bad in (token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"), "x" * 50, other_purpose, "a" * 900):
        page = client.get(f"/shared/{bad}")
        assert page.status_code == 400, bad
        assert "This link is not valid" in page.text and str(order["id"]) not in page.text
    assert audit(client, "quote_share_opened") == []


def test_an_expired_link_is_a_410_page_and_leaves_the_list(shared, monkeypatch):
    client, order, path = shared
    client.cookies.clear()
    later = time.time() + 15 * 24 * 3600

    class Later:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    page = client.get(path)
    monkeypatch.undo()
    assert page.status_code == 410
    assert "This link has expired" in page.text and str(order["id"]) not in page.text
    # The quote page lists only the links that still work.
    on_loop(client, components(client.app).db.execute,
            "update quote_shares set expires_at = '2000-01-01T00:00:00+00:00'")
    switch_to(client, "alice@example.com")
    assert "No links to this quote work now." in client.get(f"/quotes/{order['id']}").text


def test_a_link_to_a_quote_no_longer_open_shows_nothing(shared, sandbox):
    client, order, path = shared
    order["orderStatus"] = {"orderStatusId": 19, "name": "Quote approved"}
    components(client.app).cache.clear()
    client.cookies.clear()
    page = client.get(path)
    assert page.status_code == 410 and "This quote is no longer open" in page.text
    assert str(order["id"]) not in page.text


def test_another_customer_cannot_see_or_revoke_the_shares(shared, sandbox):
    client, order, path = shared
    (share_row,) = app_rows(client, "select id from quote_shares")
    bob = switch_to(client, "bob@example.com")
    bobs_quote = quote_of(sandbox, BOB_CONTACT_ID)["id"]
    token = bob.cookies["csrftoken"]
    for target in (f"/quotes/{order['id']}/shares/{share_row['id']}/revoke",
                   f"/quotes/{bobs_quote}/shares/{share_row['id']}/revoke",
                   f"/quotes/{order['id']}/share"):
        refused = bob.post(target, data={"_csrf_token": token, "email": COLLEAGUE}, follow_redirects=False)
        assert refused.status_code == 404, target
    assert COLLEAGUE not in bob.get(f"/quotes/{bobs_quote}").text
    assert audit(bob, "quote_share_revoked") == []
    assert len(mails_to(bob, COLLEAGUE)) == 1
    # Logged in as someone else, the link still shows the quote alone, without their menu.
    page = bob.get(path)
    assert page.status_code == 200 and 'aria-label="Main"' not in page.text and "Bob" not in page.text


@pytest.mark.parametrize(
    ("email", "message", "error"),
    [
        ("", "", "Enter your colleague&#39;s email address."),
        ("not-an-address", "", "Enter an email address like name@example.com."),
        (COLLEAGUE, "x" * 1001, "Keep the message to 1000 characters"),
    ],
)
def test_bad_input_re_renders_the_form_with_the_error_and_sends_nothing(alice, sandbox, email, message, error):
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    response = share(alice, order["id"], email=email, message=message)
    assert response.status_code == 400
    assert error in response.text and 'aria-invalid="true"' in response.text
    assert app_rows(alice, "select * from quote_shares") == [] and audit(alice, "quote_shared") == []
    assert app_rows(alice, "select * from outbox where kind = 'mail'") == []


def test_a_message_of_1000_characters_is_sent(alice, sandbox):
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    assert share(alice, order["id"], message="y" * 1000).status_code == 303
    assert "y" * 1000 in mails_to(alice, COLLEAGUE)[0]["text"]


def test_the_same_form_sent_twice_shares_once(alice, sandbox):
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    assert share(alice, order["id"], idem_key="form-1").status_code == 303
    assert share(alice, order["id"], idem_key="form-1").status_code == 303
    assert len(mails_to(alice, COLLEAGUE)) == 1 and len(app_rows(alice, "select * from quote_shares")) == 1
    assert share(alice, order["id"], idem_key="form-2").status_code == 303
    assert len(mails_to(alice, COLLEAGUE)) == 2


def test_the_shared_page_is_off_with_the_quotes_feature(shared):
    client, order, path = shared
    on_loop(client, components(client.app).features.save, {"quotes": False})
    client.cookies.clear()
    assert client.get(path).status_code == 404


def test_a_login_shares_at_most_ten_links_an_hour(alice, sandbox):
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    for n in range(10):
        assert share(alice, order["id"], email=f"c{n}@example.org", idem_key=f"k{n}").status_code == 303
    refused = share(alice, order["id"], email="c10@example.org", idem_key="k10")
    assert refused.status_code == 400 and "You have shared 10 quotes in the last hour" in refused.text
    assert mails_to(alice, "c10@example.org") == []


def test_a_quote_has_at_most_twenty_links_standing(alice, sandbox):
    order = quote_of(sandbox, ALICE_CONTACT_ID)
    on_loop(alice, lambda: [components(alice.app).db["quote_shares"].insert(
        {"nonce": f"n{n}", "order_id": order["id"], "contact_id": ALICE_CONTACT_ID, "user_id": 1, "email": "x@example.org",
         "created_at": "2000-01-01T00:00:00+00:00", "expires_at": "2999-01-01T00:00:00+00:00"}) for n in range(20)])
    refused = share(alice, order["id"])
    assert refused.status_code == 400 and "This quote has 20 links already: revoke one first." in refused.text


def test_the_share_address_of_the_design_leads_to_the_share_form(alice, sandbox):
    quote_id = max(o["id"] for o in sandbox.data.orders_for(1001, "SO") if o["orderStatus"]["orderStatusId"] == 1)
    response = alice.get(f"/quotes/{quote_id}/share", follow_redirects=False)
    assert response.status_code in (302, 303) and response.headers["location"] == f"/quotes/{quote_id}#shares"
    assert alice.get("/quotes/1/share", follow_redirects=False).status_code == 404
