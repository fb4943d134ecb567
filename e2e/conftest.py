"""A real portal server (uvicorn in a thread, on the sandbox) and the system Chromium."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from portal.core.settings import Settings
from portal.sandbox import Sandbox, SandboxConfig
from portal.web.app import create_app
from portal.web.components import Components

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("portal-data"),
        secret_key="e2e-secret-" + "y" * 40,
        base_url=f"http://127.0.0.1:{port}",
        fast_password_hashing=True,
        demo=True,
        login_attempts_per_minute=100,
    )
    sandbox = Sandbox(SandboxConfig())
    app = create_app(settings, components=Components.build(settings, brightpearl_transport=sandbox.transport()))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "app": app, "sandbox": sandbox}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server["url"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
