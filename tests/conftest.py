"""Shared fixtures: a sandbox, a portal app on it, and logged-in test clients."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from portal.app import create_app
from portal.sandbox import DEMO_PASSWORD, DEMO_USERS, Sandbox, SandboxConfig
from portal.settings import Settings

BASE_URL = "http://testserver.local"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def demo() -> dict[str, dict]:
    """The demo logins by email."""
    return {user["email"]: user for user in DEMO_USERS}


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig())


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-" + "x" * 40,
        base_url=BASE_URL,
        fast_password_hashing=True,
        demo=True,
        login_attempts_per_minute=1000,
        brightpearl_deadline=3.0,
    )


@pytest.fixture
def app(settings, sandbox):
    return create_app(settings, sandbox=sandbox)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


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
    client.get("/brand.css")
    return client


@pytest.fixture
def alice(client, demo):
    response = login(client, "alice@example.com")
    assert response.status_code == 303, response.text
    client.get("/brand.css")  # pick up a fresh CSRF cookie, as the next page load would
    return client
