"""The admin mailbox in Chromium: a kept message's HTML is shown in a sandboxed frame under its
own CSP, and a <script> in it never runs, neither in the frame nor in the portal's page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import free_port, serving_in_thread
from playwright.sync_api import Browser, expect

from portal.core.settings import Settings
from portal.mail.message import build_message
from portal.sandbox import Sandbox, SandboxConfig
from portal.web.app import create_app
from portal.web.components import Components

EVIL = (
    "<p id='hello'>Hello from the message</p>"
    "<script>document.body.dataset.ran = 'yes'; parent.document.title = 'pwned';</script>"
    "<img src=x onerror=\"document.body.dataset.ran = 'onerror'\">"
)


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory):
    """A portal of its own whose admin signs in with a password, with one kept message."""
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("mailbox-data"), secret_key="e2e-secret-" + "z" * 40,
        base_url=f"http://127.0.0.1:{port}", fast_password_hashing=True, demo=True, admin_two_factor=False,
    )
    sandbox = Sandbox(SandboxConfig(customers=5, orders=20))
    components = Components.build(settings, brightpearl_transport=sandbox.transport())
    payload = {"from": "Shop <shop@example.com>", "to": "bob@example.com", "reply_to": None,
               "subject": "A message with a script", "text": "Plain", "html": EVIL}
    components.mail.mailbox.keep(build_message(payload, item_id=1, created_at=datetime.now(UTC)), outbox_id=None)
    with serving_in_thread(create_app(settings, components=components), port) as url:
        yield url


def test_a_message_script_never_runs(browser: Browser, mail_server, log_in):
    context = browser.new_context(base_url=mail_server)  # the portal's CSP is enforced
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "admin@example.com")

    page.goto("/admin/mailbox")
    page.get_by_role("link", name="A message with a script").click()
    frame_element = page.locator("iframe.mail-frame")
    expect(frame_element).to_have_attribute("sandbox", "")
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.locator("#hello")).to_have_text("Hello from the message")
    page.wait_for_timeout(500)  # time for a script or an onerror handler to have run
    assert frame.locator("body").get_attribute("data-ran") is None
    assert page.title() == "A message with a script · Customer Portal"
    assert dialogs == []
    context.close()
