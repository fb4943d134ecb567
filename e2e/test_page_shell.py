"""The page shell in Chromium: the phone menu (with and without JavaScript), the skip link as
the first tab stop, the two-ring focus indicator, focus after an htmx swap, filters that wait
for a pause, and no console errors (the favicon is there)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.sandbox.demo import ALICE_CONTACT_ID

PHONE = {"width": 390, "height": 844}


def test_the_phone_menu_opens_and_navigates_without_javascript(new_context, log_in):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    log_in(page)
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] < 80  # one row: the brand and "Menu"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    nav.get_by_role("link", name="Orders").click()
    expect(page).to_have_url(re.compile(r"/orders$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_wide_screen_the_links_are_in_the_header_row(page: Page, log_in):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Orders")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] < 80


def test_the_skip_link_is_the_first_tab_stop_and_the_focus_ring_has_two_colours(page: Page, log_in):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page)
    page.goto("/orders")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineColor, s.outlineStyle, s.boxShadow]; })()")
    # Dark inside (#1c2430: 15.6:1 on white), white outside (8.6:1 on the brand blue).
    assert ring[0] == "rgb(28, 36, 48)" and ring[1] == "solid"
    assert ring[2].startswith("rgb(255, 255, 255) 0px 0px 0px 6px")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert errors == []


def test_a_select_filter_searches_once_after_the_arrows_stop(page: Page, log_in):
    log_in(page)
    page.goto("/orders")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.headers.get("hx-request") and "/orders?" in r.url else None)
    status = page.get_by_label("Status")
    status.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(100)
    page.wait_for_timeout(1200)
    assert len(requests) == 1, requests
    expect(status).to_be_focused()  # a filter keeps its focus while the results change


def test_after_a_comment_is_posted_focus_is_on_the_comments_heading(page: Page, live_server, log_in):
    data = live_server["sandbox"].data
    order_id = next(o["id"] for o in data.orders_for(ALICE_CONTACT_ID, "SO") if data.goods_out_for(o["id"]))
    log_in(page)
    page.goto(f"/orders/{order_id}")
    page.get_by_label("Add a comment").fill("Could the next box come on a Tuesday?")
    with page.expect_response(re.compile(rf"/orders/{order_id}/comments")):
        page.get_by_role("button", name="Send comment").click()
    expect(page.locator("#comments h2")).to_be_focused()
