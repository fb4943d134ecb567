"""Login, logout, sessions, CSRF and the security headers."""

from __future__ import annotations

from litestar.testing import TestClient
from support import BASE_URL, csrf_token, login, portal_app, strip_tokens

from portal.security.headers import CSP


def test_login_page_is_a_form_with_a_csrf_field_and_sets_no_session(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="email"' in response.text and 'name="password"' in response.text
    assert 'name="_csrf_token"' in response.text
    assert "portal_session" not in response.headers.get("set-cookie", "")


def test_login_then_orders_then_logout(client):
    response = login(client, "alice@example.com")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "portal_session=" in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]
    page = client.get("/orders")
    assert page.status_code == 200
    assert "Your orders" in page.text
    token = client.cookies["csrftoken"]
    out = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert out.headers["clear-site-data"] == '"cache", "storage"'
    after = client.get("/orders", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/login")


def test_failures_look_identical_for_unknown_email_wrong_password_and_disabled_account(app, client):
    svc = app.state["components"]
    bob = svc.users.by_email("bob@example.com")
    svc.users.set_active(bob["id"], False)
    answers = []
    for email, password in [
        ("nobody@example.com", "portal-demo-pass"),
        ("alice@example.com", "wrong password"),
        ("bob@example.com", "portal-demo-pass"),
    ]:
        response = login(client, email, password)
        answers.append((response.status_code, strip_tokens(response.text).replace(f'value="{email}"', "EMAIL")))
    assert answers[0][0] == 400
    assert "That email and password do not match an active account." in answers[0][1]
    assert answers[0] == answers[1] == answers[2]


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"email": "alice@example.com", "password": "portal-demo-pass"})
    assert response.status_code == 403
    assert "portal_session" not in response.headers.get("set-cookie", "")


def test_htmx_post_with_the_csrf_header_is_accepted_and_without_it_refused(alice):
    refused = alice.post("/logout", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    accepted = alice.post(
        "/logout", headers={"HX-Request": "true", "X-CSRFToken": alice.cookies["csrftoken"]}
    )
    assert accepted.status_code == 200
    assert accepted.headers["hx-redirect"] == "/login"


def test_cross_site_post_is_refused_even_with_a_valid_token(client):
    token = csrf_token(client)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = client.post(
            "/login",
            data={"email": "alice@example.com", "password": "portal-demo-pass", "_csrf_token": token},
            headers=headers,
        )
        assert response.status_code == 403


def test_session_id_is_minted_at_login_never_adopted(client):
    def use_cookie(value: str) -> None:
        client.cookies.clear()
        client.cookies.set("portal_session", value, domain="testserver.local")

    use_cookie("attacker-chosen-id")
    assert login(client, "alice@example.com").status_code == 303
    issued = client.cookies["portal_session"]
    assert issued != "attacker-chosen-id" and len(issued) >= 40
    # The planted id gives nothing to whoever planted it.
    use_cookie("attacker-chosen-id")
    assert client.get("/orders", follow_redirects=False).status_code == 303
    # Logging in again rotates the id and kills the old one.
    use_cookie(issued)
    assert login(client, "alice@example.com").status_code == 303
    second = client.cookies["portal_session"]
    assert second != issued
    use_cookie(issued)
    assert client.get("/orders", follow_redirects=False).status_code == 303
    use_cookie(second)
    assert client.get("/orders", follow_redirects=False).status_code == 200


def test_logged_out_cookie_cannot_be_replayed(alice):
    stolen = alice.cookies["portal_session"]
    alice.post("/logout", data={"_csrf_token": alice.cookies["csrftoken"]})
    alice.cookies.clear()
    alice.cookies.set("portal_session", stolen, domain="testserver.local")
    assert alice.get("/orders", follow_redirects=False).status_code == 303


def test_repeated_failures_throttle_the_account_with_the_same_answer_for_unknown_accounts(client):
    texts = {}
    for email in ("alice@example.com", "ghost@example.com"):
        for _ in range(8):
            login(client, email, "wrong-password")
        blocked = login(client, email, "portal-demo-pass" if email.startswith("alice") else "x" * 9)
        assert blocked.status_code == 400
        assert "Too many attempts" in blocked.text
        texts[email] = strip_tokens(blocked.text).replace(f'value="{email}"', "EMAIL")
    assert texts["alice@example.com"] == texts["ghost@example.com"]


def test_login_posts_are_rate_limited_per_address(settings, sandbox):

    app = portal_app(settings.with_(login_attempts_per_minute=3), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        codes = [login(client, "ghost@example.com", "nope-nope").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_security_headers_everywhere(alice):
    for path in ("/login", "/orders", "/does-not-exist", "/static/portal.css"):
        response = alice.get(path, follow_redirects=False)
        assert response.headers["content-security-policy"] == CSP, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "server" not in response.headers
    assert alice.get("/orders").headers["cache-control"] == "no-store"
    assert alice.get("/does-not-exist").status_code == 404


def test_no_openapi_schema_is_served(alice):
    # A logged-in person finds no such page; a visitor is sent to log in (gated login).
    assert alice.get("/schema").status_code == 404
    assert alice.get("/schema/openapi.json").status_code == 404
    alice.cookies.clear()
    assert alice.get("/schema", follow_redirects=False).headers["location"] == "/login?next=/schema"


def test_cookies_are_secure_when_the_base_url_is_https(settings, sandbox):

    app = portal_app(settings.with_(base_url="https://portal.example.com"), sandbox)
    with TestClient(app, base_url="https://portal.example.com") as client:
        client.get("/login")
        token = client.cookies["__Host-csrftoken"]
        response = client.post(
            "/login",
            data={"email": "alice@example.com", "password": "portal-demo-pass", "_csrf_token": token},
            follow_redirects=False,
        )
    cookie = response.headers["set-cookie"]
    assert "__Host-portal_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert "strict-transport-security" in response.headers
