"""What probing the portal as an attacker found, one test per finding (each failed before its fix).

Static paths no file can have, log forging through untrusted values, over-long passwords,
cookies on publicly cacheable responses, CSRF tokens not bound to the session, an unbounded
failed-login counter, and a 413 logged as a crash.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from click.testing import CliRunner
from litestar import Request
from litestar.testing import TestClient
from support import components, csrf_token, logged_in, login, portal_app, switch_to

from portal.brightpearl.errors import BrightpearlBadRequest, BrightpearlUnavailable
from portal.cli import main
from portal.core.paths import STATIC_DIR
from portal.sandbox import DEMO_PASSWORD
from portal.security.passwords import MAX_LENGTH, PasswordTooLong
from portal.security.throttles import ACCOUNT_FAILURES, ACCOUNT_WINDOW, FailedLogins
from portal.web import errors
from portal.web.routes import PUBLIC_ROUTES


class Records(logging.Handler):
    """Every record logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at_least(self, level: int) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= level]


@contextmanager
def server_log() -> Iterator[Records]:
    """What the portal and Litestar log meanwhile (Litestar's logger does not propagate, and
    the app's logging setup replaces the root handlers, so pytest's caplog would miss some)."""
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("portal", "litestar")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _is_error_page(response: httpx.Response) -> bool:
    return 'id="error-title"' in response.text and "<html" in response.text


# --- 1. /static/ with a NUL byte or an over-long segment --------------------------------------
def test_static_path_no_file_can_have_is_a_404_without_tracebacks(client):
    impossible = [
        "/static/portal%00.css",  # NUL byte: Python refuses the path (ValueError)
        "/static/" + "a" * 300,  # a segment over 255 bytes (ENAMETOOLONG)
        "/static/fonts/" + "b" * 256 + "/x.woff2",
        "/static/portal.css/x",  # a file used as a folder (ENOTDIR)
    ]
    with server_log() as log:
        for path in impossible:
            response = client.get(path)
            assert response.status_code == 404, path
            assert _is_error_page(response), path
            assert client.head(path).status_code == 404, path
    assert [r.getMessage() for r in log.at_least(logging.WARNING)] == []
    assert not any(r.exc_info for r in log.records)
    # Real files are still served.
    assert client.get("/static/portal.css").status_code == 200


# --- 2. untrusted values reach the log escaped -------------------------------------------------
FORGED = "\r\nINFO portal.auth login ok for admin@example.com"


def _request_for(app, path: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode("latin-1"),
            "root_path": "",
            "query_string": b"",
            "headers": [],
            "scheme": "http",
            "server": ("testserver.local", 80),
            "client": ("203.0.113.9", 4000),
            "app": app,
            "litestar_app": app,
            "state": {},
            "path_params": {},
        }
    )


def _assert_one_line_each(records: list[logging.LogRecord]) -> None:
    assert records
    for record in records:
        message = record.getMessage()
        assert "\r" not in message and "\n" not in message, message


