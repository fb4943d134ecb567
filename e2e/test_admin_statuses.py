"""The admin's statuses page in Chromium: the admin maps Brightpearl's "Invoiced" status to a
label of their own, and the customer's order list (rows and filter) shows it at once.

A portal of its own: the mapping would change what the other e2e tests (and the accessibility
table) see on the shared server."""

from __future__ import annotations

import re

import pytest
from axe_check import axe_violations, describe
from conftest import SHOTS, free_port, serving_in_thread
from playwright.sync_api import Browser, Page, expect

from portal.core.settings import Settings
from portal.sandbox import Sandbox, SandboxConfig
from portal.web.app import create_app
from portal.web.components import Components

INVOICED = 4  # the demo account's "Invoiced" status (portal/sandbox/reference.py)


@pytest.fixture(scope="module")
def statuses_server(tmp_path_factory):
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("statuses-data"), secret_key="e2e-secret-" + "s" * 40,
        base_url=f"http://127.0.0.1:{port}", fast_password_hashing=True, demo=True, admin_two_factor=False,
    )
    sandbox = Sandbox(SandboxConfig(customers=5, orders=60))
    components = Components.build(settings, brightpearl_transport=sandbox.transport())
    with serving_in_thread(create_app(settings, components=components), port) as url:
        yield url


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def statuses_form_with_errors(page: Page) -> None:
    """A label over 40 characters sent (the browser's own limit lifted): refused, nothing saved."""
    field = page.locator(f"#label-{INVOICED}")
    field.evaluate("el => el.removeAttribute('maxlength')")
    field.fill("x" * 41)
    page.get_by_role("button", name="Save statuses").click()
    expect(page.locator(f"#label-{INVOICED}-error")).to_contain_text("at most 40 characters")


def test_the_statuses_page_is_accessible_at_both_widths(browser: Browser, statuses_server, log_in):
    context = browser.new_context(base_url=statuses_server, bypass_csp=True)  # axe is injected
    page = context.new_page()
    log_in(page, "admin@example.com")
    for then in (None, statuses_form_with_errors):
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/admin/statuses")
            if then:
                then(page)
            violations = axe_violations(page)
            assert not violations, describe(violations)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_the_admin_maps_a_status_and_the_customers_order_list_shows_it(browser: Browser, statuses_server, log_in):
    admin = browser.new_context(base_url=statuses_server).new_page()
    log_in(admin, "admin@example.com")
    admin.goto("/admin/statuses")
    expect(admin.get_by_role("heading", name="Statuses", exact=True)).to_be_visible()
    invoiced = admin.locator(f"#status-{INVOICED}")
    expect(invoiced.get_by_role("heading")).to_contain_text("Invoiced")
    shoot(admin, "admin-statuses")

    # Too long: refused beside the field, nothing saved.
    invoiced.get_by_label("Label", exact=True).evaluate("el => el.removeAttribute('maxlength')")
    invoiced.get_by_label("Label", exact=True).fill("x" * 41)
    admin.get_by_role("button", name="Save statuses").click()
    expect(admin.locator(f"#label-{INVOICED}-error")).to_contain_text("at most 40 characters")
    expect(admin.get_by_role("alert")).to_contain_text("Nothing was saved")

    invoiced = admin.locator(f"#status-{INVOICED}")
    invoiced.get_by_label("Label", exact=True).fill("Paid and on its way")
    invoiced.get_by_label("State (colour)").select_option("shipped")
    admin.get_by_role("button", name="Save statuses").click()
    expect(admin.get_by_role("status")).to_contain_text("customers see the new labels now")
    expect(admin.locator(f"#label-{INVOICED}")).to_have_value("Paid and on its way")

    customer = browser.new_context(base_url=statuses_server).new_page()
    log_in(customer, "alice@example.com")
    customer.goto("/orders")
    pills = customer.locator(".cell-status .status")
    expect(pills.filter(has_text="Paid and on its way").first).to_be_visible()
    expect(pills.filter(has_text="Paid and on its way").first).to_have_class("status status--shipped")
    expect(customer.locator("table")).not_to_contain_text("Invoiced")
    # The filter offers the label and keeps only those orders.
    customer.get_by_label("Status").select_option("Paid and on its way")
    customer.get_by_role("button", name="Search").click()
    expect(customer).to_have_url(re.compile(r"status=Paid"))
    expect(pills.first).to_have_text("Paid and on its way")
    texts = set(pills.all_inner_texts())
    assert texts == {"Paid and on its way"}, texts
    shoot(customer, "orders-after-status-mapping")
    admin.context.close()
    customer.context.close()
