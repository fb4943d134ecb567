"""The admin's order settings and audit log in Chromium: a change of the order defaults is
audited; a customer opening another customer's order gets the 404 and is in the log; the
admin filters the log and downloads the CSV of what the filter shows. At 390 px nothing widens
the pages. Screenshots go to conftest.SHOTS (under the temporary directory) (not docs/screenshots)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import SHOTS
from playwright.sync_api import Browser, expect

from portal.sandbox.demo import BOB_CONTACT_ID


def shoot(page, name: str, width: int) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize("width", [1280, 390])
def test_the_order_settings_pages(browser: Browser, base_url, log_in, width):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, "admin@example.com")
    page.goto("/admin/orders")
    expect(page.get_by_role("heading", name="Order defaults", level=1)).to_be_visible()
    expect(page.get_by_label("Channel")).to_have_value("")  # follows Brightpearl
    expect(page.get_by_label("Channel").locator("option").first).to_have_text("Default: Trade portal")
    shoot(page, "admin-order-defaults", width)
    page.get_by_label("Lead source id").fill("abc")
    page.get_by_role("button", name="Save the defaults").click()
    expect(page.locator("#lead-source-error")).to_have_text("Enter Brightpearl's id, a whole number from 1, or leave it empty.")
    expect(page.get_by_label("Lead source id")).to_be_focused()
    shoot(page, "admin-order-defaults-errors", width)
    page.get_by_role("link", name="Carrier tracking links").click()
    expect(page.get_by_role("heading", name="Carrier tracking links", level=1)).to_be_visible()
    expect(page.get_by_label("Tracking address for UPS Standard")).to_have_value(re.compile(r"^https://www\.ups\.com/"))
    shoot(page, "admin-tracking", width)
    context.close()


def test_admin_filters_the_audit_log_and_downloads_the_csv(browser: Browser, base_url, log_in, live_server):
    # Alice tries an order of Bob's: the same 404 as a missing order, and a row in the log.
    customer = browser.new_context(base_url=base_url)
    alice = customer.new_page()
    log_in(alice, "alice@example.com")
    bobs = live_server["sandbox"].data.orders_for(BOB_CONTACT_ID, "SO")[0]["id"]
    assert alice.goto(f"/orders/{bobs}").status == 404
    expect(alice.get_by_role("heading", name="Page not found")).to_be_visible()
    customer.close()

    for width in (1280, 390):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900}, accept_downloads=True)
        page = context.new_page()
        log_in(page, "admin@example.com")
        page.goto("/admin/orders")
        page.get_by_label("Lead source id").fill("3")
        page.get_by_role("button", name="Save the defaults").click()
        expect(page.get_by_role("status")).to_contain_text(re.compile("saved|Nothing changed"))

        page.goto("/admin/audit")
        expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
        page.get_by_label("Action").select_option("access_refused")
        page.get_by_label("Actor’s email").fill("alice@")
        page.get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(r"action=access_refused"))
        rows = page.locator("table.audit tbody tr")
        expect(rows.first).to_contain_text(f"order:{bobs}")
        expect(rows.first).to_contain_text("alice@example.com")
        shoot(page, "admin-audit", width)

        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile("Download CSV")).click()
        download = info.value
        assert re.fullmatch(r"audit-log-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
        text = Path(download.path()).read_text(encoding="utf-8")
        table = list(csv.reader(io.StringIO(text)))
        assert table[0][5] == "action" and len(table) >= 2
        assert {row[5] for row in table[1:]} == {"access_refused"}
        assert all("alice@" in row[3] for row in table[1:])

        # A day that does not exist is refused beside the field.
        page.get_by_label("From", exact=True).fill("2026-01-10")
        page.get_by_label("To", exact=True).fill("2026-01-09")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#from-error")).to_have_text("The start date must be on or before the end date.")
        shoot(page, "admin-audit-errors", width)
        context.close()