def test_untrusted_values_are_logged_escaped_never_as_new_lines(settings, sandbox):
    def brightpearl_echoing_input(request: httpx.Request) -> httpx.Response:
        # Brightpearl's error messages can quote what a customer typed.
        body = {"response": "bad", "errors": [{"code": "CMNC-400", "message": "Postcode 'x" + FORGED + "' is invalid"}]}
        return httpx.Response(400, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    # The error page's log lines: the path is the visitor's, the exception may carry
    # Brightpearl's words.
    app = portal_app(settings, sandbox)
    with server_log() as log:
        for exc in (
            RuntimeError("bug"),
            BrightpearlUnavailable("Brightpearl said" + FORGED, reason="server_error"),
            BrightpearlBadRequest("Brightpearl refused" + FORGED, status=400),
        ):
            errors.error_handler(_request_for(app, "/orders" + FORGED), exc)
    _assert_one_line_each(log.records)
    assert all("\\r\\n" in r.getMessage() for r in log.records)

    # A Brightpearl refusal quoting a customer's input, through a real page.
    app = portal_app(settings, sandbox, transport=httpx.MockTransport(brightpearl_echoing_input))
    with logged_in(app) as alice, server_log() as log:
        assert alice.get("/orders").status_code >= 500
    _assert_one_line_each(log.at_least(logging.WARNING))
    assert any("\\r\\n" in r.getMessage() for r in log.records)


# --- 3. over-long passwords are refused, never cut ---------------------------------------------
def test_password_over_the_limit_is_refused_by_login_and_cli_never_truncated(app, client, tmp_path):
    svc = components(app)
    longest = "p" * MAX_LENGTH
    alice = svc.users.by_email("alice@example.com")
    svc.users.set_password_hash(alice["id"], svc.passwords.hash_sync(longest))

    # One character more: it used to be cut to its first MAX_LENGTH and log in.
    refused = login(client, "alice@example.com", longest + "x")
    assert refused.status_code == 400
    assert "portal_session" not in refused.headers.get("set-cookie", "")
    assert f"at most {MAX_LENGTH:,} characters" in refused.text
    # Beside the password field, which points at it; the email field is not blamed.
    assert 'id="password-error"' in refused.text and 'aria-describedby="password-error"' in refused.text
    assert 'id="email" name="email" type="email" value="alice@example.com"' in refused.text
    assert refused.text.count('aria-invalid="true"') == 1
    # A 5,000-character password is a clear 400 too, not a 500.
    assert login(client, "alice@example.com", "q" * 5000).status_code == 400
    # The form tells the browser the same limit.
    assert f'maxlength="{MAX_LENGTH}"' in client.get("/login").text
    assert login(client, "alice@example.com", longest).status_code == 303

    # Nothing can set a longer one: the hashing refuses it...
    try:
        svc.passwords.hash_sync(longest + "x")
    except PasswordTooLong:
        pass
    else:
        raise AssertionError("a password over the limit was hashed")

    # ...and the CLI says so in one line and exits non-zero.
    def add(password: str):
        return CliRunner().invoke(
            main,
            ["users", "add", "--email", f"c{len(password)}@example.com", "--role", "admin", "--password-stdin",
             "--data", str(tmp_path)],
            input=password + "\n",
        )

    too_long = add(longest + "x")
    assert too_long.exit_code == 2
    assert f"at most {MAX_LENGTH:,} characters" in too_long.output
    assert len(too_long.output.strip().splitlines()) == 1 and "Traceback" not in too_long.output
    assert add(longest).exit_code == 0


# --- 4. no Set-Cookie on publicly cacheable responses ------------------------------------------
def _public_get_paths(app) -> list[str]:
    """Every GET path of the public routes (each static file for the static route)."""
    paths = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.name not in PUBLIC_ROUTES or "GET" not in handler.http_methods:
                continue
            if handler.name == "static":
                paths += [f"/static/{p.relative_to(STATIC_DIR).as_posix()}" for p in STATIC_DIR.rglob("*") if p.is_file()]
            elif "{" not in route.path:
                paths.append(route.path)
    return sorted(set(paths))


def _publicly_cacheable(response: httpx.Response) -> bool:
    directives = {d.split("=")[0].strip().lower() for d in response.headers.get("cache-control", "").split(",")}
    return bool(directives & {"public", "s-maxage"})


def test_publicly_cacheable_responses_never_set_cookies(app, client):
    paths = _public_get_paths(app)
    assert "/brand.css" in paths and "/static/portal.css" in paths
    public = set()
    for who in ("visitor", "alice@example.com"):
        if who != "visitor":
            switch_to(client, who)
        for path in paths:
            for method in ("GET", "HEAD"):
                # As on a first visit: no CSRF cookie yet, the case that used to get one.
                client.cookies.delete("csrftoken")
                response = client.request(method, path)
                if _publicly_cacheable(response):
                    public.add(path)
                    assert "set-cookie" not in response.headers, (who, method, path)
    # The walk met the public responses it is about.
    assert {"/brand.css", "/static/portal.css", "/static/htmx-2.0.11.min.js"} <= public
    # A response that does set a cookie says no shared cache may keep it.
    client.cookies.clear()
    page = client.get("/login")
    assert "csrftoken=" in page.headers["set-cookie"]
    assert page.headers["cache-control"] == "no-store"


# --- 5. the CSRF token is bound to the session -------------------------------------------------
def _post_logout(client: TestClient, token: str, **kwargs) -> httpx.Response:
    return client.post("/logout", data={"_csrf_token": token}, follow_redirects=False, **kwargs)


def _use_cookies(client: TestClient, **cookies: str) -> None:
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value, domain="testserver.local")


