"""A real portal server (uvicorn in a thread, on the sandbox), the system Chromium, and logging
in through the form."""

from __future__ import annotations

import asyncio
import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect

from portal.core.settings import Settings
from portal.sandbox import DEMO_PASSWORD, Sandbox, SandboxConfig
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


# Screenshots the browser tests take of the pages they check, to look at by hand (not
# docs/screenshots, which `--screenshots` writes): under the system's temporary directory.
SHOTS = Path(tempfile.gettempdir()) / "portal-e2e-shots"


def shoot(page: Page, name: str, widths: tuple[int, ...] = (1280, 390)) -> None:
    """Screenshots of the page at each width (under SHOTS, to look at), each checked for
    sideways scrolling; the page is left at 1280 px."""
    SHOTS.mkdir(exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


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
        # Registrations open at once (no admin approval), and the admin reads the mailbox
        # with a password alone (the registration and password flows read their links there).
        registration="open",
        admin_two_factor=False,
    )
    sandbox = Sandbox(SandboxConfig())
    app = create_app(settings, components=Components.build(settings, brightpearl_transport=sandbox.transport()))
    loop = asyncio.new_event_loop()
    with serving_in_thread(app, port, loop=loop) as url:
        yield {"url": url, "app": app, "sandbox": sandbox, "loop": loop}


def on_server(live_server, fn, *args):
    """Run `fn(*args)` on the server's event-loop thread and return its result. The app has one
    SQLite connection, used on that thread: a statement from the test's thread could land
    inside one of its transactions (the outbox worker runs all the time)."""

    async def call():
        return fn(*args)

    return asyncio.run_coroutine_threadsafe(call(), live_server["loop"]).result(timeout=30)


@contextmanager
def serving_in_thread(app, port: int, *, loop: asyncio.AbstractEventLoop | None = None) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on `port` (on `loop`, when given, so tests can run
    calls there: `on_server`); give its URL once it answers; stop it after."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    loop = loop or asyncio.new_event_loop()

    def serve() -> None:
        try:
            loop.run_until_complete(server.serve())
        finally:  # what asyncio.run does after its coroutine: nothing left open
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
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


@pytest.fixture(scope="session")
def log_in() -> Callable[..., None]:
    """`log_in(page, email)`: log in through the form as a demo customer (default alice), who
    lands on the dashboard."""

    def log_in(page: Page, email: str = "alice@example.com") -> None:
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/$"))

    return log_in


@pytest.fixture
def page_without_javascript(new_context) -> Page:
    """A page in a browser context of its own with JavaScript turned off (closed after the test)."""
    return new_context(java_script_enabled=False).new_page()


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="test_accessibility.py also writes docs/screenshots/{page}-{width}.png",
    )
