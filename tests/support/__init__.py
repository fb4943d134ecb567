"""Helpers the tests share: a portal app on a sandbox, logging in like a browser, and comparing
pages. Import them with `from support import …` (pytest puts tests/ on the path)."""

from __future__ import annotations

import pickle
import re
from dataclasses import astuple
from datetime import date
from functools import cache

import httpx
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import TestClient

from portal.sandbox import DEMO_PASSWORD, Sandbox, SandboxConfig
from portal.sandbox.generate import generate
from portal.web.app import create_app
from portal.web.components import Components

BASE_URL = "http://testserver.local"


@cache
def _generated(config_key: tuple) -> bytes:
    config = SandboxConfig(*config_key)
    return pickle.dumps(generate(config.seed, config.customers, config.orders, config.today or date.today()))


def fresh_sandbox(config: SandboxConfig | None = None) -> Sandbox:
    """A sandbox with its own copy of the demo account: the data of each config is generated
    once per test session (about a third of a second) and copied for each test (a few ms)."""
    config = config or SandboxConfig()
    if config.journal_path is not None:
        return Sandbox(config)
    return Sandbox(config, data=pickle.loads(_generated(astuple(config))))


def portal_app(
    settings,
    sandbox: Sandbox,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    monotonic=None,
    dependencies: dict[str, Provide] | None = None,
) -> Litestar:
    """The portal on `sandbox` (or on `transport`, which usually wraps it)."""
    options = {"monotonic": monotonic} if monotonic else {}
    components = Components.build(settings, brightpearl_transport=transport or sandbox.transport(), **options)
    return create_app(settings, components=components, dependencies=dependencies)


def components(app: Litestar) -> Components:
    """The long-lived objects an app serves with (its database, cache, outbox, …)."""
    return app.state["components"]


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