def test_csrf_token_is_bound_to_the_session(app, client):
    switch_to(client, "bob@example.com")
    bob_token = client.cookies["csrftoken"]
    client.cookies.clear()
    visitor_token = csrf_token(client)
    switch_to(client, "alice@example.com")
    alice_session, alice_token = client.cookies["portal_session"], client.cookies["csrftoken"]
    # Logging in rotated the token: the one of the login page is worth nothing now.
    assert alice_token not in (visitor_token, bob_token)
    assert _post_logout(client, visitor_token).status_code == 403

    # Alice's session with Bob's cookie and token pair (no Origin, no Sec-Fetch-Site):
    # refused, as a form and as htmx, and Alice is still logged in.
    _use_cookies(client, portal_session=alice_session, csrftoken=bob_token)
    assert _post_logout(client, bob_token).status_code == 403
    assert client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": bob_token}).status_code == 403
    assert client.get("/orders", follow_redirects=False).status_code == 200
    # That page load put Alice's own token back in the cookie.
    assert client.cookies["csrftoken"] == alice_token

    # Pages carry the session's token for forms (no JavaScript) and for htmx.
    page = client.get("/addresses").text
    assert f'name="_csrf_token" value="{alice_token}"' in page
    assert f'"X-CSRFToken": "{alice_token}"' in page
    accepted = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": alice_token})
    assert accepted.status_code == 200 and accepted.headers["hx-redirect"] == "/login"

    # A new login of the same person is a new token; the old session's is refused.
    login(client, "alice@example.com")
    assert client.cookies["csrftoken"] not in (alice_token, visitor_token)
    assert _post_logout(client, alice_token).status_code == 403
    # A form posted after its session ended sends the person to log in again.
    components(app).sessions.end(client.cookies["portal_session"])
    ended = _post_logout(client, client.cookies["csrftoken"])
    assert ended.status_code == 303 and ended.headers["location"] == "/login"


# --- 6. the failed-login counter is bounded ----------------------------------------------------
def test_failed_login_counter_stays_bounded_and_still_throttles_recent_emails(client):
    now = [1000.0]
    failures = FailedLogins(lambda: now[0], max_accounts=500)
    for _ in range(ACCOUNT_FAILURES):
        failures.add("first@example.com")
    for i in range(20_000):  # someone trying distinct emails, one failure each
        failures.add(f"spray{i}@example.com")
        now[0] += 0.01
        if i == 19_900:
            for _ in range(ACCOUNT_FAILURES):
                failures.add("recent@example.com")
    assert len(failures) <= 500
    # The recent ones are remembered and throttled...
    assert failures.blocked("recent@example.com")
    for _ in range(ACCOUNT_FAILURES - 1):
        failures.add("spray19999@example.com")
    assert failures.blocked("spray19999@example.com")
    # ...the oldest were forgotten to make room.
    assert not failures.blocked("first@example.com")
    assert len(failures) <= 500
    # Emails whose window has passed are dropped, even those never tried again.
    now[0] += ACCOUNT_WINDOW + 1
    assert not failures.blocked("recent@example.com")
    assert len(failures) == 0

    # The portal's own counter has a bound, and throttling still works through it.
    portal_failures = components(client.app).failed_logins
    assert 0 < portal_failures.max_accounts <= 100_000
    for i in range(50):
        login(client, f"someone{i}@example.com", "wrong-password")
    for _ in range(ACCOUNT_FAILURES):
        login(client, "alice@example.com", "wrong-password")
    blocked = login(client, "alice@example.com", DEMO_PASSWORD)
    assert blocked.status_code == 400 and "Too many attempts" in blocked.text


# --- 7. a 413 is a client error, logged as one -------------------------------------------------
def test_request_too_large_is_one_warning_line_and_the_branded_413_page(alice):
    too_big = b"text=" + b"x" * (2 * 1024 * 1024)
    with server_log() as log:
        for htmx in (False, True):
            response = alice.post(
                "/orders/1/comments",
                content=too_big,
                headers={"content-type": "application/x-www-form-urlencoded", **({"HX-Request": "true"} if htmx else {})},
            )
            assert response.status_code == 413
            assert 'id="error-title"' in response.text
            assert ("<html" in response.text) is not htmx  # the page, or its fragment for htmx
    warnings = log.at_least(logging.WARNING)
    assert len(warnings) == 2, [r.getMessage() for r in warnings]
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in warnings)
    assert all("/orders/1/comments" in r.getMessage() for r in warnings)


def test_a_document_id_with_a_trailing_newline_is_a_404(alice, sandbox):
    """`re.match(r"…$")` accepts "60032\n": the id must be the whole path segment."""
    invoiced = next(o["id"] for o in sandbox.data.orders_for(1001, "SO") if o["invoices"][0]["invoiceReference"])
    assert alice.get(f"/documents/{invoiced}").status_code == 200
    for path in (f"/documents/{invoiced}%0A", f"/documents/{invoiced}.pdf%0A"):
        response = alice.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text
