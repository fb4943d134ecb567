"""What each shipment carried and what is still to come, as the order page and the dashboard
show it; status colours by the order's state; no raw ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from support.brightpearl import load_example

from portal.brightpearl.models import GoodsOutNote, Order, OrderRow, OrderStatus
from portal.domain.order_states import OrderState, order_state
from portal.domain.shipments import deliveries

ALICE = 1001
HTMX = {"HX-Request": "true"}


def example_note() -> GoodsOutNote:
    (key, wire), = load_example("goods-out-note-get")["response"]["body"]["response"].items()
    return GoodsOutNote.from_wire(wire, note_id=key)


def order_with_rows(status_name: str = "New web order") -> Order:
    """The order of the example note: rows 90211 (5 of product 3305), 90212 (6 of 3410) and a
    free-text delivery charge."""
    return Order(
        id=51234,
        status_name=status_name,
        rows=(
            OrderRow(row_id=90211, product_id=3305, sku="BOLT-M8", name="Bolt M8", quantity=Decimal(5)),
            OrderRow(row_id=90212, product_id=3410, sku="NUT-M8", name="Nut M8", quantity=Decimal(6)),
            OrderRow(row_id=90213, product_id=0, name="Delivery", quantity=Decimal(1)),
        ),
    )


def second_note(**changes) -> GoodsOutNote:
    """A note being prepared with 2 more bolts, created after the example note shipped."""
    fields = {"id": 70990, "order_id": 51234, "created_on": datetime(2024, 5, 20, tzinfo=UTC),
              "rows": {90211: Decimal(2)}, "products": {90211: 3305}}
    return GoodsOutNote(**(fields | changes))


# --- the note's rows ----------------------------------------------------------------------------
def test_a_note_names_the_product_of_each_order_row_it_carries():
    note = example_note()
    assert note.rows == {90211: Decimal(3), 90212: Decimal(6)}
    assert note.products == {90211: 3305, 90212: 3410}


def test_a_note_without_product_ids_still_reads():
    note = GoodsOutNote.from_wire({"orderRows": {"5": [{"quantity": 2}, {"productId": "7", "quantity": 1}], "6": {}}}, note_id=1)
    assert note.rows == {5: Decimal(3), 6: Decimal(0)}
    assert note.products == {5: 7, 6: 0}


# --- per shipment and per line --------------------------------------------------------------------
def test_each_shipment_lists_what_it_carried_and_each_line_what_is_shipped_and_to_come():
    result = deliveries(order_with_rows(), [second_note(), example_note()])
    first, second = result.shipments
    assert (first.title, first.state, first.note.id) == ("Shipment 1 of 2", "Shipped", 70551)
    assert [(i.name, i.sku, i.quantity) for i in first.items] == [("Bolt M8", "BOLT-M8", 3), ("Nut M8", "NUT-M8", 6)]
    assert (second.title, second.state) == ("Shipment 2 of 2", "Being prepared")
    assert [(i.name, i.quantity) for i in second.items] == [("Bolt M8", 2)]
    bolts, nuts, charge = (result.of(row) for row in order_with_rows().rows)
    assert (bolts.shipped, bolts.preparing, bolts.to_come) == (3, 2, 2)
    assert (nuts.shipped, nuts.to_come) == (6, 0)
    assert not charge.tracked and charge.to_come == 0
    assert result.summary == "9 items shipped, 2 items still to come."


def test_a_single_shipment_is_not_numbered_and_a_full_delivery_says_so():
    order = Order(id=1, rows=(OrderRow(row_id=90211, product_id=3305, name="Bolt M8", quantity=Decimal(3)),
                              OrderRow(row_id=90212, product_id=3410, name="Nut M8", quantity=Decimal(6))))
    result = deliveries(order, [example_note()])
    assert [s.title for s in result.shipments] == ["Shipment"]
    assert result.summary == "Everything has been shipped (9 items)."


def test_a_row_id_the_order_lacks_is_matched_by_product_and_an_unknown_row_still_shows():
    note = second_note(shipped=True, rows={555: Decimal(4), 777: Decimal(1)}, products={555: 3410, 777: 9999})
    result = deliveries(order_with_rows(), [note])
    assert [(i.name, i.quantity) for i in result.shipments[0].items] == [("Nut M8", 4), ("", 1)]
    nuts = result.of(order_with_rows().rows[1])
    assert (nuts.shipped, nuts.to_come) == (4, 2)


def test_nothing_is_to_come_on_a_cancelled_order():
    result = deliveries(order_with_rows("Cancelled"), [], cancelled=True)
    assert result.shipments == ()
    assert all(result.of(row).to_come == 0 for row in order_with_rows().rows)
    assert result.summary == ""
    part = deliveries(order_with_rows("Cancelled"), [example_note()], cancelled=True)
    assert part.summary == "Order cancelled: 9 items shipped, nothing more to come."


# --- state colours ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "shipping", "status", "state"),
    [
        ("Draft / Quote", "SNS", None, OrderState.QUOTE),
        ("Quote approved", "SNS", None, OrderState.RECEIVED),
        ("Quote approved", "SNS", OrderStatus(id=19, name="Quote approved"), OrderState.RECEIVED),
        ("Our quotes", "SNS", OrderStatus(id=1, name="Our quotes", state="DRAFT"), OrderState.QUOTE),
        ("New web order", "SNS", None, OrderState.RECEIVED),
        ("New phone order", "SPS", None, OrderState.PROGRESS),
        ("Ready", "ASS", None, OrderState.SHIPPED),
        ("Invoiced", "ASS", None, OrderState.DONE),
        ("Completed", "SPS", None, OrderState.DONE),
        ("Cancelled", "SNS", None, OrderState.CANCELLED),
        ("Invoiced, then cancelled", "ASS", None, OrderState.CANCELLED),
    ],
)
def test_the_state_of_an_order_follows_its_status_and_shipping(name, shipping, status, state):
    assert order_state(Order(status_name=name, shipping_status_code=shipping), status) is state


# --- the pages ----------------------------------------------------------------------------------
def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _alices(sandbox, predicate) -> dict:
    return next(o for o in sandbox.data.orders_for(ALICE, "SO") if predicate(o))


def test_a_part_shipped_order_says_what_was_shipped_and_what_is_to_come(alice, sandbox):
    order = _alices(sandbox, lambda o: o["shippingStatusCode"] == "SPS" and sandbox.data.goods_out_for(o["id"]))
    notes = sandbox.data.goods_out_for(order["id"])
    page = alice.get(f"/orders/{order['id']}").text
    text = _text(page)
    for note_id, note in notes.items():
        assert f"#{note_id}" not in page and f">{note_id}<" not in page
        for row_id, entries in note["orderRows"].items():
            row = order["orderRows"][row_id]
            quantity = sum(Decimal(str(e["quantity"])) for e in entries)
            assert f"{quantity.normalize():f} × {row['productName']}" in text
    assert "still to come" in text and "To come" in text
    assert "Nothing has been shipped yet" not in text
    assert 'class="status status--large status--progress"' in page or 'status--done' in page


def test_a_cancelled_order_says_there_is_nothing_to_ship(alice, sandbox):
    order = _alices(sandbox, lambda o: o["orderStatus"]["name"] == "Cancelled")
    text = _text(page := alice.get(f"/orders/{order['id']}").text)
    assert "Nothing has been shipped yet" not in text
    assert "This order is cancelled: there is nothing to ship." in text
    assert "None, cancelled" in text  # per line: nothing to come
    assert "status--cancelled" in page


def test_no_raw_ids_after_references_in_the_history_and_tiles(alice, sandbox):
    history = alice.get("/orders").text
    assert not re.search(r"#\d{4,}", history)
    # Where the reference is the customer's own, the order number follows it, labelled.
    assert re.search(r'</a>\s*<span class="muted small">Order \d+</span>', history)
    for name in ("latest-orders", "shipments"):
        assert not re.search(r"#\d{4,}", alice.get(f"/tiles/{name}", headers=HTMX).text), name


def test_history_pills_are_coloured_by_state_and_show_the_customers_label(alice, sandbox):
    history = alice.get("/orders").text + alice.get("/orders?page=2").text
    pills = re.findall(r'<span class="status status--([a-z]+)">([^<]+)</span>', history)
    by_state = {}
    for state, name in pills:
        by_state.setdefault(state, set()).add(name)
    # The customer's labels (portal.domain.status_labels), not Brightpearl's "Invoiced" or "Draft / Quote".
    assert by_state.get("done") == {"Completed"}
    assert by_state.get("quote") == {"Quote"}
    assert set(by_state) <= {s.value for s in OrderState}


def test_overdue_invoices_open_the_invoice_not_the_order(alice, sandbox):
    html = alice.get("/tiles/overdue", headers=HTMX).text
    linked = re.findall(r'<li class="tile__entry">\s*<span class="tile__row"><a href="([^"]+)">', html)
    assert linked and all(re.fullmatch(r"/documents/\d+", url) for url in linked)


def test_the_comment_thread_has_a_focusable_heading_after_an_htmx_swap(alice, sandbox):
    order_id = sandbox.data.orders_for(ALICE, "SO")[0]["id"]
    fragment = alice.get(f"/orders/{order_id}/comments", headers=HTMX).text
    assert re.search(r'<div id="comments">\s*(\{#.*?#\}\s*)?<h2 id="comments-title" tabindex="-1">Comments</h2>', fragment)
