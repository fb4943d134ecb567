"""Viewing as a customer: an admin sees the portal as one customer login, read-only, with a
banner on every page; every page seen is audited, every write refused before its handler runs;
only admins start it, only active customer logins with a contact can be viewed, and logging out
or the customer being deactivated ends it."""

from __future__ import annotations

import json
import re

import pytest
from litestar.testing import TestClient
from support import BASE_URL, app_rows, fresh_sandbox, login, on_loop, portal_app, portal_settings, switch_to

from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def user_id(client: TestClient, email: str) -> int:
    return app_rows(client, "select id from users where email = ?", [email])[0]["id"]


def post(client: TestClient, path: str, headers: dict | None = None, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, headers=headers or {},
                       follow_redirects=False)


def view_as(client: TestClient, email: str = "alice@example.com") -> TestClient:
    """Sign in as the admin and start viewing as `email`."""
    switch_to(client, "admin@example.com")
    response = post(client, f"/admin/view-as/{user_id(client, email)}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    return client


def audit(client: TestClient, like: str = "%") -> list[dict]:
    return app_rows(client, "select action, actor_email, target, detail from audit where action like ? order by id", [like])


def alice_order(sandbox) -> int:
    return max(order["id"] for order in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO"))


def test_the_chooser_lists_customers_only_and_searches(client):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/view-as")
    assert page.status_code == 200
    assert "alice@example.com" in page.text and "bob@example.com" in page.text
    assert "sam@example.com" not in page.text  # a supplier
    assert "> admin@example.com</span>" not in page.text and "> sam@example.com</span>" not in page.text
    assert '> alice@example.com</span>' in page.text  # the "View as" button's name
    found = client.get("/admin/view-as", params={"q": "harp"})  # Alice Harper, by name
    assert "alice@example.com" in found.text and "bob@example.com" not in found.text
    none = client.get("/admin/view-as", params={"q": "%"})  # a LIKE wildcard is a plain character
    assert "No customer login matches" in none.text
    front = client.get("/admin").text  # the admin's front page lists it
    assert 'href="/admin/view-as"' in front


def test_viewing_shows_the_customers_portal_with_a_banner_and_stop_ends_it(client, sandbox):
    view_as(client)
    (started,) = audit(client, "view_as_started")
    assert started["actor_email"] == "admin@example.com" and started["target"] == f"user:{user_id(client, 'alice@example.com')}"
    assert json.loads(started["detail"]) == {"email": "alice@example.com", "contact_id": ALICE_CONTACT_ID}

    orders = client.get("/orders")
    assert orders.status_code == 200
    assert 'class="viewing-banner" role="status"' in orders.text
    assert "Viewing as <strong>Alice Harper</strong>" in orders.text and "read-only" in orders.text
    assert 'action="/view-as/stop"' in orders.text
    # Alice's navigation, and her name in the header; no admin links.
    assert 'href="/orders"' in orders.text and 'href="/admin/accounts"' not in orders.text
    order_id = alice_order(sandbox)
    assert client.get(f"/orders/{order_id}").status_code == 200
    # Another customer's order answers as if it did not exist; the admin area is closed.
    bobs = max(order["id"] for order in sandbox.data.orders_for(BOB_CONTACT_ID, "SO"))
    assert client.get(f"/orders/{bobs}").status_code == 404
    assert client.get("/admin/accounts").status_code == 404
    # The banner is on error pages too, an address no route has included (Alice's menu, Alice's 404).
    assert "viewing-banner" in client.get(f"/orders/{bobs}").text
    unknown = client.get("/no-such-page")
    assert unknown.status_code == 404 and "viewing-banner" in unknown.text and 'href="/orders"' in unknown.text
    assert 'href="/admin"' not in unknown.text

    stopped = post(client, "/view-as/stop")
    assert stopped.status_code == 303 and stopped.headers["location"] == "/admin/view-as?done=stopped"
    back = client.get("/admin/view-as?done=stopped")
    assert back.status_code == 200 and "stopped viewing" in back.text and "viewing-banner" not in back.text
    assert client.get(f"/orders/{order_id}").status_code == 403  # the admin has no orders of their own
    assert [row["action"] for row in audit(client, "view_as_st%")] == ["view_as_started", "view_as_stopped"]
    assert app_rows(client, "select viewing_as_user_id from sessions")[0]["viewing_as_user_id"] is None


def test_every_page_seen_is_audited_with_the_admin_as_actor(client, sandbox):
    view_as(client)
    alice = user_id(client, "alice@example.com")
    client.get("/orders", params={"status": "3"})
    client.get("/account")
    client.get("/tiles/overdue", headers={"HX-Request": "true"})
    client.get("/brand.css")
    rows = audit(client, "view_as_page")
    assert [row["target"] for row in rows] == ["/orders", "/account", "/tiles/overdue"]
    assert {row["actor_email"] for row in rows} == {"admin@example.com"}
    details = [json.loads(row["detail"]) for row in rows]
    assert details[0] == {"user_id": alice, "query": "status=3"}
    assert details[1] == {"user_id": alice}
    assert details[2] == {"user_id": alice, "fragment": True}


def unsafe_routes(app) -> list[str]:
    """Every path that takes an unsafe method, with its parameters filled in."""
    paths = []
    for route in app.routes:
        if any(method in route.methods for method in ("POST", "PUT", "PATCH", "DELETE")):
            paths.append(re.sub(r"\{[^}:]+:int\}", "1", re.sub(r"\{[^}:]+:str\}", "x", route.path)))
    return paths


def test_every_write_is_refused_while_viewing_and_nothing_is_written(client, sandbox):
    view_as(client)
    order_id = alice_order(sandbox)
    before_notes = len(sandbox.data.notes_for(order_id))
    before_audit = len(audit(client))
    tried = []
    for path in unsafe_routes(client.app):
        if path in ("/view-as/stop", "/logout"):
            continue
        response = post(client, path, text="A comment", line1="x", town="y", postcode="LS1 1AA", country="GBR",
                        idem_key="k1", password="whatever-long-password", active="0", reason="r", code="123456")
        assert response.status_code == 403, path
        assert "changes are switched off" in response.text, path
        tried.append(path)
    # The customer's own writes and the admin's are all among them.
    for path in ("/addresses", "/password", "/account/two-factor/setup", "/admin/accounts/1/active", "/login"):
        assert path in tried
    comment = post(client, f"/orders/{order_id}/comments", text="Hello", idem_key="k2")
    assert comment.status_code == 403
    assert "You are viewing the portal as Alice Harper (alice@example.com): changes are switched off." in " ".join(comment.text.split())
    assert "viewing-banner" in comment.text  # the page still says how to stop
    htmx = post(client, f"/orders/{order_id}/comments", headers={"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"]},
                text="Hello", idem_key="k3")
    assert htmx.status_code == 403 and "<html" not in htmx.text and "changes are switched off" in htmx.text
    assert app_rows(client, "select count(*) as n from outbox")[0]["n"] == 0
    new_rows = audit(client)[before_audit:]
    assert {row["action"] for row in new_rows} <= {"view_as_page"}
    assert len(sandbox.data.notes_for(order_id)) == before_notes
    # Still viewing afterwards, and a write without its CSRF token is still the CSRF refusal.
    assert "viewing-banner" in client.get("/orders").text
    no_token = client.post("/addresses", data={"line1": "x"}, follow_redirects=False)
    assert no_token.status_code == 403 and "changes are switched off" not in no_token.text


def test_customers_cannot_start_viewing(client):
    switch_to(client, "alice@example.com")
    bob = user_id(client, "bob@example.com")
    assert client.get("/admin/view-as").status_code == 404
    assert post(client, f"/admin/view-as/{bob}").status_code == 404
    assert app_rows(client, "select count(*) as n from sessions where viewing_as_user_id is not null")[0]["n"] == 0
    # Stopping is the admin's too; for a customer it is a page that does not exist.
    assert post(client, "/view-as/stop").status_code == 404


def test_only_active_customer_logins_with_a_contact_can_be_viewed(client):
    switch_to(client, "admin@example.com")
    for email, why in (("admin@example.com", "is not a customer login"), ("sam@example.com", "is not a customer login")):
        refused = post(client, f"/admin/view-as/{user_id(client, email)}")
        assert refused.status_code == 400 and why in refused.text, email
    bob = user_id(client, "bob@example.com")
    on_loop(client, client.app.state["components"].users.set_active, bob, False)
    refused = post(client, f"/admin/view-as/{bob}")
    assert refused.status_code == 400 and "is deactivated" in refused.text
    assert post(client, "/admin/view-as/999999").status_code == 404
    assert app_rows(client, "select count(*) as n from sessions where viewing_as_user_id is not null")[0]["n"] == 0
    assert audit(client, "view_as_started") == []
    # Without the CSRF token nothing starts.
    no_token = client.post(f"/admin/view-as/{user_id(client, 'alice@example.com')}", follow_redirects=False)
    assert no_token.status_code == 403
    assert audit(client, "view_as_started") == []


def test_a_deactivated_customer_ends_the_viewing(client):
    view_as(client)
    alice = user_id(client, "alice@example.com")
    on_loop(client, client.app.state["components"].users.set_active, alice, False)
    page = client.get("/admin/view-as")
    assert page.status_code == 200  # the admin is themselves again
    assert "Viewing as a customer has ended" in page.text and 'class="viewing-banner"' not in page.text
    (ended,) = audit(client, "view_as_ended")
    assert ended["actor_email"] == "admin@example.com" and ended["target"] == f"user:{alice}"
    assert "Viewing as a customer has ended" not in client.get("/admin/view-as").text  # said once


def test_logging_out_ends_the_viewing_and_the_customer_sees_nothing_of_it(client):
    view_as(client)
    alice = user_id(client, "alice@example.com")
    assert post(client, "/logout").status_code == 303
    assert app_rows(client, "select count(*) as n from sessions where viewing_as_user_id is not null")[0]["n"] == 0
    logout = audit(client, "logout")[-1]
    assert logout["actor_email"] == "admin@example.com"  # not alice: the admin logged out
    stopped = audit(client, "view_as_stopped")[-1]
    assert stopped["target"] == f"user:{alice}" and json.loads(stopped["detail"]) == {"because": "logout"}
    # The admin logs in again as themselves; alice's own session shows no trace of it.
    client.cookies.clear()
    assert login(client, "admin@example.com").status_code == 303
    assert "viewing-banner" not in client.get("/").text
    switch_to(client, "alice@example.com")
    own = client.get("/orders").text
    assert "viewing-banner" not in own and "admin@example.com" not in own


def test_the_admins_two_factor_rule_still_applies_while_viewing(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path, admin_two_factor=True), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        admin = user_id(client, "admin@example.com")
        alice = user_id(client, "alice@example.com")
        # As if the admin had started viewing before the rule reached them.
        on_loop(client, lambda: client.app.state["components"].db.execute(
            "update sessions set viewing_as_user_id = ? where user_id = ?", [alice, admin]))
        sent = client.get("/orders", follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/account/two-factor")
        setup = client.get("/account/two-factor")
        assert setup.status_code == 200 and "viewing-banner" not in setup.text  # the admin's own page
        assert audit(client, "view_as_page") == []


def test_the_accounts_list_offers_viewing_as_each_active_customer(client):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/accounts").text
    starts = set(re.findall(r'action="/admin/view-as/(\d+)"', page))
    assert starts == {str(user_id(client, "alice@example.com")), str(user_id(client, "bob@example.com"))}
    assert 'href="/admin/import"' in page
