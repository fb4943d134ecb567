"""Admin > Order defaults in Chromium: the "Quotes and checkout" part, saved without JavaScript
(radios, checkboxes, selects of Brightpearl's lists), refused with the error beside the payment
methods when no way to pay is left, and laid out at 1280 and 390 px without sideways scrolling.
A portal of its own, so saving never touches another test's pages."""

from __future__ import annotations

import pytest
from conftest import SHOTS, free_port, serving_in_thread
from playwright.sync_api import Browser, expect

from portal.core.settings import Settings
from portal.sandbox import Sandbox, SandboxConfig
from portal.web.app import create_app
from portal.web.components import Components


@pytest.fixture(scope="module")
def defaults_server(tmp_path_factory):
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("order-defaults-data"), secret_key="e2e-secret-" + "o" * 40,
        base_url=f"http://127.0.0.1:{port}", fast_password_hashing=True, demo=True, admin_two_factor=False,
    )
    sandbox = Sandbox(SandboxConfig(customers=5, orders=20))
    app = create_app(settings, components=Components.build(settings, brightpearl_transport=sandbox.transport()))
    with serving_in_thread(app, port) as url:
        yield url


def admin_page(browser: Browser, url: str, width: int):
    """A page of its own for the admin, JavaScript off (the page must work without it)."""
    context = browser.new_context(base_url=url, viewport={"width": width, "height": 900}, java_script_enabled=False)
    return context, context.new_page()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_fits_and_refuses_a_checkout_with_no_way_to_pay(browser: Browser, defaults_server, log_in, width):
    context, page = admin_page(browser, defaults_server, width)
    try:
        log_in(page, "admin@example.com")
        page.goto("/admin/orders")
        checkout = page.get_by_role("group", name="Quotes and checkout")
        expect(checkout).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"admin-orders-{width}.png"), full_page=True)
        checkout.screenshot(path=str(SHOTS / f"admin-orders-checkout-{width}.png"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # No way to pay: refused, the error beside the payment methods, nothing saved.
        page.get_by_role("checkbox", name="On account (pay against the invoice, within the customer’s credit)").uncheck()
        page.get_by_role("button", name="Save the defaults").click()
        payment = page.get_by_role("group", name="Payment methods offered at checkout")
        expect(payment).to_contain_text("Offer at least one way to pay")
        expect(page.get_by_role("alert")).to_contain_text("were not saved")
        payment.screenshot(path=str(SHOTS / f"admin-orders-payment-error-{width}.png"))
        page.goto("/admin/orders")
        expect(page.get_by_role("checkbox", name="On account (pay against the invoice, within the customer’s credit)")).to_be_checked()
    finally:
        context.close()


def test_the_quotes_and_checkout_choices_save_without_javascript(browser: Browser, defaults_server, log_in):
    context, page = admin_page(browser, defaults_server, 1280)
    try:
        log_in(page, "admin@example.com")
        page.goto("/admin/orders")
        page.get_by_label("Place a new sales order from the quote (the quote moves to the converted status)").check()
        page.get_by_label("Status of a quote the customer declines").select_option(label="Cancelled (id 5)")
        page.get_by_label("Custom field with the quote’s last day").fill("PCF_VALIDTO")
        page.get_by_role("group", name="Payment methods offered at checkout").get_by_role("checkbox", name="BACS").check()
        page.get_by_role("group", name="Shipping methods the customer may choose").get_by_role(
            "checkbox", name="UPS Standard (UPS)").check()
        page.get_by_role("button", name="Save the defaults").click()
        expect(page.get_by_role("status")).to_contain_text("The order defaults are saved")
        expect(page.get_by_role("checkbox", name="BACS")).to_be_checked()
        expect(page.get_by_role("checkbox", name="UPS Standard (UPS)")).to_be_checked()
        expect(page.get_by_label("Place a new sales order from the quote (the quote moves to the converted status)")).to_be_checked()
        expect(page.get_by_label("Custom field with the quote’s last day")).to_have_value("PCF_VALIDTO")
        expect(page.get_by_role("region", name="What orders use now")).to_contain_text("the customer chooses: UPS Standard")
    finally:
        context.close()
