"""The account gate: gated login, temporary passwords, admins' second factor; and the access
log never holding a link's token."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    components,
    fresh_sandbox,
    logged_in,
    login,
    on_loop,
    portal_app,
    portal_settings,
    switch_to,
)

from portal.security.gate import OPEN_PATHS, where_to
from portal.security.log_redaction import RedactTokenPaths, redact
from portal.security.middleware import skips_session
from portal.web.routes import PUBLIC_ROUTES


@pytest.fixture
def sandbox():
    return fresh_sandbox()


def test_a_visitor_is_sent_to_log_in_from_any_unknown_page_when_gated(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        answer = client.get("/no-such-page?x=1", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=/no-such-page%3Fx%3D1"
        guarded = client.get("/orders?page=2&q=x", follow_redirects=False)
        assert guarded.headers["location"] == "/login?next=/orders%3Fpage%3D2%26q%3Dx"
        assert client.get("/register").status_code == 200
        assert client.get("/password/forgot").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/static/portal.css").status_code == 200
        htmx = client.get("/orders", headers={"HX-Request": "true"}, follow_redirects=False)
        assert htmx.headers["hx-redirect"].startswith("/login?next=")


def test_without_gating_an_unknown_page_is_a_404(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path, gated=False), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/no-such-page", follow_redirects=False).status_code == 404


def test_every_public_page_is_open_to_a_visitor_when_gated(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    paths = {route.path for route in app.routes for handler in getattr(route, "route_handlers", [])
             if handler.name in PUBLIC_ROUTES and not skips_session(route.path)}
    for path in paths:
        concrete = path.split("{")[0]
        assert where_to(None, concrete, gated=True, admin_two_factor=True) is None, path
    assert "/" not in OPEN_PATHS


def test_an_admin_without_a_second_factor_must_set_one_up(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path, admin_two_factor=True), sandbox)
    with logged_in(app, "admin@example.com") as admin:
        answer = admin.get("/metrics", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/account/two-factor")
        assert admin.get("/account/two-factor").status_code == 200
        # Customers are not asked.
        switch_to(admin, "alice@example.com")
        assert admin.get("/orders").status_code == 200


def test_the_first_admin_link_works_once_and_only_while_no_admin_exists(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path, demo=False), sandbox)
    c = components(app)
    c.db.execute("delete from sessions")
    c.db.execute("delete from users where role = 'admin'")
    from portal.areas.setup import first_admin_link

    link = first_admin_link(c.users, c.tokens, c.settings)
    assert link and link.startswith(BASE_URL + "/setup/")
    path = link.removeprefix(BASE_URL)
    with TestClient(app, base_url=BASE_URL) as client:
        form = client.get(path)
        assert form.status_code == 200 and form.headers["referrer-policy"] == "same-origin"
        token = client.cookies["csrftoken"]
        bad = client.post(path, data={"email": "nope", "password": "x", "confirm": "x", "_csrf_token": token})
        assert bad.status_code == 400 and "like name@example.com" in bad.text
        done = client.post(path, data={"email": "owner@example.com", "name": "Owner", "password": "owner pass phrase",
                                       "confirm": "owner pass phrase", "_csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303
        assert on_loop(client, c.users.by_email, "owner@example.com")["role"] == "admin"
        assert client.get(path).status_code == 410
        assert on_loop(client, first_admin_link, c.users, c.tokens, c.settings) is None
        assert login(client, "owner@example.com", "owner pass phrase").status_code == 303
        actions = [r["action"] for r in app_rows(client, "select action from audit")]
        assert actions.count("first_admin_created") == 1


def test_a_second_setup_link_stops_working_once_an_admin_exists(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path, demo=False), sandbox)
    c = components(app)
    token = c.tokens.mint("first-admin", "setup")  # the demo seed already made an admin
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get(f"/setup/{token}").status_code == 410


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/password/reset/abc.def-ghi", "/password/reset/…"),
        ("/register/confirm/eyJzIjoiMSJ9.aw8QZA.2qB?x=1", "/register/confirm/…?x=1"),
        ("/setup/token", "/setup/…"),
        ("/orders/12", "/orders/12"),
    ],
)
def test_tokens_never_reach_the_access_log(path, logged):
    assert redact(path) == logged
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", path, "1.1", 200), None)
    assert RedactTokenPaths().filter(record)
    assert record.getMessage() == f'127.0.0.1:5 - "GET {logged} HTTP/1.1" 200'


def test_serve_prints_a_setup_link_while_no_admin_exists(tmp_path, sandbox, capsys):
    from portal.cli import print_first_admin_link

    app = portal_app(portal_settings(tmp_path, demo=False), sandbox)
    print_first_admin_link(app)
    assert capsys.readouterr().out == ""  # the seeded admin exists
    c = components(app)
    c.db.execute("update users set active = 0 where role = 'admin'")
    print_first_admin_link(app)
    out = capsys.readouterr().out
    (link,) = [word for word in out.split() if word.startswith(BASE_URL + "/setup/")]
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get(link.removeprefix(BASE_URL)).status_code == 200


def test_rows_of_expired_link_tokens_are_purged(tmp_path, sandbox):
    c = components(portal_app(portal_settings(tmp_path), sandbox))
    old, fresh = c.tokens.mint("password-reset", 1), c.tokens.mint("password-reset", 2)
    c.db.execute("update tokens set expires_at = '2000-01-01T00:00:00+00:00' where subject = '1'")
    assert c.tokens.purge_expired() == 1
    assert [row["subject"] for row in c.db.query("select subject from tokens")] == ["2"]
    assert c.tokens.check("password-reset", fresh).subject == "2"
    assert old != fresh
