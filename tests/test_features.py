"""Features an admin switches off (admin > Features): a switched-off feature leaves the menus and
the links that lead to it, and every route declaring it (`opt={"feature": …}`) answers the same
404 as a page that does not exist, for GET and POST; switched back on, everything works again."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from support import BASE_URL, app_rows, components, fresh_sandbox, on_loop, portal_app, portal_settings, switch_to

from portal.core.db import open_database
from portal.core.features import FEATURES, Features, UnknownFeature
from portal.core.site_settings import SiteSettings
from portal.web.navigation import nav_links

ALICE = 1001
BUILT = {"registration", "comments", "addresses", "documents", "statement", "quotes"}


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def app(tmp_path, sandbox):
    return portal_app(portal_settings(tmp_path, registration="open", supplier_registration=True), sandbox)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def invoiced_order(sandbox) -> int:
    """The newest of alice's sales orders that Brightpearl has invoiced."""
    return max(o["id"] for o in sandbox.data.orders_for(ALICE, "SO") if o["invoices"] and o["invoices"][0]["invoiceReference"])


def switch(client: TestClient, **states: bool) -> None:
    """Set features straight in the app's store (the admin page has tests of its own)."""
    on_loop(client, components(client.app).features.save, states)


def post(client: TestClient, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data={**(data or {}), "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False,
                       **kwargs)


def menu(client: TestClient) -> list[str]:
    html = client.get("/account").text
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r">([^<>]+)</a>", nav)


