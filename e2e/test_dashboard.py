"""The customer dashboard in a real browser: tiles load on their own, and without JavaScript
each placeholder is a link to the tile as a page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

TILES = ["balance", "overdue", "open-orders", "quotes", "latest-orders", "shipments"]


def wait_for_tiles(page: Page) -> None:
    for name in TILES:
        expect(page.locator(f"#tile-{name}")).to_have_class(re.compile(r"\btile--ready\b"), timeout=15000)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def test_tiles_load_by_themselves_sharing_their_brightpearl_reads(page: Page, live_server, artifacts, log_in):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in(page, "alice@example.com")
    expect(page.get_by_role("heading", name="Welcome, Alice Harper")).to_be_visible()
    wait_for_tiles(page)

    # Cold again: the six tiles load at once and still read each thing from Brightpearl once.
    sandbox = live_server["sandbox"]
    live_server["app"].state["components"].cache.clear()
    sandbox.reset_calls()
    page.reload()
    wait_for_tiles(page)
    reads = [path for method, path, _ in sandbox.calls if method == "GET"]
    assert len(reads) == 9 and len(set(reads)) == 9, reads

    for title in ("Balance and credit", "Overdue invoices", "Open orders", "Open quotes", "Latest orders", "Latest shipments"):
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.locator("#tile-balance .tile__figure")).to_have_text(re.compile(r"^£[\d,]+\.\d\d$"))
    expect(page.locator("#tile-overdue")).to_contain_text("past due")
    expect(page.locator("#tile-latest-orders tbody tr")).to_have_count(5)
    tracking = page.locator("#tile-shipments a.tracking").first
    expect(tracking).to_have_attribute("href", re.compile(r"^https://www\.(ups|dhl|royalmail)\.com/"))
    expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)

    # A tile's links lead on: the first latest order opens its page.
    page.locator("#tile-latest-orders tbody th a").first.click()
    expect(page.get_by_role("heading", name="Items")).to_be_visible()
    assert violations == []


def test_a_slow_brightpearl_shows_loading_tiles_then_their_content(page: Page, live_server, artifacts, log_in):
    log_in(page, "bob@example.com")
    wait_for_tiles(page)
    sandbox = live_server["sandbox"]
    live_server["app"].state["components"].cache.clear()
    sandbox.knobs.latency_ms = 1500
    try:
        page.reload()
        expect(page.locator("#tile-balance .tile__loading")).to_be_visible()
        expect(page.locator("#tile-balance")).to_have_attribute("aria-busy", "true")
        page.screenshot(path=artifacts / "dashboard-loading.png", full_page=True)
        wait_for_tiles(page)
    finally:
        sandbox.knobs.latency_ms = 0


def test_without_javascript_each_placeholder_links_to_its_tile(page_without_javascript: Page, artifacts, log_in):
    page = page_without_javascript
    log_in(page, "alice@example.com")
    expect(page.locator("section.tile")).to_have_count(len(TILES))
    expect(page.locator(".tile__loading").first).to_be_hidden()
    page.screenshot(path=artifacts / "dashboard-nojs.png", full_page=True)
    page.get_by_role("link", name="See your balance and credit").click()
    expect(page).to_have_url(re.compile(r"/tiles/balance$"))
    expect(page.get_by_role("heading", level=1, name="Balance and credit")).to_be_visible()
    expect(page.locator(".tile__figure")).to_have_text(re.compile(r"^£[\d,]+\.\d\d$"))
    page.screenshot(path=artifacts / "tile-nojs.png", full_page=True)
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("link", name="See your latest shipments").click()
    expect(page.get_by_role("heading", level=1, name="Latest shipments")).to_be_visible()
    expect(page.locator("table.tile__table tbody tr").first).to_be_visible()
