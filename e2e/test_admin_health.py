"""The admin's connection health page in Chromium: the request chart is drawn (inline SVG, an
image with a name), its figures open as a table, "Check now" works without JavaScript, and at
390 px nothing widens the page. Screenshots go to conftest.SHOTS (under the temporary directory) (not docs/screenshots)."""

from __future__ import annotations

import pytest
from conftest import SHOTS
from playwright.sync_api import Browser, Page, expect


def health_numbers_opened(page: Page) -> None:
    """The chart's figures opened as a table (a step of e2e/test_accessibility.py)."""
    page.locator("details.usage-numbers").evaluate("details => { details.open = true; }")
    expect(page.get_by_role("table", name="Brightpearl requests per minute over the last hour, oldest first")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_health_page_shows_the_chart(browser: Browser, base_url, log_in, width):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, "alice@example.com")
    page.goto("/orders")  # some requests for the chart
    context.clear_cookies()
    log_in(page, "admin@example.com")
    page.goto("/admin/health")
    expect(page.get_by_role("heading", name="Connection health", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Brightpearl requests per minute, last hour")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 120
    assert page.locator("svg .chart-minute").count() == 60
    assert page.locator("svg .bar--ours").count() >= 1
    expect(page.locator("#health-connection")).to_contain_text("Reachable")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"admin-health-{width}.png"), full_page=True)
    # The same figures as a table, for screen readers and anyone who would rather read.
    page.get_by_text("The numbers, minute by minute").click()
    expect(page.get_by_role("table", name="Brightpearl requests per minute over the last hour, oldest first")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_check_now_without_javascript(browser: Browser, base_url, log_in):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "admin@example.com")
    page.goto("/admin/health")
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_role("status").filter(has_text="Brightpearl was asked just now")).to_be_visible()
    expect(page.locator("#health-connection")).to_contain_text("Reachable")
    context.close()
