"""The quote checkout through its pages, as a customer's browser without JavaScript sends it:
review, delivery, payment, confirm and the confirmation page; placed in Brightpearl exactly once
(accept in place, or a new sales order), with the sandbox's fault knobs for outages, lost
answers, restarts and a quote changed in between."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    calls_for,
    components,
    csrf_token,
    deliver_due,
    due_now,
    on_loop,
    portal_app,
    switch_to,
)

from portal.brightpearl.writes.quote_acceptance import marker, portal_ref
from portal.core.order_defaults import NEW_ORDER, OrderDefaults
from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID
from portal.sandbox.reference import SHIPPING_METHODS

QUOTE_STATUS = 1
ACCEPTED = 19  # the sandbox's "Quote approved"
NEW_ADDRESS = {"address": "new", "line1": "12 Canal Wharf", "town": "Leeds", "postcode": "LS11 5PS", "country": "GBR"}
KEY = re.compile(r'name="idem_key" value="([^"]+)"')


def open_quote(sandbox, contact_id: int = ALICE_CONTACT_ID) -> int:
    """The newest quote of the contact (the demo's newest quotes still stand)."""
    return max(o["id"] for o in sandbox.data.orders_for(contact_id, "SO") if o["orderStatus"]["orderStatusId"] == QUOTE_STATUS)


def expired_quote(sandbox) -> int:
    return min(o["id"] for o in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO") if o["orderStatus"]["orderStatusId"] == QUOTE_STATUS)


def status_of(sandbox, order_id: int) -> int:
    return sandbox.data.orders[order_id]["orderStatus"]["orderStatusId"]


def form(client: TestClient, **fields) -> dict:
    return {"_csrf_token": csrf_token(client), **fields}


def post(client: TestClient, url: str, **fields) -> httpx.Response:
    return client.post(url, data=form(client, **fields), follow_redirects=False)


def begin(client: TestClient, quote_id: int) -> str:
    """Review the quote and continue: the checkout's base URL (/checkout/N)."""
    review = client.get(f"/quotes/{quote_id}/checkout")
    assert review.status_code == 200, review.text
    response = post(client, f"/quotes/{quote_id}/checkout", idem_key=KEY.search(review.text).group(1))
    assert response.status_code == 303
    return response.headers["location"].removesuffix("/delivery")


def through_payment(client: TestClient, quote_id: int, *, address=None, payment="ON_ACCOUNT") -> str:
    base = begin(client, quote_id)
    chosen = post(client, f"{base}/delivery", **(address or {"address": "quote"}))
    assert chosen.status_code == 303, chosen.text
    paid = post(client, f"{base}/payment", payment=payment, po_reference="PO-7781",
                instructions="Ring the bell at the loading bay")
    assert paid.status_code == 303 and paid.headers["location"] == f"{base}/confirm", paid.text
    return base


def confirm(client: TestClient, base: str) -> httpx.Response:
    page = client.get(f"{base}/confirm")
    assert page.status_code == 200, page.text
    return post(client, f"{base}/confirm", idem_key=KEY.search(page.text).group(1))


def items(client: TestClient, kind: str | None = None) -> list[dict]:
    sql = "select * from outbox where kind in ('quote_acceptance', 'sales_order') order by id"
    rows = app_rows(client, sql)
    return [r for r in rows if kind is None or r["kind"] == kind]


def portal_notes(sandbox, order_id: int) -> list[dict]:
    return [n for n in sandbox.data.notes_for(order_id) if "[portal ref portal-" in n["text"]]


def mails(client: TestClient) -> list[dict]:
    return [json.loads(r["payload"]) for r in app_rows(client, "select payload from outbox where kind = 'mail' order by id")]


def settle(client: TestClient, rounds: int = 4) -> None:
    for _ in range(rounds):
        due_now(client)
        deliver_due(client)


def save_defaults(client: TestClient, **values) -> None:
    on_loop(client, components(client.app).order_defaults.save, OrderDefaults(**values))


# --------------------------------------------------------------------------- the happy paths
def test_accepting_in_place_changes_the_status_once_with_a_note_and_mails_both(alice, sandbox):
    save_defaults(alice, notification_email="orders@example.com")
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id, address=NEW_ADDRESS)
    placed = confirm(alice, base)
    assert placed.status_code == 303 and placed.headers["location"] == base
    done = alice.get(base)
    assert done.status_code == 200
    assert "Your order is placed." in done.text and f"Quote {quote_id} is accepted" in done.text
    assert status_of(sandbox, quote_id) == ACCEPTED
    [note] = portal_notes(sandbox, quote_id)
    assert note["isPublic"] is True
    for part in ("Quote accepted online.", "Purchase order reference: PO-7781", "Payment method: On account",
                 "Delivery instructions: Ring the bell at the loading bay",
                 "ACTION NEEDED: deliver to this address, not the one on the quote:", "12 Canal Wharf, Leeds, LS11 5PS"):
        assert part in note["text"]
    # The new address went into the address book as well (the address page's write).
    assert any(a.get("addressLine1") == "12 Canal Wharf" for a in sandbox.data.addresses.values())
    sent = {m["to"]: m for m in mails(alice)}
    assert set(sent) == {"alice@example.com", "orders@example.com"}
    assert f"Quote {quote_id} accepted" in sent["alice@example.com"]["subject"]
    assert "PO-7781" in sent["alice@example.com"]["text"] and "12 Canal Wharf" in sent["orders@example.com"]["text"]
    assert "NOT the quote's address" in sent["orders@example.com"]["text"]
    [audit] = app_rows(alice, "select * from audit where action = 'quote.checkout_confirmed'")
    assert audit["actor_email"] == "alice@example.com" and audit["target"] == f"order:{quote_id}"


def test_a_new_sales_order_is_placed_with_the_chosen_address_and_the_quote_converted(alice, sandbox):
    save_defaults(alice, quote_placement=NEW_ORDER)
    quote_id = open_quote(sandbox)
    orders_before = set(sandbox.data.orders)
    base = through_payment(alice, quote_id, address=NEW_ADDRESS)
    assert "We place an order from this quote" in alice.get(f"{base}/confirm").text
    assert confirm(alice, base).status_code == 303
    [new_id] = set(sandbox.data.orders) - orders_before
    order = sandbox.data.orders[new_id]
    assert order["parties"]["customer"]["contactId"] == ALICE_CONTACT_ID
    assert order["reference"] == "PO-7781"
    assert order["parties"]["delivery"]["addressLine1"] == "12 Canal Wharf"
    [item] = items(alice, "sales_order")
    draft_key = app_rows(alice, "select idem_key, user_id from checkouts")[0]
    assert sandbox.data.order_meta[new_id].external_ref == portal_ref(draft_key["user_id"], draft_key["idem_key"])
    assert any("Payment method: On account" in n["text"] for n in sandbox.data.notes_for(new_id))
    assert any(f"Converted to order {new_id}" in n["text"] for n in sandbox.data.notes_for(quote_id))
    assert status_of(sandbox, quote_id) == ACCEPTED  # no "converted" status: the accepted one
    done = alice.get(base)
    assert f'href="/orders/{new_id}"' in done.text and f"order {new_id}" in done.text
    assert json.loads(item["result"])["order_id"] == new_id


# --------------------------------------------------------------------------- exactly once
def test_a_double_click_and_a_refresh_place_one_order(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id)
    page = alice.get(f"{base}/confirm")
    key = KEY.search(page.text).group(1)
    first = post(alice, f"{base}/confirm", idem_key=key)
    again = post(alice, f"{base}/confirm", idem_key=key)
    assert first.status_code == again.status_code == 303 and again.headers["location"] == base
    assert alice.get(f"{base}/confirm", follow_redirects=False).headers["location"] == base
    assert len(items(alice)) == 1 and len(portal_notes(sandbox, quote_id)) == 1


def test_two_tabs_checking_out_one_quote_place_it_once(alice, sandbox):
    quote_id = open_quote(sandbox)
    one = through_payment(alice, quote_id)
    two = through_payment(alice, quote_id)
    assert one != two
    page_two = alice.get(f"{two}/confirm")
    assert confirm(alice, one).status_code == 303
    second = post(alice, f"{two}/confirm", idem_key=KEY.search(page_two.text).group(1))
    assert second.status_code == 303 and second.headers["location"] == one  # shown the first one
    assert len(items(alice)) == 1 and len(portal_notes(sandbox, quote_id)) == 1
    # Opening the checkout again leads to the order, not to a second checkout.
    assert alice.get(f"/quotes/{quote_id}/checkout", follow_redirects=False).headers["location"] == one


def test_three_concurrent_confirms_with_one_key_are_one_acceptance(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id)
    fields = form(alice, idem_key=KEY.search(alice.get(f"{base}/confirm").text).group(1))

    async def three():
        transport = httpx.ASGITransport(app=alice.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, cookies=alice.cookies) as browser:
            return await asyncio.gather(*(browser.post(f"{base}/confirm", data=fields) for _ in range(3)))

    answers = alice.blocking_portal.call(three)
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert len(items(alice)) == 1
    settle(alice)
    assert status_of(sandbox, quote_id) == ACCEPTED and len(portal_notes(sandbox, quote_id)) == 1


def test_an_outage_at_confirm_is_placed_once_after_brightpearl_returns(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id)
    page = alice.get(f"{base}/confirm")
    sandbox.knobs.outage = True
    placed = post(alice, f"{base}/confirm", idem_key=KEY.search(page.text).group(1))
    assert placed.status_code == 303
    waiting = alice.get(base)
    assert waiting.status_code == 200 and "Placed, waiting for our system." in waiting.text
    assert 'hx-trigger="every' in waiting.text  # the state refreshes itself
    assert status_of(sandbox, quote_id) == QUOTE_STATUS and mails(alice) == []
    sandbox.knobs.outage = False
    settle(alice)
    assert "Your order is placed." in alice.get(base).text
    assert status_of(sandbox, quote_id) == ACCEPTED and len(portal_notes(sandbox, quote_id)) == 1
    assert [m["to"] for m in mails(alice)] == ["alice@example.com"]


def test_a_lost_answer_after_brightpearl_committed_writes_nothing_twice(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id)
    page = alice.get(f"{base}/confirm")
    sandbox.knobs.lose_responses = 1
    assert post(alice, f"{base}/confirm", idem_key=KEY.search(page.text).group(1)).status_code == 303
    assert status_of(sandbox, quote_id) == ACCEPTED  # Brightpearl did it; the portal does not know yet
    settle(alice)
    [item] = items(alice)
    assert item["state"] == "done" and json.loads(item["result"])["adopted"] is True
    assert len(portal_notes(sandbox, quote_id)) == 1


def test_a_pending_order_is_placed_after_a_restart(settings, sandbox):
    quote_id = open_quote(sandbox)
    with TestClient(portal_app(settings, sandbox), base_url=BASE_URL) as first:
        switch_to(first, "alice@example.com")
        base = through_payment(first, quote_id)
        page = first.get(f"{base}/confirm")
        sandbox.knobs.outage = True
        assert post(first, f"{base}/confirm", idem_key=KEY.search(page.text).group(1)).status_code == 303
    sandbox.knobs.outage = False
    with TestClient(portal_app(settings, sandbox), base_url=BASE_URL) as second:
        switch_to(second, "alice@example.com")
        settle(second)
        assert "Your order is placed." in second.get(base).text
    assert status_of(sandbox, quote_id) == ACCEPTED and len(portal_notes(sandbox, quote_id)) == 1


def _add_line(client: TestClient, quote_id: int) -> None:
    """The merchant adds a line to the quote in Brightpearl."""
    call = components(client.app).client.post
    client.blocking_portal.call(call, f"order-service/order/{quote_id}/row", {
        "productName": "Delivery surcharge", "quantity": {"magnitude": 1},
        "rowValue": {"taxCode": "T20", "rowNet": {"value": 50}, "rowTax": {"value": 10}}})


def test_a_quote_changed_before_confirming_is_shown_and_confirmed_again(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id)
    page = alice.get(f"{base}/confirm")
    _add_line(alice, quote_id)
    asked = post(alice, f"{base}/confirm", idem_key=KEY.search(page.text).group(1))
    assert asked.status_code == 409
    assert "The quote changed since you reviewed it." in asked.text and "now has" in asked.text
    assert "Delivery surcharge" in asked.text and items(alice) == []
    again = post(alice, f"{base}/confirm", idem_key=KEY.search(asked.text).group(1))
    assert again.status_code == 303 and len(items(alice)) == 1
    assert status_of(sandbox, quote_id) == ACCEPTED


def test_a_quote_changed_while_the_order_waited_is_refused_and_asked_again(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = through_payment(alice, quote_id)
    page = alice.get(f"{base}/confirm")
    sandbox.knobs.outage = True
    post(alice, f"{base}/confirm", idem_key=KEY.search(page.text).group(1))
    sandbox.knobs.outage = False
    _add_line(alice, quote_id)
    settle(alice)
    shown = alice.get(base)
    assert "The quote changed before we could place your order." in shown.text and "now has" in shown.text
    assert status_of(sandbox, quote_id) == QUOTE_STATUS and portal_notes(sandbox, quote_id) == []
    review = post(alice, f"{base}/again")
    assert review.status_code == 303 and review.headers["location"] == f"{base}/confirm"
    assert items(alice)[0]["state"] == "abandoned"
    placed = confirm(alice, base)
    assert placed.status_code == 303
    assert [i["state"] for i in items(alice)] == ["abandoned", "done"]
    assert status_of(sandbox, quote_id) == ACCEPTED and len(portal_notes(sandbox, quote_id)) == 1


# --------------------------------------------------------------------------- choices and bad input
def test_bad_input_is_refused_beside_the_field_and_changes_nothing(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = begin(alice, quote_id)
    nothing = post(alice, f"{base}/delivery")
    assert nothing.status_code == 400 and "Choose where we should deliver the order." in nothing.text
    half = post(alice, f"{base}/delivery", address="new", line1="12 Canal Wharf", country="GBR")
    assert half.status_code == 400 and "Enter the town or city." in half.text and 'aria-invalid="true"' in half.text
    assert alice.get(f"{base}/payment", follow_redirects=False).headers["location"] == f"{base}/delivery"
    assert post(alice, f"{base}/delivery", address="quote").status_code == 303
    long_ref = post(alice, f"{base}/payment", payment="ON_ACCOUNT", po_reference="P" * 51)
    assert long_ref.status_code == 400 and "Use at most 50 characters" in long_ref.text
    made_up = post(alice, f"{base}/payment", payment="BITCOIN")
    assert made_up.status_code == 400 and "Choose how you will pay." in made_up.text
    assert alice.get(f"{base}/confirm", follow_redirects=False).headers["location"] == f"{base}/payment"
    stale = post(alice, f"{base}/confirm", idem_key="not-the-key-of-this")
    assert stale.status_code == 303 and stale.headers["location"] == f"{base}/payment"
    assert items(alice) == [] and status_of(sandbox, quote_id) == QUOTE_STATUS


def test_on_account_is_refused_when_the_credit_left_does_not_cover_the_quote(alice, sandbox):
    quote_id = open_quote(sandbox)
    sandbox.data.contacts[ALICE_CONTACT_ID]["financialDetails"]["creditLimit"] = 10
    save_defaults(alice, payment_method_codes=("BACS", "CHEQUE"))  # the sandbox's cheque is inactive
    base = begin(alice, quote_id)
    post(alice, f"{base}/delivery", address="quote")
    page = alice.get(f"{base}/payment")
    assert re.search(r'value="ON_ACCOUNT"[^>]*disabled', page.text)
    assert "does not cover this order" in page.text
    assert 'value="BACS"' in page.text and 'value="CHEQUE"' not in page.text
    refused = post(alice, f"{base}/payment", payment="ON_ACCOUNT")
    assert refused.status_code == 400 and "does not cover this order" in refused.text
    assert post(alice, f"{base}/payment", payment="BACS").status_code == 303
    assert "BACS" in alice.get(f"{base}/confirm").text


def test_a_shipping_choice_is_offered_only_where_the_merchant_allows_one(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = begin(alice, quote_id)
    assert 'name="shipping_method_id"' not in alice.get(f"{base}/delivery").text
    methods = sorted(m.id for m in SHIPPING_METHODS)
    save_defaults(alice, shipping_method_ids=tuple(methods[:2]))
    page = alice.get(f"{base}/delivery")
    assert page.text.count('name="shipping_method_id"') == 2
    refused = post(alice, f"{base}/delivery", address="quote", shipping_method_id="999")
    assert refused.status_code == 400 and "Choose a delivery method." in refused.text
    assert post(alice, f"{base}/delivery", address="quote", shipping_method_id=str(methods[1])).status_code == 303


# --------------------------------------------------------------------------- who may see what
def test_another_customers_checkout_and_quote_are_404_like_missing_ones(client, sandbox):
    switch_to(client, "alice@example.com")
    base = begin(client, open_quote(sandbox))
    missing = client.get("/checkout/999999/delivery")
    client.cookies.clear()
    switch_to(client, "bob@example.com")
    theirs = client.get(f"{base}/delivery")
    assert theirs.status_code == missing.status_code == 404
    assert client.get(f"/quotes/{open_quote(sandbox)}/checkout").status_code == 404
    bobs_own = [o["id"] for o in sandbox.data.orders_for(BOB_CONTACT_ID, "SO")]
    assert bobs_own  # bob's pages work; only alice's are hidden from him
    assert post(client, f"{base}/confirm", idem_key="x" * 22).status_code == 404


def test_an_expired_quote_cannot_be_checked_out(alice, sandbox):
    closed = alice.get(f"/quotes/{expired_quote(sandbox)}/checkout")
    assert closed.status_code == 409 and "can no longer be accepted" in closed.text
    assert "Its last day has passed." in closed.text


def test_a_declined_quote_cannot_be_checked_out_even_from_a_checkout_begun_before(alice, sandbox):
    quote_id = open_quote(sandbox)
    base = begin(alice, quote_id)
    page = alice.get(f"/quotes/{quote_id}")
    key = re.search(r'action="/quotes/\d+/decline".*?name="idem_key" value="([^"]+)"', page.text, re.S).group(1)
    assert post(alice, f"/quotes/{quote_id}/decline", reason="Too dear", idem_key=key).status_code == 303
    assert "Accept and check out" not in alice.get(f"/quotes/{quote_id}").text
    for url in (f"/quotes/{quote_id}/checkout", f"{base}/delivery"):
        closed = alice.get(url)
        assert closed.status_code == 409 and "You declined this quote." in closed.text
    assert post(alice, f"{base}/delivery", address="quote").status_code == 409
    assert items(alice) == []


@pytest.mark.parametrize("feature", ["checkout", "quotes"])
def test_the_checkout_is_gone_with_its_features(alice, sandbox, feature):
    on_loop(alice, components(alice.app).features.save, {feature: False})
    assert alice.get(f"/quotes/{open_quote(sandbox)}/checkout").status_code == 404


# --------------------------------------------------------------------------- Brightpearl calls
def test_each_step_costs_few_brightpearl_calls_cold_and_none_warm(alice, sandbox):
    quote_id = open_quote(sandbox)
    review = f"/quotes/{quote_id}/checkout"
    assert len(calls_for(alice, sandbox, review, cold=True)) <= 2
    assert calls_for(alice, sandbox, review) == []
    base = begin(alice, quote_id)
    assert len(calls_for(alice, sandbox, f"{base}/delivery", cold=True)) <= 4
    assert calls_for(alice, sandbox, f"{base}/delivery") == []
    post(alice, f"{base}/delivery", address="quote")
    assert len(calls_for(alice, sandbox, f"{base}/payment", cold=True)) <= 6
    assert calls_for(alice, sandbox, f"{base}/payment") == []
    post(alice, f"{base}/payment", payment="ON_ACCOUNT")
    assert len(calls_for(alice, sandbox, f"{base}/confirm", cold=True)) <= 6
    assert calls_for(alice, sandbox, f"{base}/confirm") == []


def test_the_quote_page_leads_to_the_checkout(alice, sandbox):
    quote_id = open_quote(sandbox)
    page = alice.get(f"/quotes/{quote_id}")
    assert f'href="/quotes/{quote_id}/checkout"' in page.text and "Accept and check out" in page.text
    assert marker("x") == "[portal ref x]"
