"""The quote checkout in Chromium, with JavaScript (htmx boosts the steps) and without (plain
forms): a new quote for Alice, accepted with a new delivery address, on account, with a PO
reference; each step at 1280 and 390 px, and the order placed once in the sandbox."""

from __future__ import annotations

import asyncio
import re

from conftest import on_server, shoot
from playwright.sync_api import Page, expect

from portal.sandbox.demo import ALICE_CONTACT_ID

ACCEPTED = 19  # the sandbox's "Quote approved"


def new_quote(live_server) -> int:
    """A quote placed today for Alice, through Brightpearl's API (as the merchant's staff would)."""
    client = live_server["app"].state["components"].client
    sandbox = live_server["sandbox"]
    product = min(sandbox.data.products)
    body = {"customer": {"id": ALICE_CONTACT_ID}, "statusId": 1, "ref": "",
            "rows": [{"productId": product, "quantity": "3", "taxCode": "T20", "net": "90.00", "tax": "18.00"},
                     {"name": "Delivery - pallet", "quantity": "1", "taxCode": "T20", "net": "45.00", "tax": "9.00"}]}
    future = asyncio.run_coroutine_threadsafe(client.post("order-service/sales-order", body), live_server["loop"])
    return int(future.result(timeout=30))


def check_out(page: Page, quote_id: int, name: str) -> None:
    """From the quote page to the confirmation: a new address, on account, a PO reference."""
    page.goto(f"/quotes/{quote_id}")
    page.get_by_role("link", name="Accept and check out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Accept quote {quote_id}")
    expect(page.get_by_role("navigation", name="Checkout steps")).to_contain_text("1. Review")
    shoot(page, f"{name}-review")
    page.get_by_role("button", name="Continue to delivery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where should we deliver?")
    page.get_by_label("A new address").check()
    page.get_by_role("button", name="Continue to payment").click()  # nothing typed yet
    expect(page.get_by_text("Enter the first line of the address.").first).to_be_visible()
    page.get_by_label("Address line 1").fill("Unit 4, Canal Wharf")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS11 5PS")
    shoot(page, f"{name}-delivery")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How will you pay?")
    expect(page.get_by_label(re.compile("On account"))).to_be_checked()
    page.get_by_label("Your purchase order reference (optional)").fill("PO-2290")
    page.get_by_label("Delivery instructions (optional)").fill("Goods in at the rear, 8–4.")
    shoot(page, f"{name}-payment")
    page.get_by_role("button", name="Continue to confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your order")
    expect(page.locator(".checkout-summary")).to_contain_text("Unit 4, Canal Wharf")
    shoot(page, f"{name}-confirm")
    page.get_by_role("button", name="Confirm and place the order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator("#checkout-state")).to_contain_text(re.compile("Your order is placed|Placed, waiting"))
    expect(page.locator("#checkout-state")).to_contain_text("Your order is placed", timeout=15000)
    shoot(page, f"{name}-done")


def placed_once(live_server, quote_id: int) -> None:
    sandbox = live_server["sandbox"]
    assert sandbox.data.orders[quote_id]["orderStatus"]["orderStatusId"] == ACCEPTED
    notes = [n for n in sandbox.data.notes_for(quote_id) if "[portal ref portal-" in n["text"]]
    assert len(notes) == 1 and "PO-2290" in notes[0]["text"] and "Unit 4, Canal Wharf" in notes[0]["text"]
    rows = on_server(live_server, lambda: list(live_server["app"].state["components"].db.query(
        "select count(*) as n from outbox where kind = 'quote_acceptance' and target_id = ?", [quote_id])))
    assert rows[0]["n"] == 1


def test_a_quote_checked_out_with_javascript(page: Page, log_in, live_server):
    quote_id = new_quote(live_server)
    log_in(page)
    check_out(page, quote_id, "checkout-js")
    placed_once(live_server, quote_id)
    # Back on the quote's checkout: the order, not a second checkout.
    page.goto(f"/quotes/{quote_id}/checkout")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def test_a_quote_checked_out_without_javascript(page_without_javascript: Page, log_in, live_server):
    quote_id = new_quote(live_server)
    log_in(page_without_javascript)
    check_out(page_without_javascript, quote_id, "checkout-nojs")
    placed_once(live_server, quote_id)


# --- steps for the accessibility table (e2e/test_accessibility.py) ------------------------------
def checkout_review(page: Page, live_server) -> str:
    """The first step of the checkout of a new quote of Alice's."""
    return f"/quotes/{new_quote(live_server)}/checkout"


def checkout_delivery(page: Page, live_server) -> str:
    page.goto(checkout_review(page, live_server))
    page.get_by_role("button", name="Continue to delivery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where should we deliver?")
    return page.url


def checkout_delivery_errors(page: Page) -> None:
    page.get_by_label("A new address").check()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_text("Enter the first line of the address.").first).to_be_visible()


def checkout_payment(page: Page, live_server) -> str:
    page.goto(checkout_delivery(page, live_server))
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How will you pay?")
    return page.url


def checkout_confirm(page: Page, live_server) -> str:
    page.goto(checkout_payment(page, live_server))
    page.get_by_role("button", name="Continue to confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your order")
    return page.url


def checkout_done(page: Page, live_server) -> str:
    page.goto(checkout_confirm(page, live_server))
    page.get_by_role("button", name="Confirm and place the order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    return page.url
