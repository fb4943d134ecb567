"""Invoices and credit notes: the list, search, paging, the print view and who may open what."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import httpx
import pytest
from support import calls_for, empty_cache, logged_in, portal_app, switch_to

from portal.brightpearl.models import Order, OrderSearchRow, StatementLine
from portal.domain.documents import (
    CREDIT,
    INVOICE,
    Settlement,
    document,
    document_candidates,
    matches,
    payment_state,
    settlements,
)

DOC_LINK = re.compile(r'<th scope="row"[^>]*><a href="/documents/(\d+)">([^<]+)</a>')


def listed(html: str) -> list[tuple[int, str]]:
    """(order id, document number) of each row of the documents table."""
    return [(int(order_id), number) for order_id, number in DOC_LINK.findall(html)]


def invoiced(sandbox, contact_id: int, type_code: str) -> list[dict]:
    """The contact's orders of that type that Brightpearl has invoiced (wire dicts)."""
    return [
        o for o in sandbox.data.orders_for(contact_id, type_code) if o["invoices"] and o["invoices"][0]["invoiceReference"]
    ]


def all_listed(client, query: str = "") -> list[tuple[int, str]]:
    rows, page_number = [], 1
    while True:
        html = client.get(f"/documents?{query}&page={page_number}").text
        found = listed(html)
        rows += found
        if not found or "Older →" not in html:
            return rows
        page_number += 1


# --- the list --------------------------------------------------------------------------------
def test_list_shows_every_invoice_and_credit_note_of_the_customer_and_nothing_else(alice, sandbox):
    expected = {o["id"]: o["invoices"][0]["invoiceReference"] for o in invoiced(sandbox, 1001, "SO")}
    expected |= {o["id"]: o["invoices"][0]["invoiceReference"] for o in invoiced(sandbox, 1001, "SC")}
    assert any(number.startswith("SC-") for number in expected.values()), "demo data has a credit note"
    rows = all_listed(alice)
    assert dict(rows) == expected
    assert len(rows) == len(expected)  # no duplicates across pages
    uninvoiced = [o["id"] for o in sandbox.data.orders_for(1001, "SO") if o["id"] not in expected]
    assert uninvoiced and not set(uninvoiced) & {order_id for order_id, _ in rows}


def test_list_is_newest_first_with_type_dates_totals_and_payment_state(alice, sandbox):
    response = alice.get("/documents")
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    rows = listed(response.text)
    assert 1 <= len(rows) <= 25
    dates = [sandbox.data.orders[order_id]["invoices"][0]["taxDate"][:10] for order_id, _ in rows]
    assert dates == sorted(dates, reverse=True)
    html = response.text
    assert "Invoice" in html and "£" in html
    assert re.search(r'class="pay pay--(paid|unpaid|part)"', html)
    first_id, first_number = rows[0]
    total = sandbox.data.orders[first_id]["totalValue"]["total"]
    assert f"{float(total):,.2f}" in html
    assert f'href="/documents/{first_id}.pdf"' in html


def test_overdue_invoices_are_flagged(alice, sandbox):
    today = date.today()
    overdue = {
        o["id"]
        for o in invoiced(sandbox, 1001, "SO")
        if o["orderPaymentStatus"] in ("UNPAID", "PARTIALLY_PAID") and o["invoices"][0]["dueDate"][:10] < today.isoformat()
    }
    assert overdue, "demo data has an overdue invoice"
    html = "".join(alice.get(f"/documents?page={n}").text for n in (1, 2))
    flagged = {int(i) for i in re.findall(r'<tr class="[^"]*\bis-overdue">\s*<th scope="row"[^>]*><a href="/documents/(\d+)"', html)}
    shown = {order_id for order_id, _ in listed(html)}
    assert flagged and flagged == overdue & shown
    assert 'class="pay pay--overdue">Overdue<' in html


def test_credit_notes_alone(alice, sandbox):
    credits = {o["id"] for o in invoiced(sandbox, 1001, "SC")}
    rows = listed(alice.get("/documents?type=credit").text)
    assert {order_id for order_id, _ in rows} == credits
    invoices_only = all_listed(alice, "type=invoice")
    assert invoices_only and not {order_id for order_id, _ in invoices_only} & credits


