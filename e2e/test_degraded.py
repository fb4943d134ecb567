"""One failing Brightpearl endpoint, seen in the browser: the order page keeps its order and says
in place what it cannot show; the dashboard keeps every tile that does not need it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.sandbox.demo import ALICE_CONTACT_ID


def shipped_order(sandbox) -> int:
    orders = sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")
    return next(o["id"] for o in orders if sandbox.data.goods_out_for(o["id"]) and sandbox.data.notes_for(o["id"]))


def test_an_order_page_with_despatches_failing_keeps_the_order_and_says_so(page: Page, live_server, artifacts, log_in):
    sandbox, app = live_server["sandbox"], live_server["app"]
    order_id = shipped_order(sandbox)
    log_in(page)
    app.state["components"].cache.clear()
    sandbox.fail(r"^/warehouse-service/order/[0-9,\-]+/goods-note/goods-out", 500)
    try:
        for width, name in ((390, "phone"), (1280, "desktop")):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(f"/orders/{order_id}")
            assert response is not None and response.status == 200
            expect(page.get_by_role("heading", name=re.compile(r"^Order "))).to_be_visible()
            expect(page.get_by_role("heading", name="Items")).to_be_visible()
            note = page.locator("#shipments-title + .notice--part")
            expect(note).to_have_text("Shipments can’t be shown right now — try again in a minute.")
            expect(page.locator(".comment__text").first).to_be_visible()  # comments are still there
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(artifacts / f"order-shipments-failing-{name}.png"), full_page=True)
        page.goto("/")
        expect(page.locator("#tile-open-orders .tile__title")).to_be_visible()
        expect(page.locator("#tile-shipments .tile__failed")).to_be_visible()  # the tile that needs them
        expect(page.locator("#tile-open-orders .tile__failed")).to_have_count(0)
        expect(page.locator("#tile-latest-orders table")).to_be_visible()
    finally:
        # Three failed calls: fewer than the five that would pause despatches for the next tests.
        sandbox.clear_faults()
        app.state["components"].cache.clear()
