"""Shared fixtures: a sandbox, a portal app on it, and logged-in test clients."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from support import BASE_URL, fresh_sandbox, portal_app, portal_settings, switch_to
from support.mail import smtp_server

from portal.core.settings import Settings
from portal.sandbox import DEMO_USERS, Sandbox


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def demo() -> dict[str, dict]:
    """The demo logins by email."""
    return {user["email"]: user for user in DEMO_USERS}


@pytest.fixture
def sandbox() -> Sandbox:
    return fresh_sandbox()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return portal_settings(tmp_path)


@pytest.fixture
def app(settings, sandbox):
    return portal_app(settings, sandbox)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def alice(client, demo):
    return switch_to(client, "alice@example.com")


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) that keeps what it is sent: `portal_settings(…, smtp_url=smtp.url)`."""
    with smtp_server() as server:
        yield server
