"""The `portal` command: users add, serve's refusals, and serve against a sandbox process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from support.processes import free_port, stop, wait_for

from portal.cli import main
from portal.core.db import open_database
from portal.core.users import UserStore
from portal.demo import SANDBOX_APP_REF, SANDBOX_STAFF_TOKEN


def test_users_add_creates_a_login_with_an_argon2_hash(tmp_path):
    result = CliRunner().invoke(
        main,
        ["users", "add", "--email", "Carol@Example.com", "--role", "customer", "--contact-id", "1042",
         "--password-stdin", "--data", str(tmp_path)],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    row = UserStore(open_database(tmp_path / "portal.core.db")).by_email("carol@example.com")
    assert row["role"] == "customer" and row["contact_id"] == 1042
    assert row["password_hash"].startswith("$argon2id$")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "customer"], "a long enough password\n", "needs --contact-id"),
        (["--role", "admin"], "short\n", "password not accepted"),
    ],
)
def test_users_add_refuses_with_one_line(tmp_path, args, stdin, message):
    result = CliRunner().invoke(
        main, ["users", "add", "--email", "x@example.com", *args, "--password-stdin", "--data", str(tmp_path)],
        input=stdin,
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def run_portal(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_DATA_DIR"] = str(tmp_path)
    env.update(values)
    return env


@pytest.mark.slow
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "PORTAL_BRIGHTPEARL_URL is not set"),
        ({"PORTAL_BRIGHTPEARL_URL": "https://euw1.brightpearlconnect.com/public-api/acme"},
         "PORTAL_BRIGHTPEARL_APP_REF is required"),
        ({"PORTAL_BRIGHTPEARL_URL": "ftp://nope"}, "PORTAL_BRIGHTPEARL_URL must look like"),
        ({"PORTAL_SECRET_KEY": "changeme", "PORTAL_BRIGHTPEARL_URL": "x"}, "PORTAL_BRIGHTPEARL_URL must look like"),
    ],
)
def test_serve_refuses_bad_settings_with_one_line(tmp_path, values, message):
    result = run_portal("serve", env=clean_env(tmp_path, **values))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.fixture
def sandbox_process(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "sandbox", "--port", str(port), "--orders", "300"],
        env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}/public-api/demo"
    finally:
        stop(process)


@pytest.mark.slow
def test_serve_refuses_credentials_brightpearl_rejects(tmp_path, sandbox_process):
    env = clean_env(
        tmp_path,
        PORTAL_BRIGHTPEARL_URL=sandbox_process,
        PORTAL_BRIGHTPEARL_APP_REF=SANDBOX_APP_REF,
        PORTAL_BRIGHTPEARL_STAFF_TOKEN="wrong-token",
    )
    result = run_portal("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "Brightpearl rejected the credentials" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_serve_against_a_separate_sandbox_process_over_http(tmp_path, sandbox_process):
    """The portal runs exactly as against Brightpearl: real HTTP, real credentials check."""
    from portal.sandbox import DEMO_USERS

    alice = next(user for user in DEMO_USERS if user["email"] == "alice@example.com")
    env = clean_env(
        tmp_path,
        PORTAL_BRIGHTPEARL_URL=sandbox_process,
        PORTAL_BRIGHTPEARL_APP_REF=SANDBOX_APP_REF,
        PORTAL_BRIGHTPEARL_STAFF_TOKEN=SANDBOX_STAFF_TOKEN,
        PORTAL_METRICS_TOKEN="metrics-token-for-the-test",
    )
    added = subprocess.run(
        [sys.executable, "-m", "portal.cli", "users", "add", "--email", "alice@example.com", "--role", "customer",
         "--contact-id", str(alice["contact_id"]), "--password-stdin"],
        env=env, input="serve-test-password\n", capture_output=True, text=True, timeout=60,
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    portal = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", portal)
        with httpx.Client(base_url=base, timeout=30) as browser:
            browser.get("/login")
            token = browser.cookies["csrftoken"]
            response = browser.post(
                "/login", data={"email": "alice@example.com", "password": "serve-test-password", "_csrf_token": token}
            )
            assert response.status_code == 303
            orders = browser.get("/orders")
            assert orders.status_code == 200
            assert re.search(r'href="/orders/\d+"', orders.text)
            assert "Demo:" not in orders.text  # serve is not the demo
            metrics = httpx.get(
                f"{base}/metrics", headers={"Authorization": "Bearer metrics-token-for-the-test"}, timeout=10
            ).text
            assert re.search(r'portal_brightpearl_requests_total\{method="GET",resource="order-service/order-search",status="200"\} 1\.0', metrics)
    finally:
        stop(portal)