def test_pages_do_not_overlap_and_a_page_beyond_the_last_says_so(alice):
    first = listed(alice.get("/documents").text)
    second = listed(alice.get("/documents?page=2").text)
    assert len(first) == 25 and second
    assert not {i for i, _ in first} & {i for i, _ in second}
    beyond = alice.get("/documents?page=400")
    assert beyond.status_code == 200 and "There are not that many pages" in beyond.text


def test_htmx_gets_the_table_fragment_and_the_form_keeps_the_url_in_step(alice):
    page = alice.get("/documents").text
    assert 'hx-push-url="true"' in page and 'hx-target="#documents-results"' in page
    assert 'method="get" action="/documents"' in page  # works without JavaScript
    fragment = alice.get("/documents?page=2", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert 'hx-get="/documents?page=1"' in fragment.text or 'href="/documents"' in fragment.text


# --- search ----------------------------------------------------------------------------------
def test_search_finds_an_invoice_by_its_number_on_any_page(alice, sandbox):
    oldest = min(invoiced(sandbox, 1001, "SO"), key=lambda o: o["invoices"][0]["taxDate"])
    number = oldest["invoices"][0]["invoiceReference"]
    assert oldest["id"] not in {i for i, _ in listed(alice.get("/documents").text)}  # not on page 1
    rows = listed(alice.get("/documents", params={"q": number.lower()}).text)
    assert (oldest["id"], number) in rows


def test_search_by_order_reference_and_by_order_number(alice, sandbox):
    order = next(o for o in invoiced(sandbox, 1001, "SO") if o["reference"])
    by_reference = listed(alice.get("/documents", params={"q": order["reference"]}).text)
    assert order["id"] in {i for i, _ in by_reference}
    by_number = listed(alice.get("/documents", params={"q": str(order["id"])}).text)
    assert order["id"] in {i for i, _ in by_number}
    none = alice.get("/documents", params={"q": "no-such-document-xyz"})
    assert listed(none.text) == [] and "No documents match" in none.text


def test_search_never_finds_another_customers_document(client, sandbox):
    bobs = invoiced(sandbox, 1003, "SO")[0]
    alice = switch_to(client, "alice@example.com")
    for needle in (bobs["invoices"][0]["invoiceReference"], str(bobs["id"])):
        assert bobs["id"] not in {i for i, _ in listed(alice.get("/documents", params={"q": needle}).text)}


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query", ["page=-1", "page=abc", "page=0", "page=99999999999", "type=quotes", "type=%3Cb%3E", "q=" + "x" * 500]
)
def test_bad_filters_answer_a_clean_400(alice, query):
    response = alice.get(f"/documents?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert 'class="error-summary"' in response.text
    assert listed(response.text) == []


def test_a_bad_type_is_reported_beside_its_field(alice):
    html = alice.get("/documents?type=quotes").text
    assert 'id="type" name="type" aria-invalid="true" aria-describedby="type-error"' in html
    assert '<p class="field-error" id="type-error">' in html


def test_markup_in_the_search_is_shown_as_text(alice):
    response = alice.get("/documents", params={"q": '<script>alert(1)</script>"'})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in response.text


@pytest.mark.parametrize(
    "bad",
    ["abc", "12abc", "99999999999", "99999999999999999999", "0", "-5", "1.5", "%3Cscript%3E", "60001.PDF", "60001.pdfx", "60001.csv", ".pdf"],
)
def test_odd_document_ids_are_404(alice, bad):
    for suffix in ("", ".pdf"):
        response = alice.get(f"/documents/{bad}{suffix}")
        assert response.status_code == 404
        assert "Page not found" in response.text


# --- ownership -------------------------------------------------------------------------------
def test_another_customers_invoice_answers_like_a_missing_one_in_print_and_pdf(client, sandbox):
    bobs = invoiced(sandbox, 1003, "SO")[0]["id"]
    bob = switch_to(client, "bob@example.com")
    assert bob.get(f"/documents/{bobs}").status_code == 200
    assert bob.get(f"/documents/{bobs}.pdf").status_code == 200  # now warm in the cache
    alice = switch_to(client, "alice@example.com")
    for suffix in ("", ".pdf"):
        theirs = alice.get(f"/documents/{bobs}{suffix}")
        missing = alice.get(f"/documents/2147483000{suffix}")
        assert theirs.status_code == missing.status_code == 404
        assert theirs.text.replace(str(bobs), "ID") == missing.text.replace("2147483000", "ID")
        assert "application/pdf" not in theirs.headers["content-type"]


def test_an_order_that_is_not_invoiced_is_not_a_document(alice, sandbox):
    uninvoiced = [o for o in sandbox.data.orders_for(1001, "SO") if not o["invoices"][0]["invoiceReference"]]
    credit = [o for o in sandbox.data.orders_for(1001, "SC") if not o["invoices"][0]["invoiceReference"]]
    assert uninvoiced and credit
    for order in (uninvoiced[0], credit[0]):
        assert alice.get(f"/orders/{order['id']}").status_code == 200  # the order itself is hers
        assert alice.get(f"/documents/{order['id']}").status_code == 404
        assert alice.get(f"/documents/{order['id']}.pdf").status_code == 404


def test_an_order_being_invoiced_is_not_a_document_yet(alice, sandbox):
    order = invoiced(sandbox, 1001, "SO")[0]
    order["invoices"][0]["invoiceReference"] = "pending"
    assert alice.get(f"/documents/{order['id']}").status_code == 404


def test_purchase_orders_are_never_documents_for_customers(alice, sandbox):
    purchase = next(o for o in sandbox.data.orders.values() if o["orderTypeCode"] == "PO")
    assert alice.get(f"/documents/{purchase['id']}").status_code == 404


def test_suppliers_and_admins_cannot_open_documents(client, sandbox):
    order_id = invoiced(sandbox, 1001, "SO")[0]["id"]
    for email in ("sam@example.com", "admin@example.com"):
        other = switch_to(client, email)
        assert other.get("/documents").status_code == 403
        assert other.get(f"/documents/{order_id}").status_code == 403
        assert other.get(f"/documents/{order_id}.pdf").status_code == 403


def test_logged_out_visitors_are_sent_to_log_in(client, sandbox):
    order_id = invoiced(sandbox, 1001, "SO")[0]["id"]
    for path in ("/documents", f"/documents/{order_id}", f"/documents/{order_id}.pdf"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


# --- the print view --------------------------------------------------------------------------
def test_print_view_shows_the_whole_invoice(alice, sandbox):
    order = max(invoiced(sandbox, 1001, "SO"), key=lambda o: len(o["orderRows"]))
    response = alice.get(f"/documents/{order['id']}")
    assert response.status_code == 200
    html = response.text
    number = order["invoices"][0]["invoiceReference"]
    assert f"Invoice <span class=\"doc-sheet__number\">{number}</span>" in html
    assert "Customer Portal" in html  # the merchant's name (site_name)
    for label in ("Invoice number", "Date", "Due date", "Order number", "Billing address", "Delivery address", "Net", "Tax", "Total"):
        assert label in html
    for row in order["orderRows"].values():
        if row["productSku"]:
            assert row["productSku"] in html
    billing = order["parties"]["billing"]
    delivery = order["parties"]["delivery"]
    assert billing["addressLine1"] in html and delivery["addressLine1"] in html
    assert f"{float(order['totalValue']['total']):,.2f}" in html
    assert f'href="/documents/{order["id"]}.pdf"' in html and "Download PDF" in html


def test_print_view_prints_on_a4_without_scripts_inline(alice, sandbox, app):
    order_id = invoiced(sandbox, 1001, "SO")[0]["id"]
    html = alice.get(f"/documents/{order_id}").text
    assert '<link rel="stylesheet" href="/static/print-document.css" media="print">' in html
    assert '<script src="/static/print-button.js" defer></script>' in html
    assert "Ctrl+P" in html  # how to print without JavaScript
    assert 'data-print hidden' in html  # the button appears only when the script runs
    assert " style=" not in html and "onclick" not in html and "<script>" not in html
    css = alice.get("/static/print-document.css").text
    assert "@page { size: A4;" in css
    assert alice.get("/static/print-button.js").status_code == 200


def test_print_view_of_a_credit_note(alice, sandbox):
    credit = invoiced(sandbox, 1001, "SC")[0]
    html = alice.get(f"/documents/{credit['id']}").text
    assert "Credit note number" in html and credit["invoices"][0]["invoiceReference"] in html
    assert "Due date" not in html
    assert "This credit note reduces what you owe" in html


def test_a_credit_note_links_the_order_it_credits_not_its_own_id(alice, sandbox):
    credit = next(o for o in invoiced(sandbox, 1001, "SC") if o.get("parentOrderId"))
    html = alice.get(f"/documents/{credit['id']}").text
    parent = credit["parentOrderId"]
    assert f'<dt>Credit for order</dt><dd><a href="/orders/{parent}">{parent}</a></dd>' in html
    assert "<dt>Order number</dt>" not in html and f">{credit['id']}<" not in html
    assert alice.get(f"/orders/{parent}").status_code == 200


def test_text_from_brightpearl_is_shown_as_text(alice, sandbox):
    order = invoiced(sandbox, 1001, "SO")[0]
    order["reference"] = '<img src=x onerror=alert(1)>'
    next(iter(order["orderRows"].values()))["productName"] = "<script>alert(2)</script>"
    empty_cache(alice)
    html = alice.get(f"/documents/{order['id']}").text
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html


# --- what is paid and due ---------------------------------------------------------------------
def cells(html: str, order_id: int) -> dict[str, str]:
    """data-label -> text of the row of this document."""
    start = html.index(f'<a href="/documents/{order_id}">')
    row = html[start : html.index("</tr>", start)]
    return {label: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for label, text in re.findall(r'data-label="([^"]+)">(.*?)</td>', row, re.S)}


def statement_line(sandbox, order_id: int) -> dict:
    return next(line for line in sandbox.data.statement_lines(1001) if line["orderId"] == order_id and line["journalTypeCode"] == "SI")


def test_a_part_paid_invoice_shows_its_total_what_was_paid_and_what_is_due(alice, sandbox):
    part = [o for o in invoiced(sandbox, 1001, "SO") if o["orderPaymentStatus"] == "PARTIALLY_PAID"]
    assert part, "demo data has a part-paid invoice"
    order_id = part[0]["id"]
    line = statement_line(sandbox, order_id)
    assert Decimal(line["paidAmount"]) > 0 and Decimal(line["dueAmount"]) > 0
    html = alice.get(f"/documents?q={part[0]['invoices'][0]['invoiceReference']}").text
    row = cells(html, order_id)
    assert row["Total"] == f"£{Decimal(line['invoiceAmount']):,.2f}"
    assert row["Paid"] == f"£{Decimal(line['paidAmount']):,.2f}"
    # The figure the dashboard's overdue tile shows for the same invoice.
    assert row["Due"] == f"£{Decimal(line['dueAmount']):,.2f}"
    assert "Part paid" in html
    # The print view says the same.
    sheet = alice.get(f"/documents/{order_id}").text
    assert f"£{Decimal(line['dueAmount']):,.2f}" in sheet and f"£{Decimal(line['paidAmount']):,.2f}" in sheet


def test_unpaid_and_overdue_filters_keep_exactly_those_invoices(alice, sandbox):
    today = date.today().isoformat()
    lines = {line["orderId"]: line for line in sandbox.data.statement_lines(1001) if line["journalTypeCode"] == "SI"}
    owed = {i for i, line in lines.items() if Decimal(line["dueAmount"]) > 0}
    late = {i for i in owed if lines[i]["journalDueDate"] and lines[i]["journalDueDate"][:10] < today}
    assert late and owed - late, "demo data has overdue and not yet due unpaid invoices"
    assert {i for i, _ in all_listed(alice, "status=unpaid")} == owed
    assert {i for i, _ in all_listed(alice, "status=overdue")} == late
    assert {i for i, _ in all_listed(alice, "status=overdue&type=credit")} == set()
    page = alice.get("/documents?status=overdue").text
    assert '<option value="overdue" selected' in page


def test_a_bad_status_is_reported_beside_its_field(alice):
    response = alice.get("/documents?status=late")
    assert response.status_code == 400
    assert "Choose any, not fully paid or overdue." in response.text
    assert listed(response.text) == []


def test_without_the_statement_the_list_shows_totals_and_the_orders_payment_state(settings, sandbox):
    class NoStatement(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = sandbox.transport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if "all-transaction-search" in request.url.path:
                return httpx.Response(503, json={"response": "Service Temporarily Unavailable"})
            return await self.inner.handle_async_request(request)

    with logged_in(portal_app(settings, sandbox, transport=NoStatement())) as client:
        response = client.get("/documents")
        assert response.status_code == 200
        assert listed(response.text)
        assert "What has been paid can’t be shown right now" in response.text
        assert 'data-label="Total"' in response.text and 'data-label="Paid"' not in response.text
        assert client.get("/documents?status=unpaid").status_code == 200


def test_the_list_shows_no_order_ids_after_the_references(alice):
    html = alice.get("/documents").text
    assert not re.search(r"#\d{4,}", html)


# --- Brightpearl calls -----------------------------------------------------------------------
def test_brightpearl_call_counts_cold_and_warm(alice, sandbox):
    order_id = invoiced(sandbox, 1001, "SO")[0]["id"]
    number = sandbox.data.orders[order_id]["invoices"][0]["invoiceReference"]
    counts = {}
    paths = ("/documents", "/documents?page=2", f"/documents?q={number}", "/documents?status=overdue", f"/documents/{order_id}", f"/documents/{order_id}.pdf")
    for path in paths:
        counts[path] = (len(calls_for(alice, sandbox, path, cold=True)), len(calls_for(alice, sandbox, path)))
    # order-search SO + SC, then one ID-set GET for the page's documents; the contact (its
    # currency id) and the statement search give what is paid and due.
    assert counts["/documents"] == (5, 0)
    assert counts["/documents?page=2"] == (5, 0)
    # A search reads every invoiced order to match numbers: ⌈documents / 200⌉ GETs (here 1).
    assert counts[f"/documents?q={number}"] == (5, 0)
    assert counts["/documents?status=overdue"] == (5, 0)
    assert counts[f"/documents/{order_id}"] == (3, 0)
    assert counts[f"/documents/{order_id}.pdf"] == (3, 0)


def test_the_statement_page_leaves_the_list_nothing_new_to_ask_but_the_orders(alice, sandbox):
    empty_cache(alice)
    alice.get("/statement")
    sandbox.reset_calls()
    alice.get("/documents")
    paths = sorted(path for _, path, _ in sandbox.calls)
    assert not [p for p in paths if "accounting-service" in p or "contact-service" in p], paths
    assert len(paths) == 3


def test_a_search_after_the_list_reuses_the_cached_orders(alice, sandbox):
    empty_cache(alice)
    alice.get("/documents")
    sandbox.reset_calls()
    alice.get("/documents?q=SI-")
    # The list already read every candidate order (to know which are documents): none is read again.
    assert sandbox.calls == []


def test_brightpearl_down_with_nothing_cached_gives_a_503_page(alice, sandbox):
    empty_cache(alice)
    sandbox.knobs.outage = True
    response = alice.get("/documents")
    assert response.status_code == 503
    assert listed(response.text) == []


# --- view-model units (fixed dates) ----------------------------------------------------------
def wire_order(type_code="SO", status="UNPAID", due="2025-03-01", reference="SI-1", currency="GBP") -> Order:
    return Order.from_wire(
        {
            "id": 7,
            "orderTypeCode": type_code,
            "orderPaymentStatus": status,
            "currency": {"orderCurrencyCode": currency},
            "invoices": [{"invoiceReference": reference, "taxDate": "2025-01-30T00:00:00+00:00", "dueDate": f"{due}T00:00:00+00:00"}],
            "parties": {"customer": {"contactId": 1}},
        }
    )


@pytest.mark.parametrize(
    ("status", "today", "key", "label", "overdue"),
    [
        ("PAID", date(2025, 6, 1), "paid", "Paid", False),
        ("UNPAID", date(2025, 3, 1), "unpaid", "Unpaid", False),  # due today: not yet overdue
        ("UNPAID", date(2025, 3, 2), "unpaid", "Unpaid", True),
        ("PARTIALLY_PAID", date(2025, 3, 2), "part", "Part paid", True),
        ("PARTIALLY_PAID", date(2025, 2, 1), "part", "Part paid", False),
        ("NOT_APPLICABLE", date(2025, 6, 1), "none", "–", False),
    ],
)
def test_invoice_payment_state(status, today, key, label, overdue):
    state = payment_state(wire_order(status=status), today)
    assert (state.key, state.label, state.overdue) == (key, label, overdue)


@pytest.mark.parametrize(
    ("status", "label"), [("PAID", "Refunded"), ("PARTIALLY_PAID", "Part refunded"), ("UNPAID", "Open credit")]
)
def test_credit_note_payment_state_is_never_overdue(status, label):
    state = payment_state(wire_order("SC", status, due="2020-01-01"), date(2025, 6, 1))
    assert state.label == label and not state.overdue


def line(order_id, code, invoice, paid, due, journal_id=1) -> StatementLine:
    return StatementLine.from_wire(
        {"journalId": journal_id, "orderId": order_id, "journalTypeCode": code, "invoiceAmount": invoice, "paidAmount": paid, "dueAmount": due}
    )


def test_settlements_come_from_document_lines_and_read_credits_as_positive():
    found = settlements(
        [
            line(7, "SI", "120.00", "50.00", "70.00"),
            line(7, "SR", "0.00", "50.00", "0.00", 2),  # the payment itself: already in paidAmount
            line(8, "SC", "-30.00", "-10.00", "-20.00", 3),
            line(0, "SR", "0.00", "5.00", "0.00", 4),
        ]
    )
    assert found == {7: Settlement(Decimal("120.00"), Decimal("50.00"), Decimal("70.00")), 8: Settlement(Decimal("30.00"), Decimal("10.00"), Decimal("20.00"))}


def test_the_statement_amounts_decide_the_state_of_an_invoice():
    order = wire_order(status="PAID", due="2025-03-01")  # the order's status lags the ledger
    late = date(2025, 3, 2)
    state = payment_state(order, late, Settlement(Decimal(100), Decimal(40), Decimal(60)))
    assert (state.key, state.overdue) == ("part", True)
    assert payment_state(wire_order(status="UNPAID"), late, Settlement(Decimal(100), Decimal(100), Decimal(0))).key == "paid"
    assert payment_state(order, late, Settlement(Decimal(100), Decimal(0), Decimal(100))).label == "Unpaid"
    doc = document(wire_order(status="UNPAID"), late, Settlement(Decimal(100), Decimal(100), Decimal(0)))
    assert not doc.owed and not doc.state.overdue


def test_document_file_names_are_safe():
    assert document(wire_order(reference="SI-20931"), date(2025, 1, 1)).file_name == "invoice-SI-20931.pdf"
    assert document(wire_order("SC", reference="SC-1209"), date(2025, 1, 1)).file_name == "credit-note-SC-1209.pdf"
    hostile = document(wire_order(reference='A"; filename=x.exe\r\n/..'), date(2025, 1, 1)).file_name
    assert re.fullmatch(r"invoice-[A-Za-z0-9._-]+\.pdf", hostile) and '"' not in hostile
    assert document(wire_order(reference="€€€"), date(2025, 1, 1)).file_name == "invoice-7.pdf"
    assert document(wire_order(), date(2025, 1, 1)).due_on == date(2025, 3, 1)
    assert document(wire_order("SC"), date(2025, 1, 1)).due_on is None


def test_candidates_are_sales_orders_and_credits_with_a_tax_date_newest_first():
    def row(order_id, type_id, tax_date):
        return OrderSearchRow.from_wire({"orderId": order_id, "orderTypeId": type_id, "contactId": 1, "taxDate": tax_date})

    rows = [
        row(1, 1, "2025-01-01T00:00:00Z"),
        row(2, 1, None),  # no tax date: never invoiced
        row(3, 3, "2025-03-01T00:00:00Z"),
        row(4, 2, "2025-04-01T00:00:00Z"),  # a purchase order
        row(5, 1, "2025-03-01T00:00:00Z"),
    ]
    assert [r.order_id for r in document_candidates(rows)] == [5, 3, 1]


def test_matching_uses_the_invoice_number_only_when_known():
    row = OrderSearchRow.from_wire({"orderId": 60032, "customerRef": "PO-77"})
    order = wire_order(reference="SI-20931")
    assert matches(row, order, "si-2093") and matches(row, None, "po-7") and matches(row, None, "6003")
    assert not matches(row, None, "SI-2093")
    assert INVOICE != CREDIT
