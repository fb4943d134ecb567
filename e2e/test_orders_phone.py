"""The order history, order pages and dashboard in Chromium at 390 px (a phone) and 1280 px:
nothing scrolls sideways, and the cards keep reference, date, status and total in view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

ALICE = 1001
TILES = ["balance", "overdue", "open-orders", "quotes", "latest-orders", "shipments"]


def orders(live_server, predicate) -> int:
    sandbox = live_server["sandbox"]
    return next(o["id"] for o in sandbox.data.orders_for(ALICE, "SO") if predicate(sandbox, o))


def shipped_with_tracking(sandbox, order) -> bool:
    notes = sandbox.data.goods_out_for(order["id"]).values()
    return order["shippingStatusCode"] == "ASS" and any(n["shipping"]["reference"] for n in notes)


def part_shipped(sandbox, order) -> bool:
    return order["shippingStatusCode"] == "SPS" and bool(sandbox.data.goods_out_for(order["id"]))


def cancelled(sandbox, order) -> bool:
    return order["orderStatus"]["name"] == "Cancelled"


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def in_view(page: Page, locator, width: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5 and box["width"] > 0


@pytest.mark.parametrize("width", [390, 1280])
def test_order_pages_and_dashboard_fit_the_screen(page: Page, live_server, artifacts, log_in, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page)
    for name in TILES:
        expect(page.locator(f"#tile-{name}")).to_have_class(re.compile(r"\btile--ready\b"), timeout=15000)
    assert page_width(page) <= width, "dashboard"
    page.screenshot(path=artifacts / f"orders-dashboard-{width}.png", full_page=True)

    page.goto("/orders")
    first = page.locator("table.orders tbody tr").first
    for cell in ("th a", ".cell-placed time", ".cell-status .status", ".cell-total"):
        expect(first.locator(cell)).to_be_visible()
        assert in_view(page, first.locator(cell), width), cell
    assert page_width(page) <= width, "history"
    page.screenshot(path=artifacts / f"orders-history-{width}.png", full_page=True)

    cases = {
        "shipped": orders(live_server, shipped_with_tracking),
        "part-shipped": orders(live_server, part_shipped),
        "cancelled": orders(live_server, cancelled),
    }
    for name, order_id in cases.items():
        page.goto(f"/orders/{order_id}")
        expect(page.get_by_role("heading", name="Items")).to_be_visible()
        assert page_width(page) <= width, name
        total = page.locator(".order-rows .grand-total td")
        assert in_view(page, total, width), name
        page.screenshot(path=artifacts / f"orders-{name}-{width}.png", full_page=True)
    page.goto(f"/orders/{cases['part-shipped']}")
    expect(page.locator(".shipment").first).to_contain_text("×")
    expect(page.locator(".shipments-summary")).to_contain_text("still to come")


def test_a_comment_sent_with_htmx_moves_focus_to_the_thread(page: Page, live_server, log_in):
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page)
    page.goto(f"/orders/{orders(live_server, part_shipped)}")
    page.get_by_label("Add a comment").fill("Could the rest come before Friday?")
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator("#comments .comment__text").last).to_have_text("Could the rest come before Friday?")
    expect(page.locator("#comments-title")).to_be_focused()


def test_arrowing_through_the_status_filter_searches_once_after_a_pause(page: Page, log_in):
    log_in(page)
    page.goto("/orders")
    searches: list[str] = []
    page.on("request", lambda request: searches.append(request.url) if "/orders?" in request.url else None)
    page.locator("#status").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(120)
    page.wait_for_timeout(1500)
    assert len(searches) == 1, searches
    expect(page.locator("#orders-results table.orders tbody tr").first).to_be_visible()
