"""Admin > Features in Chromium: the admin switches documents off, and the customer's menu has no
Documents link and /documents is the not-found page; switched back on, both return. A portal
of its own, so switching a feature off never touches another test's pages."""

from __future__ import annotations

import re

import pytest
from conftest import SHOTS, free_port, serving_in_thread
from playwright.sync_api import Browser, Page, expect

from portal.core.settings import Settings
from portal.sandbox import Sandbox, SandboxConfig
from portal.web.app import create_app
from portal.web.components import Components


@pytest.fixture(scope="module")
def features_server(tmp_path_factory):
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("features-data"), secret_key="e2e-secret-" + "f" * 40,
        base_url=f"http://127.0.0.1:{port}", fast_password_hashing=True, demo=True, admin_two_factor=False,
        registration="open",
    )
    sandbox = Sandbox(SandboxConfig(customers=5, orders=20))
    app = create_app(settings, components=Components.build(settings, brightpearl_transport=sandbox.transport()))
    with serving_in_thread(app, port) as url:
        yield url


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Main")


def save_with(page: Page, label: str, on: bool) -> None:
    page.goto("/admin/features")
    box = page.get_by_role("checkbox", name=label, exact=True)
    box.set_checked(on)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_role("checkbox", name=label, exact=True)).to_be_checked(checked=on)


def test_switching_documents_off_and_on_again(browser: Browser, features_server, log_in):
    admin_context = browser.new_context(base_url=features_server, viewport={"width": 1280, "height": 900})
    customer_context = browser.new_context(base_url=features_server, viewport={"width": 1280, "height": 900})
    admin, customer = admin_context.new_page(), customer_context.new_page()
    try:
        log_in(admin, "admin@example.com")
        log_in(customer, "alice@example.com")
        expect(main_menu(customer).get_by_role("link", name="Documents")).to_be_visible()

        save_with(admin, "Documents", False)
        customer.goto("/")
        expect(main_menu(customer).get_by_role("link", name="Statement")).to_be_visible()
        expect(main_menu(customer).get_by_role("link", name="Documents")).to_have_count(0)
        answer = customer.goto("/documents")
        assert answer is not None and answer.status == 404
        expect(customer.get_by_role("heading", level=1)).to_have_text(re.compile("Page not found"))

        save_with(admin, "Documents", True)
        customer.goto("/")
        expect(main_menu(customer).get_by_role("link", name="Documents")).to_be_visible()
        answer = customer.goto("/documents")
        assert answer is not None and answer.status == 200
    finally:
        admin_context.close()
        customer_context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_features_page_fits_and_reads_at_each_width(browser: Browser, features_server, log_in, width):
    context = browser.new_context(base_url=features_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        log_in(page, "admin@example.com")
        page.goto("/admin/features")
        expect(page.get_by_role("group", name="Features switched on")).to_be_visible()
        expect(page.get_by_role("checkbox", name="Quotes", exact=True)).to_be_checked()
        expect(page.get_by_text("Arrives with the product catalogue")).to_be_visible()
        # Keyboard: a checkbox takes the focus and Space switches it, without JavaScript's help.
        box = page.get_by_role("checkbox", name="Order comments", exact=True)
        box.focus()
        page.keyboard.press("Space")
        expect(box).not_to_be_checked()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"admin-features-{width}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()
