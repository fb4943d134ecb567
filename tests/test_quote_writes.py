"""Quotes into orders in Brightpearl, exactly once: the write kinds `quote_acceptance` (accept in
place: a status change with a public note) and `sales_order` (a new order from the quote's
lines, then the quote marked converted), through the real outbox, its worker and the sandbox's
fault knobs."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
from litestar.testing import TestClient
from support import BASE_URL, app_rows, components, deliver_due, due_now, on_loop, portal_app

from portal.brightpearl.models import Order
from portal.brightpearl.writes import WRITES
from portal.brightpearl.writes.quote_acceptance import (
    acceptance_note,
    acceptance_payload,
    marker,
    portal_ref,
)
from portal.brightpearl.writes.sales_order import sales_order_payload
from portal.domain.order_defaults import OrderLists, resolve
from portal.domain.quote_snapshot import differences, snapshot, unchanged

ALICE = 1001
QUOTE_STATUS = 1
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NEW_ADDRESS = {
    "addressFullName": "Alice Harper", "companyName": "Harper & Lowe Interiors Ltd",
    "addressLine1": "12 Canal Wharf", "addressLine2": "", "addressLine3": "Leeds", "addressLine4": "",
    "postalCode": "LS11 5PS", "countryIsoCode": "GBR", "telephone": "0113 496 0001", "email": "alice@example.com",
}


# --------------------------------------------------------------------------- helpers
def alice_quote(sandbox) -> int:
    return min(o["id"] for o in sandbox.data.orders_for(ALICE, "SO") if o["orderStatus"]["orderStatusId"] == QUOTE_STATUS)


def read_quote(client: TestClient, quote_id: int) -> Order:
    """The quote as the checkout shows it (read through the portal's own client)."""
    raw = client.blocking_portal.call(components(client.app).client.get, f"order-service/order/{quote_id}")
    return Order.from_wire(raw[0])


def defaults(client: TestClient):
    bp = components(client.app).bp
    statuses = client.blocking_portal.call(bp.orders.statuses)
    return resolve(components(client.app).order_defaults.current(), OrderLists(statuses=statuses))


def alice_user(client: TestClient) -> int:
    return app_rows(client, "select id from users where email = 'alice@example.com'")[0]["id"]


def acceptance(client: TestClient, quote_id: int, key: str):
    quote = read_quote(client, quote_id)
    user = alice_user(client)
    note = acceptance_note(
        author="Alice Harper", po_reference="PO-7781", payment_method="On account",
        delivery_instructions="Ring the bell at the loading bay",
        changed_delivery_address=["12 Canal Wharf", "Leeds", "LS11 5PS"],
    )
    payload = acceptance_payload(
        quote=quote, ref=portal_ref(user, key), status_id=defaults(client).quote_accepted_status_id,
        note=note, author="Alice Harper",
    )
    return user, payload


def new_order(client: TestClient, quote_id: int, key: str):
    quote = read_quote(client, quote_id)
    user = alice_user(client)
    effective = defaults(client)
    payload = sales_order_payload(
        quote=quote, ref=portal_ref(user, key), customer_id=ALICE,
        status_id=effective.portal_order_status_id,
        converted_status_id=effective.quote_accepted_status_id,  # no "converted" status is set
        author="Alice Harper", delivery_address=NEW_ADDRESS, shipping_method_id=quote.shipping_method_id,
        po_reference="PO-7782", channel_id=effective.channel_id, warehouse_id=effective.warehouse_id,
        price_list_id=effective.price_list_id, lead_source_id=effective.lead_source_id, project_id=effective.project_id,
    )
    return user, payload


def submit(client: TestClient, kind: str, user: int, payload: dict, key: str):
    outbox = components(client.app).outbox
    return on_loop(
        client,
        lambda: outbox.submit(user_id=user, contact_id=ALICE, kind=kind, idem_key=key, payload=payload,
                              target_id=payload["quote_id"]),
    )


def deliver_now(client: TestClient, item):
    """Deliver `item` as the confirm page does, and wait for that attempt (or the worker's) to end."""
    client.blocking_portal.call(components(client.app).outbox.deliver_now, item, 10.0)
    return settled(client, item.id)


def settled(client: TestClient, item_id: int):
    """The item once no attempt is under way (the background worker may be making it)."""
    deadline = time.monotonic() + 10
    found = item(client, item_id)
    while found.state == "sending" and time.monotonic() < deadline:
        time.sleep(0.05)
        found = item(client, item_id)
    return found


def item(client: TestClient, item_id: int):
    return on_loop(client, components(client.app).outbox.get, item_id)


def retry_until_settled(client: TestClient, item_id: int, rounds: int = 4):
    for _ in range(rounds):
        found = settled(client, item_id)
        if found.state in ("done", "failed"):
            return found
        due_now(client)
        deliver_due(client)
    return settled(client, item_id)


def writes(sandbox) -> list[tuple[str, str]]:
    return [(method, path) for method, path, status in sandbox.calls if method in WRITE_METHODS and status < 400]


def portal_notes(sandbox, order_id: int, ref: str) -> list[dict]:
    return [n for n in sandbox.data.notes_for(order_id) if marker(ref) in n["text"]]


def status_of(sandbox, order_id: int) -> int:
    return sandbox.data.orders[order_id]["orderStatus"]["orderStatusId"]


def orders_with_ref(sandbox, ref: str) -> list[int]:
    return [order_id for order_id, meta in sandbox.data.order_meta.items() if meta.external_ref == ref]


class LoseAnswers(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox; drops the answer of the next `times` successful
    `method` requests to paths matching `pattern` after Brightpearl committed them."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.rule: tuple[str, str] | None = None
        self.times = 0

    def lose(self, method: str, pattern: str, times: int = 1) -> None:
        self.rule, self.times = (method, pattern), times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.rule and self.times and request.method == self.rule[0] and re.search(self.rule[1], request.url.path):
            if 200 <= response.status_code < 300:
                self.times -= 1
                await response.aread()
                raise httpx.ReadError("connection lost after the request was sent", request=request)
        return response


# --------------------------------------------------------------------------- accept in place
def test_the_write_kinds_are_registered():
    assert {"quote_acceptance", "sales_order"} <= set(WRITES)


def test_accept_in_place_is_one_status_change_with_one_public_note(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = acceptance(client, quote_id, "accept-1")
    sandbox.reset_calls()
    done = deliver_now(client, submit(client, "quote_acceptance", user, payload, "accept-1"))
    assert done.state == "done" and done.result["status_changed"] is True
    assert [(m, p) for m, p, _ in sandbox.calls] == [
        ("GET", f"/order-service/order/{quote_id}"),
        ("PUT", f"/order-service/order/{quote_id}/status"),
    ]
    assert status_of(sandbox, quote_id) == 19  # "Quote approved", Brightpearl's default
    [note] = portal_notes(sandbox, quote_id, payload["ref"])
    assert note["isPublic"] is True
    assert note["text"].startswith("Alice Harper (via portal): Quote accepted online.")
    for part in ("Purchase order reference: PO-7781", "Payment method: On account",
                 "Delivery instructions: Ring the bell at the loading bay",
                 "ACTION NEEDED: deliver to this address, not the one on the quote:\n12 Canal Wharf, Leeds, LS11 5PS"):
        assert part in note["text"]


def test_accept_while_brightpearl_is_down_is_delivered_once_after_it_returns(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = acceptance(client, quote_id, "accept-2")
    sandbox.knobs.outage = True
    waiting = deliver_now(client, submit(client, "quote_acceptance", user, payload, "accept-2"))
    assert waiting.progress == "waiting"
    assert status_of(sandbox, quote_id) == QUOTE_STATUS and portal_notes(sandbox, quote_id, payload["ref"]) == []
    sandbox.knobs.outage = False
    sandbox.reset_calls()
    done = retry_until_settled(client, waiting.id)
    assert done.state == "done"
    assert writes(sandbox) == [("PUT", f"/order-service/order/{quote_id}/status")]
    assert status_of(sandbox, quote_id) == 19 and len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_lost_answer_after_brightpearl_committed_is_adopted_not_repeated(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = acceptance(client, quote_id, "accept-3")
    notes_before = len(sandbox.data.notes_for(quote_id))
    sandbox.knobs.lose_responses = 1
    first = deliver_now(client, submit(client, "quote_acceptance", user, payload, "accept-3"))
    assert first.state == "pending"  # the portal could not know...
    assert status_of(sandbox, quote_id) == 19  # ...that Brightpearl did it
    sandbox.reset_calls()
    done = retry_until_settled(client, first.id)
    assert done.state == "done" and done.result["adopted"] is True
    assert writes(sandbox) == []  # the retry looked (order, notes) and wrote nothing
    assert ("GET", f"/order-service/order/{quote_id}/note", 200) in sandbox.calls
    assert len(sandbox.data.notes_for(quote_id)) == notes_before + 1


def test_three_concurrent_confirms_with_one_key_are_one_acceptance(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = acceptance(client, quote_id, "accept-4")
    outbox = components(client.app).outbox
    sandbox.reset_calls()

    async def three_confirms():
        items = [outbox.submit(user_id=user, contact_id=ALICE, kind="quote_acceptance", idem_key="accept-4",
                               payload=payload, target_id=quote_id) for _ in range(3)]
        await asyncio.gather(*(outbox.deliver_now(i) for i in items), outbox.deliver(items[0].id))
        return items

    items = client.blocking_portal.call(three_confirms)
    assert len({i.id for i in items}) == 1
    assert app_rows(client, "select count(*) as n from outbox where kind = 'quote_acceptance'")[0]["n"] == 1
    assert item(client, items[0].id).state == "done"
    assert writes(sandbox) == [("PUT", f"/order-service/order/{quote_id}/status")]
    assert len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_pending_acceptance_is_delivered_after_a_restart(settings, sandbox):
    quote_id = alice_quote(sandbox)
    with TestClient(portal_app(settings, sandbox), base_url=BASE_URL) as first:
        user, payload = acceptance(first, quote_id, "accept-5")
        sandbox.knobs.outage = True
        assert deliver_now(first, submit(first, "quote_acceptance", user, payload, "accept-5")).state == "pending"
    sandbox.knobs.outage = False
    with TestClient(portal_app(settings, sandbox), base_url=BASE_URL) as second:
        [row] = app_rows(second, "select id from outbox where kind = 'quote_acceptance'")
        assert retry_until_settled(second, row["id"]).state == "done"
    assert status_of(sandbox, quote_id) == 19 and len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_quote_changed_in_brightpearl_is_refused_and_nothing_is_written(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = acceptance(client, quote_id, "accept-6")
    # The merchant adds a line to the quote after the customer opened the checkout.
    post = components(client.app).client.post
    client.blocking_portal.call(post, f"order-service/order/{quote_id}/row", {
        "productName": "Delivery surcharge", "quantity": {"magnitude": 1},
        "rowValue": {"taxCode": "T20", "rowNet": {"value": 50}, "rowTax": {"value": 10}}})
    notes_before = len(sandbox.data.notes_for(quote_id))
    sandbox.reset_calls()
    refused = deliver_now(client, submit(client, "quote_acceptance", user, payload, "accept-6"))
    assert refused.state == "failed"
    assert refused.result["outcome"] == "quote_changed"
    assert list(refused.result["changed"]) == ["lines", "total"]
    assert refused.last_error.startswith("quote_changed:")
    assert writes(sandbox) == []
    assert status_of(sandbox, quote_id) == QUOTE_STATUS and len(sandbox.data.notes_for(quote_id)) == notes_before
    # What the page shows the customer before asking again.
    texts = [d.text for d in differences(refused.payload["fingerprint"], refused.result["seen"])]
    assert texts == ["The lines of the quote changed: it had 2 and now has 3.",
                     "The total changed from £1,392.00 to £1,452.00."]


def test_a_quote_moved_on_by_the_merchant_is_refused_as_changed(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = acceptance(client, quote_id, "accept-7")
    put = components(client.app).client.put
    client.blocking_portal.call(put, f"order-service/order/{quote_id}/status", {"orderStatusId": 5})
    refused = deliver_now(client, submit(client, "quote_acceptance", user, payload, "accept-7"))
    assert refused.state == "failed" and list(refused.result["changed"]) == ["status"]
    names = {1: "Draft / Quote", 5: "Cancelled"}
    [change] = differences(refused.payload["fingerprint"], refused.result["seen"], status_names=names)
    assert change.text == "The quote's status changed from Draft / Quote to Cancelled."
    assert status_of(sandbox, quote_id) == 5


def test_another_customers_quote_is_refused_as_gone(client, sandbox):
    bobs = min(o["id"] for o in sandbox.data.orders_for(1003, "SO"))
    user, payload = acceptance(client, bobs, "accept-8")
    sandbox.reset_calls()
    refused = deliver_now(client, submit(client, "quote_acceptance", user, payload, "accept-8"))  # as alice
    assert refused.state == "failed" and refused.result["outcome"] == "quote_gone"
    assert writes(sandbox) == []


# --------------------------------------------------------------------------- a new sales order
def test_a_new_sales_order_is_placed_once_and_the_quote_marked_converted(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = new_order(client, quote_id, "order-1")
    sandbox.reset_calls()
    done = deliver_now(client, submit(client, "sales_order", user, payload, "order-1"))
    assert done.state == "done", done.last_error
    order_id = done.result["order_id"]
    assert [(m, p) for m, p, _ in sandbox.calls] == [
        ("GET", f"/order-service/order/{quote_id}"),
        ("POST", "/order-service/sales-order"),
        ("PUT", f"/order-service/order/{quote_id}/status"),
    ]
    assert orders_with_ref(sandbox, payload["ref"]) == [order_id]
    placed = Order.from_wire(sandbox.data.orders[order_id])
    quote = Order.from_wire(sandbox.data.orders[quote_id])
    assert placed.customer_contact_id == ALICE and placed.reference == "PO-7782" and placed.status_id == 2
    assert placed.total == quote.total and len(placed.rows) == len(quote.rows)
    assert placed.delivery.line1 == "12 Canal Wharf" and placed.delivery.postal_code == "LS11 5PS"
    assert status_of(sandbox, quote_id) == 19
    [note] = portal_notes(sandbox, quote_id, payload["ref"])
    assert note["isPublic"] is True and note["text"].startswith(f"Converted to order {order_id}")
    # order-search finds the order by its externalRef (what a retry relies on).
    found = client.blocking_portal.call(components(client.app).client.search, "order-service/order-search",
                                        {"externalRef": payload["ref"]})
    assert [row["orderId"] for row in found.rows] == [order_id]


def test_a_lost_answer_to_the_order_post_is_adopted_by_search_not_posted_again(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = new_order(client, quote_id, "order-2")
    sandbox.knobs.lose_responses = 1
    first = deliver_now(client, submit(client, "sales_order", user, payload, "order-2"))
    assert first.state == "pending" and "order_id" not in first.result
    assert len(orders_with_ref(sandbox, payload["ref"])) == 1  # Brightpearl made it
    sandbox.reset_calls()
    done = retry_until_settled(client, first.id)
    assert done.state == "done" and done.result["adopted"] is True
    assert done.result["order_id"] == orders_with_ref(sandbox, payload["ref"])[0]
    assert ("GET", "/order-service/order-search", 200) in sandbox.calls
    assert writes(sandbox) == [("PUT", f"/order-service/order/{quote_id}/status")]
    assert len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_lost_answer_to_the_conversion_makes_no_second_order(settings, sandbox):
    lossy = LoseAnswers(sandbox.transport())
    with TestClient(portal_app(settings, sandbox, transport=lossy), base_url=BASE_URL) as client:
        quote_id = alice_quote(sandbox)
        user, payload = new_order(client, quote_id, "order-3")
        lossy.lose("PUT", rf"/order/{quote_id}/status$")
        first = deliver_now(client, submit(client, "sales_order", user, payload, "order-3"))
        assert first.state == "pending" and first.result["order_id"]  # step 1 was saved
        assert status_of(sandbox, quote_id) == 19  # step 2 landed; its answer did not
        sandbox.reset_calls()
        done = retry_until_settled(client, first.id)
        assert done.state == "done" and done.result["order_id"] == first.result["order_id"]
        assert writes(sandbox) == []
        assert [(m, p) for m, p, _ in sandbox.calls] == [("GET", f"/order-service/order/{quote_id}/note")]
    assert orders_with_ref(sandbox, payload["ref"]) == [first.result["order_id"]]
    assert len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_sales_order_from_a_changed_quote_is_refused_before_any_order(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = new_order(client, quote_id, "order-4")
    put = components(client.app).client.put
    client.blocking_portal.call(put, f"order-service/order/{quote_id}/status", {"orderStatusId": 19})
    sandbox.reset_calls()
    refused = deliver_now(client, submit(client, "sales_order", user, payload, "order-4"))
    assert refused.state == "failed" and refused.result["outcome"] == "quote_changed"
    assert writes(sandbox) == [] and orders_with_ref(sandbox, payload["ref"]) == []


def test_the_sales_order_payload_is_what_the_checkout_puts_in(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = new_order(client, quote_id, "order-5")
    body = payload["order"]
    assert payload["ref"] == body["externalRef"] == portal_ref(user, "order-5")
    assert payload["ref"].startswith("portal-") and portal_ref(user, "order-5") != portal_ref(user + 1, "order-5")
    assert body["customer"] == {"id": ALICE} and body["statusId"] == 2 and body["ref"] == "PO-7782"
    assert body["rows"] == [
        {"productId": 2006, "quantity": "8", "taxCode": "T20", "net": "1032", "tax": "206.4"},
        {"productId": 2019, "quantity": "2", "taxCode": "T20", "net": "128", "tax": "25.6"},
    ]
    assert body["currency"] == {"code": "GBP"} and body["priceModeCode"] == "EXC" and body["priceListId"] == 2
    assert body["delivery"]["address"]["addressLine1"] == "12 Canal Wharf"
    assert "leadSourceId" not in body and "projectId" not in body  # unset: left to Brightpearl


# --------------------------------------------------------------------------- the snapshot
def test_a_snapshot_ignores_how_brightpearl_writes_numbers_and_orders_lines(client, sandbox):
    quote = read_quote(client, alice_quote(sandbox))
    taken = snapshot(quote)
    reordered = {**taken, "lines": [{**line, "net": line["net"] + ".0000"} for line in reversed(taken["lines"])],
                 "total": "1392.00"}
    assert unchanged(taken, reordered) and unchanged(taken, quote)
    assert differences(taken, reordered) == []
    more = {**taken, "total": "1500"}
    assert [d.part for d in differences(taken, more)] == ["total"]
    assert not unchanged({"nonsense": True}, quote)


def test_a_delivered_write_makes_the_portal_forget_its_copy_of_the_quote(client, sandbox):
    quote_id = alice_quote(sandbox)
    orders = components(client.app).bp.orders
    assert client.blocking_portal.call(orders.one, quote_id).status_id == QUOTE_STATUS  # cached now
    client.blocking_portal.call(orders.index, ALICE)  # and her order list
    user, payload = new_order(client, quote_id, "order-6")
    done = deliver_now(client, submit(client, "sales_order", user, payload, "order-6"))
    assert done.state == "done"
    assert client.blocking_portal.call(orders.one, quote_id).status_id == 19
    index = client.blocking_portal.call(orders.index, ALICE)
    assert done.result["order_id"] in {row.order_id for row in index}
