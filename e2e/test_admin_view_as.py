"""View as customer in Chromium: the admin chooses alice, sees the banner and her orders on every
page, a comment is refused with the read-only message (nothing sent), and stopping brings the
admin back. The chooser and a page seen while viewing pass axe at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest
from axe_check import axe_violations, describe
from conftest import SHOTS
from playwright.sync_api import Page, expect

from portal.sandbox.demo import ALICE_CONTACT_ID


def viewing_as_alice(page: Page, live_server) -> str:
    """Step for e2e/test_accessibility.py PAGES (in a context of its own, logged in as the admin):
    start viewing as alice unless already viewing; the page to check is her order list."""
    page.goto("/")
    if page.locator(".viewing-banner").count() == 0:
        page.goto("/admin/view-as?q=alice")
        page.get_by_role("button", name="View as alice@example.com").click()
        expect(page.locator(".viewing-banner")).to_be_visible()
    return "/orders"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)


def assert_accessible(page: Page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        assert not violations, describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def admin(new_context, log_in) -> Page:
    page = new_context(bypass_csp=True).new_page()  # CSP bypassed for axe only
    log_in(page, "admin@example.com")
    return page


def test_the_admin_views_as_alice_read_only_and_stops(admin: Page, live_server):
    page = admin
    page.goto("/admin/view-as")
    expect(page.get_by_role("heading", level=1)).to_have_text("View as customer")
    page.get_by_label("Email or name").fill("alice")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/admin/view-as\?q=alice"))
    shot(page, "view-as-chooser")
    assert_accessible(page)

    page.get_by_role("button", name="View as alice@example.com").click()
    expect(page).to_have_url(re.compile(r"/$"))
    banner = page.get_by_role("status", name="Viewing as a customer")
    expect(banner).to_contain_text("Viewing as Alice Harper (alice@example.com) — read-only")

    page.goto("/orders")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your orders")
    expect(banner).to_be_visible()
    data = live_server["sandbox"].data
    newest = max(order["id"] for order in data.orders_for(ALICE_CONTACT_ID, "SO"))
    expect(page.locator(f'a[href="/orders/{newest}"]').first).to_be_visible()
    shot(page, "view-as-orders")
    assert_accessible(page)

    notes_before = len(data.notes_for(newest))
    page.goto(f"/orders/{newest}")
    expect(banner).to_be_visible()
    page.get_by_label("Add a comment").fill("This must not be sent")
    page.get_by_role("button", name="Send comment").click()
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("You are viewing the portal as Alice Harper (alice@example.com): changes are switched off.")
    shot(page, "view-as-refused")
    assert len(data.notes_for(newest)) == notes_before

    page.get_by_role("button", name="Stop viewing").click()
    expect(page).to_have_url(re.compile(r"/admin/view-as\?done=stopped"))
    expect(page.get_by_role("status").first).to_contain_text("stopped viewing")
    expect(page.locator(".viewing-banner")).to_have_count(0)
    page.goto("/admin/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")


def test_without_javascript_the_refusal_is_a_page_of_its_own(new_context, log_in):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "admin@example.com")
    page.goto("/admin/view-as?q=alice")
    page.get_by_role("button", name="View as alice@example.com").click()
    page.goto("/addresses")
    page.get_by_label("Address line 1").fill("1 Refused Road")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS1 1AA")
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes are switched off while you view as a customer")
    expect(page.locator(".viewing-banner")).to_be_visible()
    page.get_by_role("button", name="Stop viewing").click()
    expect(page).to_have_url(re.compile(r"/admin/view-as\?done=stopped"))
