"""Helpers the tests share: a portal app on a sandbox, logging in like a browser, counting the
Brightpearl calls of a page, running the outbox, and comparing pages. Import them with
`from support import …` (pytest puts tests/ on the path)."""

from __future__ import annotations

import gc
import pickle
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from portal.core.clock import Clock
from portal.core.settings import Settings
from portal.sandbox import DEMO_PASSWORD, Sandbox, SandboxConfig
from portal.sandbox.generate import generate
from portal.sandbox.store import DataStore
from portal.web.app import create_app
from portal.web.components import Components

BASE_URL = "http://testserver.local"


@cache
def _generated(seed: int, customers: int, orders: int, today: date, zone: str) -> bytes:
    return pickle.dumps(generate(seed, customers, orders, today, zone))


def fresh_sandbox(config: SandboxConfig | None = None) -> Sandbox:
    """A sandbox with its own copy of the demo account: the data of each seed, size and day is
    generated once per test session (about a third of a second) and copied for each test (about
    20 ms); configs that differ only in knobs (throttle, latency, tokens) share one generation.
    The account's zone (`SandboxConfig.zone`) is part of the data: each zone is generated apart."""
    config = config or SandboxConfig()
    if config.journal_path is not None:
        return Sandbox(config)
    data = _generated(config.seed, config.customers, config.orders, config.account_today(), config.zone)
    return Sandbox(config, data=_unpickle(data))


def _unpickle(data: bytes) -> DataStore:
    # A copy is thousands of new containers and no garbage: the collections their allocation
    # would trigger took more than half of the copying time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def portal_settings(data_dir, **overrides) -> Settings:
    """The settings the tests run the portal with: the embedded demo, fast password hashing, no
    login rate limit to speak of, a short Brightpearl deadline; `overrides` change any of them."""
    values = {
        "data_dir": data_dir,
        "secret_key": "test-secret-" + "x" * 40,
        "base_url": BASE_URL,
        "fast_password_hashing": True,
        "demo": True,
        "login_attempts_per_minute": 1000,
        "brightpearl_deadline": 3.0,
        # As `portal demo` runs: the admin signs in with a password alone (tests of the
        # two-factor requirement turn it on).
        "admin_two_factor": False,
    }
    return Settings(**{**values, **overrides})


def portal_app(
    settings,
    sandbox: Sandbox,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    monotonic=None,
    clock: Clock | None = None,
) -> Litestar:
    """The portal on `sandbox` (or on `transport`, which usually wraps it); `monotonic` ages its
    cache, `clock` says what time it is for its pages."""
    options = {"monotonic": monotonic} if monotonic else {}
    components = Components.build(settings, brightpearl_transport=transport or sandbox.transport(), **options)
    if clock is not None:
        components.clock = clock
    return create_app(settings, components=components)


def components(app: Litestar) -> Components:
    """The long-lived objects an app serves with (its database, cache, outbox, …)."""
    return app.state["components"]


def empty_cache(client: TestClient) -> None:
    """Forget what the portal has cached from Brightpearl: its next page reads Brightpearl again."""
    components(client.app).cache.clear()


def calls_for(client: TestClient, sandbox: Sandbox, path: str, *, cold: bool = False, **kwargs) -> list[tuple]:
    """The calls the sandbox answers while `client` GETs `path` (with `kwargs`; it must answer
    200), from an empty cache when `cold`."""
    if cold:
        empty_cache(client)
    sandbox.reset_calls()
    response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return list(sandbox.calls)


def make_due(app: Litestar) -> None:
    """Make every waiting outbox delivery due now (as if its retry time had come)."""
    components(app).db.execute("update outbox set next_attempt_at = '2000-01-01T00:00:00+00:00'")


def deliver_due(client: TestClient) -> None:
    """Run the outbox's deliveries that are due, on the client's event loop."""
    client.blocking_portal.call(components(client.app).outbox.deliver_due)


def csrf_token(client: TestClient) -> str:
    """Load the login page so the CSRF cookie exists; return its value."""
    client.get("/login")
    return client.cookies["csrftoken"]


def login(client: TestClient, email: str, password: str = DEMO_PASSWORD, **extra):
    """Submit the login form like a browser; return the response (not followed)."""
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": token, **extra},
        follow_redirects=False,
    )


def strip_tokens(html: str) -> str:
    """Remove CSRF tokens from a page so two responses can be compared."""
    html = re.sub(r'name="_csrf_token" value="[^"]*"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


def switch_to(client: TestClient, email: str) -> TestClient:
    """Forget the current login and log in as `email` (another person, same browser)."""
    client.cookies.clear()
    assert login(client, email).status_code == 303
    client.get("/brand.css")  # pick up a fresh CSRF cookie, as the next page load would
    return client


@contextmanager
def logged_in(app: Litestar, email: str = "alice@example.com") -> Iterator[TestClient]:
    """A client of `app` (started, and shut down after) logged in as `email`."""
    with TestClient(app, base_url=BASE_URL) as client:
        yield switch_to(client, email)


def on_loop(client: TestClient, fn, *args):
    """Run `fn(*args)` on the app's event-loop thread and return its result: the app's one
    SQLite connection is used there, and a statement from the test's thread could land inside
    one of its transactions (the outbox worker runs all the time)."""
    return client.blocking_portal.call(lambda: fn(*args))


def app_rows(client: TestClient, sql: str, params=()) -> list[dict]:
    """The rows `sql` selects from the app's database, read on its loop thread."""
    return on_loop(client, lambda: list(components(client.app).db.query(sql, list(params))))


def due_now(client: TestClient) -> None:
    """Make every waiting outbox delivery due now, on the app's loop thread (see make_due)."""
    on_loop(client, make_due, client.app)
