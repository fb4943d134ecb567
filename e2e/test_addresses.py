"""Addresses and the account page in a real browser: add a delivery address with and without
JavaScript, see it listed, and look at both pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

# Screenshots keep the text caret: hiding it makes Playwright inject a <style>, which the CSP
# (rightly) refuses and which would show up as a violation below.
SHOT = {"full_page": True, "caret": "initial"}


def fill_address(page: Page, line1: str, town: str = "Leeds", postcode: str = "LS11 5PZ") -> None:
    page.get_by_label("Address line 1").fill(line1)
    page.get_by_label("Address line 2 (optional)").fill("Holbeck")
    page.get_by_label("Town or city").fill(town)
    page.get_by_label("County or state (optional)").fill("West Yorkshire")
    page.get_by_label("Postcode").fill(postcode)


def test_add_an_address_with_javascript(page: Page, artifacts, live_server, log_in):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Addresses").click()
    expect(page.get_by_role("heading", name="Your addresses")).to_be_visible()
    expect(page.get_by_text("cannot be changed or removed from this portal")).to_be_visible()
    cards = page.locator(".address-card")
    before = cards.count()
    assert before >= 2
    expect(page.get_by_label("Country")).to_have_value("GBR")
    page.screenshot(path=artifacts / "addresses.png", **SHOT)

    # A mistake first: the error appears beside the field, in place, and takes the focus.
    fill_address(page, "Dock 7, Canal Wharf", town="")
    page.get_by_label("Town or city").evaluate("el => el.removeAttribute('required')")
    with page.expect_response(re.compile(r"/addresses$")) as response:
        page.get_by_role("button", name="Add address").click()
    assert response.value.status == 400 and response.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#address-town-error")).to_have_text("Enter the town or city.")
    expect(page.get_by_label("Town or city")).to_be_focused()
    expect(page.get_by_label("Address line 1")).to_have_value("Dock 7, Canal Wharf")
    page.screenshot(path=artifacts / "addresses-error.png", **SHOT)

    page.get_by_label("Town or city").fill("Leeds")
    with page.expect_response(re.compile(r"/addresses$")) as response:
        page.get_by_role("button", name="Add address").click()
    assert response.value.status == 200
    expect(page.get_by_role("status").filter(has_text="Address added.")).to_be_visible()
    expect(cards).to_have_count(before + 1)
    new = cards.filter(has_text="Dock 7, Canal Wharf")
    expect(new).to_contain_text("LS11 5PZ")
    expect(new).to_contain_text("United Kingdom")
    expect(page.get_by_label("Address line 1")).to_have_value("")
    expect(page).to_have_url(re.compile(r"/addresses$"))
    page.screenshot(path=artifacts / "addresses-added.png", **SHOT)

    sandbox = live_server["sandbox"]
    stored = [a for a in sandbox.data.addresses_for(1001) if a["addressLine1"] == "Dock 7, Canal Wharf"]
    assert [a["addressLine3"] for a in stored] == ["Leeds"]
    page.reload()
    expect(page.locator(".address-card").filter(has_text="Dock 7, Canal Wharf")).to_have_count(1)
    assert violations == []


def test_add_an_address_without_javascript(page_without_javascript: Page, artifacts, log_in):
    page = page_without_javascript
    log_in(page, "bob@example.com")
    page.goto("/addresses")
    fill_address(page, "Unit 2, Old Mill Yard", town="Bristol", postcode="bs1 4dj")
    page.get_by_label("Make this my default delivery address").check()
    page.get_by_role("button", name="Add address").click()
    expect(page).to_have_url(re.compile(r"/addresses$"))
    new = page.locator(".address-card").filter(has_text="Unit 2, Old Mill Yard")
    expect(new).to_contain_text("BS1 4DJ")
    expect(new).to_contain_text("Default delivery")
    page.screenshot(path=artifacts / "addresses-nojs.png", **SHOT)


def test_account_page(page: Page, artifacts, log_in):
    log_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("Harper & Lowe Interiors Ltd").first).to_be_visible()
    expect(page.get_by_role("heading", name="Credit and balance")).to_be_visible()
    expect(page.get_by_text("30 days")).to_be_visible()
    expect(page.get_by_text("Hannah Brooks")).to_be_visible()
    page.screenshot(path=artifacts / "account.png", **SHOT)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "account-phone.png", **SHOT)
    page.goto("/addresses")
    page.screenshot(path=artifacts / "addresses-phone.png", **SHOT)