def feature_routes(app: Litestar) -> list[tuple[str, str, str, str]]:
    """(feature, method, path pattern, route name) of every route that declares a feature."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            feature = handler.opt.get("feature")
            if feature is None:
                continue
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                found.append((feature, method, route.path, handler.name))
    return found


def concrete(path: str, order_id: int, share_id: int = 0, draft_id: int = 0) -> str:
    """The pattern with its parameters filled in: an int order id, a str one (documents), a token,
    a share link's id, a checkout's id."""
    path = re.sub(r"\{order_id:int\}", str(order_id), path)
    path = re.sub(r"\{share_id:int\}", str(share_id), path)
    path = re.sub(r"\{draft_id:int\}", str(draft_id), path)
    path = re.sub(r"\{order_id:str\}", str(order_id), path)
    return re.sub(r"\{token:str\}", "not-a-real-token", path)


def checkbox(html: str, name: str) -> str:
    return re.search(rf'<input type="checkbox" id="feature-{name}"[^>]*>', html).group(0)


# --- the route list ---------------------------------------------------------------------------
def test_every_feature_a_route_names_is_a_known_feature(app):
    used = {feature for feature, *_ in feature_routes(app)}
    assert used <= set(FEATURES), f"unknown features in routes' opt: {used - set(FEATURES)}"
    assert BUILT <= used  # each built feature governs at least one route


def test_an_unknown_feature_name_is_a_programming_error(tmp_path):
    features = Features(SiteSettings(open_database(tmp_path / "portal.db")))
    with pytest.raises(UnknownFeature):
        features.is_on("documentz")


def test_every_route_of_a_feature_is_not_found_while_it_is_off_and_works_when_on(client, sandbox):
    order_id = invoiced_order(sandbox)
    routes = feature_routes(client.app)
    assert {name for *_, name in routes} >= {"documents", "document", "statement", "statement_csv", "statement_pdf",
                                              "addresses", "add_address", "add_comment", "register_form", "register",
                                              "register_confirm_form", "register_confirm"}
    switch_to(client, "alice@example.com")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    # The quote routes need a quote, and revoking needs a link of it.
    quote_id = max(o["id"] for o in sandbox.data.orders_for(ALICE, "SO") if o["orderStatus"]["orderStatusId"] == 1)
    assert post(client, f"/quotes/{quote_id}/share", {"email": "colleague@example.org"}).status_code == 303
    (share,) = app_rows(client, "select id from quote_shares")
    # The checkout's steps need a checkout of that quote.
    review = client.get(f"/quotes/{quote_id}/checkout").text
    key = re.search(r'name="idem_key" value="([^"]+)"', review).group(1)
    assert post(client, f"/quotes/{quote_id}/checkout", {"idem_key": key}).status_code == 303
    (draft,) = app_rows(client, "select id from checkouts")
    for feature, method, pattern, name in routes:
        path = concrete(pattern, quote_id if pattern.startswith("/quotes/") else order_id, share["id"], draft["id"])
        switch(client, **{feature: False})
        off = client.get(path, follow_redirects=False) if method == "GET" else post(client, path, {"text": "hi"})
        assert off.status_code == 404, (name, method, path, off.status_code)
        assert "Page not found" in off.text, name
        switch(client, **{feature: True})
        on = client.get(path, follow_redirects=False) if method == "GET" else post(client, path, {"text": "hi"})
        assert on.status_code != 404, (name, method, path, on.status_code)
        assert on.status_code < 500, (name, method, path, on.status_code)


# --- what each feature hides ------------------------------------------------------------------
def test_documents_off_leaves_the_menu_the_order_page_and_the_dashboard(client, sandbox):
    order_id = invoiced_order(sandbox)
    switch_to(client, "alice@example.com")
    assert "Documents" in menu(client)
    assert f'href="/documents/{order_id}"' in client.get(f"/orders/{order_id}").text
    switch(client, documents=False)
    assert menu(client) == ["Dashboard", "Orders", "Quotes", "Statement", "Addresses", "Account"]
    order = client.get(f"/orders/{order_id}").text
    assert "/documents/" not in order
    overdue = client.get("/tiles/overdue", headers={"HX-Request": "true"}).text
    assert "/documents" not in overdue
    assert client.get("/documents").status_code == 404
    assert client.get(f"/documents/{order_id}.pdf").status_code == 404
    assert client.get("/statement").status_code == 200  # its neighbour in the area is unaffected
    switch(client, documents=True)
    assert "Documents" in menu(client)
    assert f'href="/documents/{order_id}"' in client.get(f"/orders/{order_id}").text
    assert client.get("/documents").status_code == 200


def test_statement_and_addresses_off_leave_the_menu_and_their_links(client):
    switch_to(client, "alice@example.com")
    assert 'href="/addresses"' in client.get("/account").text
    switch(client, statement=False, addresses=False)
    assert menu(client) == ["Dashboard", "Orders", "Quotes", "Documents", "Account"]
    assert 'href="/addresses"' not in client.get("/account").text
    assert 'href="/statement"' not in client.get("/tiles/balance", headers={"HX-Request": "true"}).text
    assert client.get("/statement.csv").status_code == 404
    assert post(client, "/addresses", {"line1": "x"}).status_code == 404
    switch(client, statement=True, addresses=True)
    assert menu(client) == ["Dashboard", "Orders", "Quotes", "Documents", "Statement", "Addresses", "Account"]
    assert client.get("/addresses").status_code == 200


def test_registration_off_removes_the_link_and_the_pages(client):
    client.cookies.clear()
    assert "Create an account" in client.get("/login").text
    switch(client, registration=False)
    login_page = client.get("/login")
    assert login_page.status_code == 200 and "Create an account" not in login_page.text
    assert 'href="/register"' not in login_page.text
    refused = client.get("/register")
    assert refused.status_code == 404 and "Page not found" in refused.text
    assert post(client, "/register", {"kind": "trade", "email": "tom.lowe@example.com"}).status_code == 404
    assert app_rows(client, "select count(*) as n from registrations")[0]["n"] == 0
    switch(client, registration=True)
    assert "Create an account" in client.get("/login").text
    assert client.get("/register").status_code == 200


def test_closed_registration_has_no_link_whatever_the_feature(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path, registration="closed"), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        assert "Create an account" not in client.get("/login").text


def test_comments_off_hides_the_form_keeps_the_thread_and_refuses_the_post(client, sandbox):
    order_id = invoiced_order(sandbox)
    switch_to(client, "alice@example.com")
    assert post(client, f"/orders/{order_id}/comments", {"text": "Before the switch", "idem_key": "k-1"}).status_code == 303
    switch(client, comments=False)
    page = client.get(f"/orders/{order_id}").text
    assert "Send comment" not in page and 'name="idem_key"' not in page
    assert "Before the switch" in page  # the thread stays: it is the order's history
    refused = post(client, f"/orders/{order_id}/comments", {"text": "After the switch", "idem_key": "k-2"})
    assert refused.status_code == 404
    refused = post(client, f"/orders/{order_id}/comments", {"text": "After the switch", "idem_key": "k-2"},
                   headers={"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"]})
    assert refused.status_code == 404
    assert app_rows(client, "select count(*) as n from outbox where kind = 'order_note'")[0]["n"] == 1
    switch(client, comments=True)
    assert "Send comment" in client.get(f"/orders/{order_id}").text


def test_supplier_logins_through_registration_follow_the_supplier_feature(client):
    registrations = components(client.app).registrations
    assert on_loop(client, registrations.suppliers_allowed) is True
    switch(client, supplier=False)
    assert on_loop(client, registrations.suppliers_allowed) is False


# --- the admin page ---------------------------------------------------------------------------
def test_the_admin_page_lists_every_feature_with_what_it_hides(client):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/features")
    assert page.status_code == 200
    html = page.text
    assert "<fieldset" in html and "<legend>" in html
    for name, feature in FEATURES.items():
        assert f'id="feature-{name}" name="on" value="{name}"' in html
        assert f'<label for="feature-{name}">{feature.label}</label>' in html
        assert f'aria-describedby="feature-{name}-hint"' in html
    assert html.count(" checked>") == len(FEATURES)
    assert html.count("Arrives with") == 2  # catalogue, supplier
    assert nav_links(client.app, None) == []


def test_saving_switches_features_and_is_audited_once_per_change(client):
    switch_to(client, "admin@example.com")
    every = list(FEATURES)
    kept_on = [name for name in every if name not in ("documents", "quotes")]
    saved = post(client, "/admin/features", {"feature": every, "on": kept_on})
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/features?done=saved"
    html = client.get(saved.headers["location"]).text
    assert "Saved." in html
    assert "checked" not in checkbox(html, "documents") and "checked" in checkbox(html, "statement")
    assert on_loop(client, components(client.app).features.states) == {name: name in kept_on for name in every}
    (row,) = app_rows(client, "select actor_email, target, detail from audit where action = 'features_changed'")
    assert row["actor_email"] == "admin@example.com" and row["target"] == "features"
    assert row["detail"] == '{"documents": false, "quotes": false}'
    again = post(client, "/admin/features", {"feature": every, "on": kept_on})
    assert again.headers["location"] == "/admin/features?done=unchanged"
    assert len(app_rows(client, "select id from audit where action = 'features_changed'")) == 1
    post(client, "/admin/features", {"feature": every, "on": every})
    assert all(on_loop(client, components(client.app).features.states).values())
    details = [r["detail"] for r in app_rows(client, "select detail from audit where action = 'features_changed' order by id")]
    assert details[-1] == '{"documents": true, "quotes": true}'


def test_unknown_names_and_features_the_form_did_not_show_are_left_alone(client):
    switch_to(client, "admin@example.com")
    answer = post(client, "/admin/features", {"feature": ["bogus", "documents", "<script>"], "on": ["bogus", "<script>"]})
    assert answer.status_code == 303
    states = on_loop(client, components(client.app).features.states)
    assert states == {name: name != "documents" for name in FEATURES}  # only the one shown and known
    assert "bogus" not in app_rows(client, "select value from settings where key = 'features'")[0]["value"]
    assert post(client, "/admin/features", {}).headers["location"] == "/admin/features?done=unchanged"
    assert on_loop(client, components(client.app).features.states) == states


def test_customers_cannot_open_or_post_the_features_page(client):
    switch_to(client, "alice@example.com")
    assert client.get("/admin/features").status_code in (403, 404)
    assert post(client, "/admin/features", {"feature": ["documents"]}).status_code in (403, 404)
    assert on_loop(client, components(client.app).features.states)["documents"] is True
    client.cookies.clear()
    assert client.get("/admin/features", follow_redirects=False).status_code in (303, 401)


# --- the store --------------------------------------------------------------------------------
def test_the_store_reads_sqlite_once_per_change_and_keeps_what_it_saved(tmp_path):
    db = open_database(tmp_path / "portal.db")
    queries: list[str] = []
    db.conn.set_trace_callback(lambda sql: queries.append(sql) if "from settings" in sql else None)
    features = Features(SiteSettings(db))
    assert all(features.states().values())  # default: everything on
    for _ in range(3):
        assert features.is_on("documents")
    assert len(queries) == 1
    assert features.save({"documents": False, "nope": False}) == {"documents": False}
    assert not features.is_on("documents") and features.is_on("statement")
    assert Features(SiteSettings(db)).off() == {"documents"}  # stored, not only remembered
    # A hand-edited value that is not a mapping behaves as "everything on".
    SiteSettings(db).set("features", ["documents"])
    assert Features(SiteSettings(db)).off() == frozenset()
