"""The admin area as a whole: its front page links every section, and nobody but an admin can
tell any of its routes exist (a customer or supplier gets the same 404 as a missing page)."""

from __future__ import annotations

import gc
import re

import pytest

from portal.sandbox import DEMO_PASSWORD
from tests.support import csrf_token, fresh_sandbox, logged_in, login, portal_app, portal_settings


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, path with sample parameters) of every route under /admin."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/admin"):
            continue
        path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
        path = re.sub(r"\{[^}:]+(:[a-z]+)?\}", "x", path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


@pytest.mark.parametrize("email", ["alice@example.com", "sam@example.com"])
def test_a_customer_or_supplier_gets_404_on_every_admin_route(tmp_path, email):
    app = portal_app(portal_settings(tmp_path), fresh_sandbox())
    with logged_in(app, email) as client:
        routes = admin_routes(app)
        assert len(routes) >= 10
        missing = client.get("/no-such-page")
        for method, path in routes:
            data = {"_csrf_token": csrf_token(client)} if method != "GET" else None
            response = client.request(method, path, data=data, follow_redirects=False)
            assert response.status_code == 404, (method, path)
            # Exactly like a page that does not exist: nothing says an admin area is there.
            assert response.text.replace(path, "") == missing.text.replace("/no-such-page", ""), (method, path)


def test_a_visitor_is_sent_to_log_in_from_every_admin_page(tmp_path):
    app = portal_app(portal_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "admin@example.com") as client:
        client.cookies.clear()
        for method, path in admin_routes(app):
            if method == "GET":
                response = client.get(path, follow_redirects=False)
                assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_the_front_page_links_every_section_the_app_has(tmp_path):
    app = portal_app(portal_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "admin@example.com") as client:
        page = client.get("/admin")
        assert page.status_code == 200
        links = re.findall(r'<li><a href="([^"]+)">', page.text)
        assert "/admin/accounts" in links and "/admin/outbox" in links and "/admin/mailbox" in links
        for link in links:
            assert client.get(link).status_code == 200, link
        welcome = client.get("/")
        assert 'href="/admin"' in welcome.text


def test_the_admin_logs_in_and_finds_the_admin_pages(tmp_path):
    app = portal_app(portal_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "alice@example.com") as client:
        client.cookies.clear()
        login(client, "admin@example.com", DEMO_PASSWORD)
        assert "Admin" in client.get("/admin").text


def test_log_out_works_from_a_page_that_does_not_exist(tmp_path):
    app = portal_app(portal_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "alice@example.com") as client:
        missing = client.get("/no-such-page")
        token = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', missing.text).group(1)
        response = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303
        assert client.get("/orders", follow_redirects=False).headers["location"].startswith("/login")


def test_an_upload_refused_before_its_handler_leaves_no_file_open(tmp_path):
    # filterwarnings = error: an unclosed temporary file would fail this test (ResourceWarning).
    app = portal_app(portal_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "alice@example.com") as client:
        files = {"logo": ("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2048, "image/png")}
        refused = client.post("/admin/branding/logo", data={"_csrf_token": csrf_token(client)}, files=files)
        assert refused.status_code == 404
        bad_token = client.post("/admin/branding/logo", data={"_csrf_token": "0" * 64}, files=files)
        assert bad_token.status_code == 403
        gc.collect()
