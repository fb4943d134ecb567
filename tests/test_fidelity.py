"""Shapes of real Brightpearl accounts (API-ADDENDUM I.2-I.6) on the pages that show them:
tax-inclusive orders, "invoiced" decided by the invoice number, rows without a price, shipped
notes without a tracking number, and statuses sorted by `sort`. Each shape is in the sandbox's
demo data (so the demo shows it) and read back here through the portal's pages."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from decimal import Decimal

import httpx
import pytest
from pypdf import PdfReader
from support import empty_cache, logged_in, portal_app

from portal.brightpearl.models import Order, OrderStatus
from portal.domain.documents import is_document
from portal.domain.order_lines import priced_lines
from portal.sandbox.reference import STATUS_BY_ID

ALICE = 1001
CENT = Decimal("0.01")
DOC_LINK = re.compile(r'<th scope="row"[^>]*><a href="/documents/(\d+)">([^<]+)</a>')


# --- helpers -----------------------------------------------------------------------------------
def amount(text: str) -> Decimal:
    """£1,234.50 / €3.00 / -£2.00 -> Decimal."""
    return Decimal(re.sub(r"[^\d.\-]", "", text))


def cells(fragment: str) -> list[str]:
    texts = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", fragment, re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in texts]


def table(page: str, css_class: str) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """(column heads, body rows, totals label -> figure) of the table with this class."""
    found = re.search(rf'<table class="{css_class}(?: [^"]*)?"[^>]*>(.*?)</table>', page, re.S)
    assert found, css_class
    body = found.group(1)
    heads = cells(re.search(r"<thead>(.*?)</thead>", body, re.S).group(1))
    rows = [cells(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1), re.S)]
    totals = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", re.search(r"<tfoot>(.*?)</tfoot>", body, re.S).group(1), re.S):
        label, figure = cells(row)
        totals[label] = figure
    return heads, rows, totals


def check_lines_add_up(heads: list[str], rows: list[list[str]], totals: dict[str, str], *, inclusive: bool) -> None:
    """Unit price x quantity (less any discount) is the line amount shown, and the line amounts
    add up to the Total (INC) or Net (EXC) shown; Net + Tax = Total."""
    quantity_at = next(i for i, head in enumerate(heads) if head in ("Quantity", "Qty"))
    unit_at = next(i for i, head in enumerate(heads) if head.startswith("Unit price"))
    discount_at = heads.index("Discount") if "Discount" in heads else None
    basis = "incl. tax" if inclusive else "excl. tax"
    assert heads[unit_at] == f"Unit price {basis}" and heads[-1].endswith(basis)
    lines = Decimal(0)
    for row in rows:
        quantity, unit, shown = Decimal(row[quantity_at]), amount(row[unit_at]), amount(row[-1])
        off = Decimal(row[discount_at].rstrip("%")) if discount_at is not None and row[discount_at] != "–" else 0
        # The unit price is shown to the cent: allow half a cent per unit.
        assert abs(unit * quantity * (100 - off) / 100 - shown) <= quantity * Decimal("0.005") + CENT, row
        lines += shown
    net, tax = amount(totals["Net"]), amount(totals["Tax"])
    total = amount(next(figure for label, figure in totals.items() if label.startswith("Total")))
    assert net + tax == total
    assert abs(lines - (total if inclusive else net)) <= CENT * len(rows)


def alice_orders(sandbox, test) -> list[dict]:
    return [o for o in sandbox.data.orders_for(ALICE, "SO") if test(o)]


def numbered(order: dict) -> bool:
    reference = order["invoices"][0]["invoiceReference"]
    return bool(reference) and reference != "pending"


def unpriced(order: dict) -> bool:
    return any("productPrice" not in row for row in order["orderRows"].values())


def inclusive(order: dict) -> bool:
    return order["priceModeCode"] == "INC"


def wire_row(**changes) -> dict:
    row = {
        "orderRowSequence": "10",
        "productName": "Oak stool",
        "quantity": {"magnitude": "3.0000"},
        "discountPercentage": "0.00",
        "rowValue": {"taxRate": "10.0000", "rowNet": {"value": "27.2727"}, "rowTax": {"value": "2.73"}},
    }
    row.update(changes)
    return row


def wire_order(mode: str, *rows: dict, **changes) -> Order:
    body = {
        "id": 7,
        "orderTypeCode": "SO",
        "priceModeCode": mode,
        "currency": {"orderCurrencyCode": "GBP"},
        "totalValue": {"net": "27.27", "taxAmount": "2.73", "total": "30.00"},
        "orderRows": {str(n): row for n, row in enumerate(rows, 1)},
        "parties": {"customer": {"contactId": ALICE}},
    }
    body.update(changes)
    return Order.from_wire(body)


# --- 2. tax-inclusive orders -----------------------------------------------------------------
def test_an_inc_line_shows_its_tax_inclusive_price_and_amount():
    order = wire_order("INC", wire_row(productPrice={"value": "10.0000"}))
    lines = priced_lines(order)
    (line,) = lines.lines
    assert lines.includes_tax and lines.basis == "incl. tax" and lines.lines_total_label == "Total"
    assert line.unit_price == Decimal("10") and line.amount.quantize(CENT) == Decimal("30.00")  # not 27.27


def test_an_exc_line_shows_net_price_and_amount_and_is_never_labelled_incl_tax():
    order = wire_order("EXC", wire_row(productPrice={"value": "9.0909"}))
    lines = priced_lines(order)
    assert not lines.includes_tax and lines.basis == "excl. tax" and lines.lines_total_label == "Net"
    assert lines.lines[0].amount == Decimal("27.2727")
    assert not priced_lines(wire_order("", wire_row())).includes_tax  # no mode: Brightpearl's default, EXC


def test_the_sandbox_has_inc_orders_whose_prices_include_tax(sandbox):
    orders = [o for o in sandbox.data.orders.values() if o["orderTypeCode"] in ("SO", "SC")]
    inc = [o for o in orders if inclusive(o) and not unpriced(o)]
    assert inc and any(o["orderTypeCode"] == "SO" and o["parties"]["customer"]["contactId"] == ALICE for o in inc)
    assert any(not inclusive(o) for o in orders)
    for order in inc:
        for row in order["orderRows"].values():
            value = row["rowValue"]
            quantity, price = Decimal(row["quantity"]["magnitude"]), Decimal(row["productPrice"]["value"])
            gross = Decimal(value["rowNet"]["value"]) + Decimal(value["rowTax"]["value"])
            discount = Decimal(row["discountPercentage"])
            # productPrice includes tax, rowNet does not (recorded rowNet 9.0909 of a 10.00 line).
            assert abs(quantity * price * (100 - discount) / 100 - gross) <= CENT, order["id"]
            if Decimal(value["taxRate"]) and Decimal(value["rowTax"]["value"]):
                assert Decimal(value["rowNet"]["value"]) < quantity * price


def test_an_inc_order_page_shows_prices_incl_tax_that_add_up(alice, sandbox):
    order = alice_orders(sandbox, lambda o: inclusive(o) and not unpriced(o))[0]
    page = alice.get(f"/orders/{order['id']}").text
    heads, rows, totals = table(page, "order-rows")
    assert len(rows) == len(order["orderRows"])
    check_lines_add_up(heads, rows, totals, inclusive=True)
    assert "Prices include tax." in page
    assert amount(totals["Total"]) == Decimal(order["totalValue"]["total"])


def test_an_exc_order_page_shows_prices_excl_tax_that_add_up(alice, sandbox):
    order = alice_orders(sandbox, lambda o: not inclusive(o) and not unpriced(o) and len(o["orderRows"]) > 1)[0]
    page = alice.get(f"/orders/{order['id']}").text
    heads, rows, totals = table(page, "order-rows")
    check_lines_add_up(heads, rows, totals, inclusive=False)
    assert "incl. tax" not in page and "Prices exclude tax" in page


def test_a_discount_is_shown_so_that_the_line_still_adds_up(alice, sandbox):
    order = alice_orders(sandbox, lambda o: not unpriced(o) and len(o["orderRows"]) > 1)[0]
    row = next(iter(order["orderRows"].values()))
    row["discountPercentage"] = "10.00"
    net = Decimal(row["rowValue"]["rowNet"]["value"])
    row["rowValue"]["rowNet"]["value"] = str(net * Decimal("0.9"))
    totals = order["totalValue"]
    for key in ("net", "total"):
        totals[key] = str(Decimal(totals[key]) - net / 10)
    empty_cache(alice)
    heads, rows, totals = table(alice.get(f"/orders/{order['id']}").text, "order-rows")
    assert "Discount" in heads and any(r[heads.index("Discount")] == "10%" for r in rows)
    check_lines_add_up(heads, rows, totals, inclusive=inclusive(order))


def test_the_print_view_and_pdf_of_an_inc_invoice_show_prices_incl_tax(alice, sandbox):
    order = alice_orders(sandbox, lambda o: inclusive(o) and numbered(o) and not unpriced(o))[0]
    page = alice.get(f"/documents/{order['id']}").text
    heads, rows, totals = table(page, "doc-rows")
    check_lines_add_up(heads, rows, {k: v for k, v in totals.items() if not k.startswith("Tax at")}, inclusive=True)
    pdf = alice.get(f"/documents/{order['id']}.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "incl. tax" in text and "Prices include tax." in text
    for row in order["orderRows"].values():
        value = row["rowValue"]
        gross = (Decimal(value["rowNet"]["value"]) + Decimal(value["rowTax"]["value"])).quantize(CENT)
        assert f"£{gross:,.2f}" in text  # the line amount with tax, not rowNet
        assert f"£{Decimal(row['productPrice']['value']):,.2f}" in text


# --- 3. a document is an order with an invoice number ------------------------------------------
def test_only_a_numbered_invoice_makes_a_document():
    def order(reference: str, type_code: str = "SO", status: str = "New web order") -> Order:
        return Order.from_wire({
            "id": 9, "orderTypeCode": type_code, "orderStatus": {"orderStatusId": 4, "name": status},
            "invoices": [{"invoiceReference": reference, "taxDate": "2025-01-30T00:00:00+00:00"}],
        })

    assert is_document(order("SI-1")) and is_document(order("SC-1", "SC"))
    assert not is_document(order(""))  # a tax date alone
    assert not is_document(order("", status="Invoiced"))  # a status named "Invoiced"
    assert not is_document(order(" Pending "))  # invoicing in progress
    assert not is_document(order("PO-INV-1", "PO")) and not is_document(None)
    assert order(" Pending ").invoice_reference == "" and order("SI-1").invoice_reference == "SI-1"


def test_the_sandbox_has_tax_dates_and_an_invoiced_status_without_an_invoice(sandbox):
    data = sandbox.data
    tax_dated = alice_orders(sandbox, lambda o: not numbered(o) and data.order_meta[o["id"]].tax_date_set)
    assert {o["orderStatus"]["orderStatusId"] for o in tax_dated} - {4}, "an open order with a tax date"
    assert any(o["orderStatus"]["name"] == "Invoiced" for o in tax_dated), "the status Invoiced without a number"


@pytest.mark.anyio
async def test_order_search_shows_the_tax_date_of_orders_that_are_not_invoiced(sandbox):
    async with sandbox.client() as http:
        found = (await http.get(f"/order-service/order-search?contactId={ALICE}&orderTypeId=1")).json()["response"]
    columns = [c["name"] for c in found["metaData"]["columns"]]
    rows = {row[columns.index("orderId")]: row[columns.index("taxDate")] for row in found["results"]}
    orders = sandbox.data.orders
    assert any(tax_date and not numbered(orders[order_id]) for order_id, tax_date in rows.items())
    assert all(tax_date for order_id, tax_date in rows.items() if numbered(orders[order_id]))
    assert any(tax_date is None for tax_date in rows.values())  # e.g. quotes


def all_listed(client, query: str = "") -> tuple[list[tuple[int, str]], list[str]]:
    """Every (order id, number) row of the documents list, and the count line of each page."""
    rows, counts, number = [], [], 1
    while True:
        page = client.get(f"/documents?{query}&page={number}").text
        rows += [(int(i), n) for i, n in DOC_LINK.findall(page)]
        counts += re.findall(r'<p class="muted results-count">(\d+) documents?', page)
        if "Older →" not in page:
            return rows, counts
        number += 1


def test_the_documents_list_counts_and_lists_exactly_the_numbered_invoices(alice, sandbox):
    expected = {o["id"] for o in sandbox.data.orders_for(ALICE, "SO") + sandbox.data.orders_for(ALICE, "SC") if numbered(o)}
    rows, counts = all_listed(alice)
    assert {order_id for order_id, _ in rows} == expected and len(rows) == len(expected)
    assert counts and set(counts) == {str(len(expected))}  # the count agrees with what is listed
    invoices, counts = all_listed(alice, "type=invoice")
    assert set(counts) == {str(len(invoices))}


def test_an_order_with_a_tax_date_or_an_invoiced_status_but_no_number_is_no_document(alice, sandbox):
    data = sandbox.data
    listed = {order_id for order_id, _ in all_listed(alice)[0]}
    for order in alice_orders(sandbox, lambda o: not numbered(o) and data.order_meta[o["id"]].tax_date_set):
        page = alice.get(f"/orders/{order['id']}").text
        assert f'href="/documents/{order["id"]}"' not in page  # no invoice link on the order page
        assert alice.get(f"/documents/{order['id']}").status_code == 404
        assert alice.get(f"/documents/{order['id']}.pdf").status_code == 404
        assert order["id"] not in listed


def test_a_customer_whose_only_tax_dated_order_is_not_invoiced_has_no_documents(settings, sandbox):
    data = sandbox.data
    bob = 1003
    keep = next(o for o in data.orders_for(bob, "SO") if not numbered(o))
    for order in data.orders_for(bob, "SO") + data.orders_for(bob, "SC"):
        order["invoices"][0]["invoiceReference"] = ""
    data.order_meta[keep["id"]].tax_date_set = True
    with logged_in(portal_app(settings, sandbox), "bob@example.com") as client:
        page = client.get("/documents").text
    assert DOC_LINK.findall(page) == [] and "No invoices yet" in page and "results-count" not in page


# --- 4. rows without productPrice / itemCost ---------------------------------------------------
def test_a_row_without_a_price_gets_row_net_per_unit():
    row = wire_row()  # no productPrice, no itemCost
    exc, inc = priced_lines(wire_order("EXC", row)).lines[0], priced_lines(wire_order("INC", row)).lines[0]
    assert exc.unit_price == Decimal("27.2727") / 3 and exc.amount == Decimal("27.2727")
    assert inc.unit_price == (Decimal("27.2727") + Decimal("2.73")) / 3 and inc.amount == Decimal("30.0027")
    zero = wire_order("EXC", wire_row(quantity={"magnitude": "0"})).rows[0]
    assert zero.unit_price == 0 and not zero.price_given
    purchase = Order.from_wire({"orderTypeCode": "PO", "orderRows": {"1": wire_row(productPrice={"value": "0.0000"})}})
    assert purchase.rows[0].unit_price == Decimal("27.2727") / 3  # a PO's productPrice 0 is no price
    discounted = priced_lines(wire_order("EXC", wire_row(discountPercentage="5.00"))).lines[0]
    assert discounted.discount == 0  # the derived price is already after the discount


def test_the_sandbox_has_older_orders_whose_rows_have_no_price(sandbox):
    old = alice_orders(sandbox, unpriced)
    assert old and all("itemCost" not in row for o in old for row in o["orderRows"].values())
    recent = alice_orders(sandbox, lambda o: not unpriced(o))
    assert min(o["placedOn"] for o in recent) > max(o["placedOn"] for o in old)


def test_an_older_order_page_shows_unit_prices_from_row_net(alice, sandbox):
    for order in alice_orders(sandbox, unpriced)[:3]:
        heads, rows, totals = table(alice.get(f"/orders/{order['id']}").text, "order-rows")
        unit_at = next(i for i, head in enumerate(heads) if head.startswith("Unit price"))
        assert all(amount(row[unit_at]) > 0 for row in rows if amount(row[-1]) > 0)  # not 0.00
        check_lines_add_up(heads, rows, totals, inclusive=inclusive(order))


# --- 5. shipped without a tracking number; statuses sorted by `sort` -------------------------
def shipped_without_reference(sandbox) -> list[tuple[int, int]]:
    data = sandbox.data
    return [
        (order["id"], int(note_id))
        for order in data.orders_for(ALICE, "SO")
        for note_id, note in data.goods_out_for(order["id"]).items()
        if note["status"]["shipped"] and not note["shipping"]["reference"]
    ]


def test_a_shipped_note_without_a_tracking_number_says_so_without_a_carrier_link(alice, sandbox):
    found = shipped_without_reference(sandbox)
    assert found, "the demo data has a shipped note without a tracking reference"
    order_id, note_id = found[0]
    page = alice.get(f"/orders/{order_id}").text
    # Shipments are cards named "Shipment 1 of 2" (not by note id): find the note's by its items.
    names = [sandbox.data.orders[order_id]["orderRows"][row_id]["productName"]
             for row_id in sandbox.data.goods_out_for(order_id)[note_id]["orderRows"]]
    cards = [card.split("</ol>")[0] for card in page.split('<li class="shipment">')[1:]]
    row = next(card for card in cards if all(name in html_lib.unescape(card) for name in names))
    assert "<dd>Shipped</dd>" in row and "No tracking number given" in row
    assert "Not yet" not in row and "<a " not in row


def test_the_shipments_tile_says_so_too(alice, sandbox):
    data = sandbox.data
    newest = max((o for o in data.orders_for(ALICE, "SO") if data.goods_out_for(o["id"])), key=lambda o: o["id"])
    notes = data.goods_out_for(newest["id"])
    for note in notes.values():
        note["status"]["shipped"] = True
        note["shipping"]["reference"] = ""
    empty_cache(alice)
    html = alice.get("/tiles/shipments", headers={"HX-Request": "true"}).text
    assert "No tracking number given" in html


def test_status_sort_falls_back_to_sort_then_to_the_status_id():
    assert OrderStatus.from_wire({"statusId": 4, "sortOrder": 2, "sort": 9}).sort_order == 2
    assert OrderStatus.from_wire({"statusId": 4, "sortOrder": 0, "sort": 9}).sort_order == 0
    assert OrderStatus.from_wire({"statusId": 4, "sort": 9}).sort_order == 9
    assert OrderStatus.from_wire({"statusId": 4}).sort_order == 4


class StatusesWithSort(httpx.AsyncBaseTransport):
    """The sandbox with its order statuses as some client libraries' fixtures have them
    (API-ADDENDUM I.5): `sort` instead of `sortOrder`, here in the reverse of the sandbox's order."""

    def __init__(self, sandbox) -> None:
        self.inner = sandbox.transport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if "/order-service/order-status" not in request.url.path:
            return response
        data = json.loads(await response.aread())
        for status in data["response"]:
            status["sort"] = 100 - status.pop("sortOrder")
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=json.dumps(data).encode())


def test_the_status_list_follows_sort_when_sort_order_is_missing(settings, sandbox):
    # The customers' filter lists labels by state; the admin's statuses page lists Brightpearl's
    # statuses in the account's own order.
    with logged_in(portal_app(settings, sandbox, transport=StatusesWithSort(sandbox)), "admin@example.com") as client:
        page = client.get("/admin/statuses").text
    shown = [int(i) for i in re.findall(r'id="label-(\d+)"', page)]
    sales = [sid for sid in shown if STATUS_BY_ID[sid].type_code == "SO"]
    assert len(sales) >= 3 and sales == sorted(sales, key=lambda sid: -STATUS_BY_ID[sid].sort_order)

