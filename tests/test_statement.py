"""The statement of account: period validation, running balance, ageing, CSV, ownership, calls."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from support import calls_for, empty_cache, switch_to

from portal.areas.documents.statement import MAX_SPAN_DAYS, parse_statement_query
from portal.brightpearl.models import StatementLine
from portal.domain.statement import ageing, bucket_index, csv_text, statement, statement_csv

TODAY = date(2025, 6, 30)


def line(kind, day, amount="0", paid="0", order_id=0, due=None, journal_id=0, reference="", customer_reference=""):
    """A statement line as Brightpearl sends it (journal date at midnight, UK summer time)."""
    return StatementLine.from_wire(
        {
            "journalId": journal_id,
            "orderId": order_id,
            "journalTypeCode": kind,
            "journalDate": f"{day}T00:00:00.000+01:00",
            "journalDueDate": f"{due}T00:00:00.000+01:00" if due else None,
            "reference": reference,
            "customerReference": customer_reference,
            "invoiceAmount": amount,
            "paidAmount": paid,
            "dueAmount": "0",
        }
    )


# --- period validation -----------------------------------------------------------------------
def test_the_default_period_is_the_last_90_days():
    query = parse_statement_query(None, None, TODAY)
    assert query.errors is None
    assert (query.date_from, query.date_to) == (TODAY - timedelta(days=90), TODAY)
    only_to = parse_statement_query("", "2025-03-31", TODAY)
    assert (only_to.date_from, only_to.date_to) == (date(2025, 3, 31) - timedelta(days=90), date(2025, 3, 31))


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2025-13-01", "", "from"),
        ("2025-02-30", "", "from"),
        ("31/01/2025", "", "from"),
        ("20250101", "", "from"),
        ("2025-W01-1", "", "from"),
        ("", "yesterday", "to"),
        ("1999-12-31", "2000-06-01", "from"),
        ("2025-06-01", "2025-05-01", "from"),  # start after end
        ("2025-07-01", "2025-07-01", "to"),  # in the future
        ("2024-01-01", "2025-06-01", "from"),  # longer than allowed
        ("<script>", "", "from"),
    ],
)
def test_bad_periods_are_reported_beside_the_field(start, end, field):
    query = parse_statement_query(start, end, TODAY)
    assert query.errors and field in query.errors


def test_a_whole_year_is_allowed():
    query = parse_statement_query("2024-06-30", "2025-06-30", TODAY)
    assert query.errors is None and (query.date_to - query.date_from).days <= MAX_SPAN_DAYS


# --- running balance -------------------------------------------------------------------------
def test_running_balance_opening_and_closing():
    lines = [
        line("SI", "2025-03-31", "999.00", order_id=1),  # before the period
        line("SI", "2025-04-02", "120.00", order_id=2, due="2025-05-02"),
        line("SR", "2025-04-10", paid="100.00", order_id=2),
        line("SC", "2025-04-11", "-30.00", order_id=3),
        line("SP", "2025-04-12", paid="-10.00", order_id=3),  # a refund paid out
        line("SI", "2025-05-01", "50.50", order_id=4, due="2025-05-31"),
        line("SI", "2025-05-02", "77.00", order_id=5),  # after the period
    ]
    result = statement(lines, Decimal("200.00"), date(2025, 4, 1), date(2025, 5, 1), "GBP")
    assert [e.balance for e in result.entries] == [
        Decimal("320.00"),
        Decimal("220.00"),
        Decimal("190.00"),
        Decimal("200.00"),
        Decimal("250.50"),
    ]
    assert [(e.debit, e.credit) for e in result.entries] == [
        (Decimal("120.00"), None),
        (None, Decimal("100.00")),
        (None, Decimal("30.00")),
        (Decimal("10.00"), None),
        (Decimal("50.50"), None),
    ]
    assert [e.label for e in result.entries] == ["Invoice", "Payment", "Credit note", "Refund", "Invoice"]
    assert result.opening == Decimal("200.00") and result.closing == Decimal("250.50")
    assert result.total_debits - result.total_credits == result.closing - result.opening
    assert result.entries[0].due_on == date(2025, 5, 2) and result.entries[1].due_on is None


def test_no_transactions_before_means_an_opening_balance_of_zero():
    result = statement([], None, date(2025, 4, 1), date(2025, 5, 1), "EUR")
    assert result.opening == result.closing == 0 and result.entries == []


# --- ageing ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "bucket"), [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (4000, 4)]
)
def test_bucket_edges(days, bucket):
    assert bucket_index(days) == bucket


def test_ageing_by_days_past_due_as_of_the_end_date():
    as_of = date(2025, 6, 30)
    lines = [
        line("SI", "2025-06-20", "100.00", order_id=1, due="2025-07-20"),  # not yet due
        line("SI", "2025-05-01", "200.00", order_id=2, due="2025-06-29"),  # 1 day overdue
        line("SI", "2025-04-01", "300.00", order_id=3, due="2025-05-01"),  # 60 days
        line("SR", "2025-05-15", paid="120.00", order_id=3),  # part paid
        line("SI", "2025-03-01", "400.00", order_id=4, due="2025-03-31"),  # 91 days
        line("SR", "2025-07-05", paid="400.00", order_id=4),  # paid after as_of: still unpaid then
        line("SI", "2025-02-01", "50.00", order_id=5, due="2025-03-03"),  # fully paid
        line("SR", "2025-03-01", paid="50.00", order_id=5),
        line("SC", "2025-06-01", "-40.00", order_id=6),  # open credit, no due date: 29 days old
        line("SR", "2025-06-10", paid="25.00", order_id=9),  # payment for no document: unallocated
        line("SI", "2025-07-01", "999.00", order_id=7, due="2025-07-31"),  # after as_of
    ]
    result = ageing(lines, as_of)
    assert result.buckets == (
        Decimal("100.00"),
        Decimal("200.00") + Decimal("-40.00"),
        Decimal("180.00"),
        Decimal("0"),
        Decimal("400.00"),
    )
    assert result.unallocated == Decimal("-25.00")
    assert result.overdue == Decimal("740.00")
    # The buckets add up to the balance at as_of: every movement dated up to then.
    balance = sum(
        (Decimal(x.invoice_amount) - (x.paid_amount if x.journal_type_code in ("SR", "SP") else 0))
        for x in lines
        if x.journal_date <= as_of
    )
    assert result.total == balance == Decimal("815.00")
    assert [label for label, _ in result.rows] == ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]


def test_ageing_an_overpaid_invoice_and_two_documents_on_one_order():
    as_of = date(2025, 6, 30)
    lines = [
        line("SI", "2025-05-01", "100.00", order_id=1, due="2025-05-31", journal_id=1),
        line("SI", "2025-06-01", "60.00", order_id=1, due="2025-07-01", journal_id=2),
        line("SR", "2025-06-05", paid="130.00", order_id=1),
        line("SI", "2025-06-01", "10.00", order_id=2, due="2025-06-01"),
        line("SR", "2025-06-02", paid="15.00", order_id=2),
    ]
    result = ageing(lines, as_of)
    # The payment settles the older invoice first; the rest of it goes to the newer one.
    assert result.buckets[0] == Decimal("30.00")
    assert result.buckets[1] == Decimal("-5.00")  # overpaid
    assert result.total == Decimal("25.00")


# --- CSV -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("PO-77", "PO-77"),
        ("", ""),
    ],
)
def test_csv_text_cells_cannot_run_as_formulas(text, safe):
    assert csv_text(text) == safe


def test_statement_csv_of_constructed_data():
    lines = [
        line("SI", "2025-04-02", "120.00", order_id=2, reference="=cmd|' /C calc'!A0", customer_reference="@evil"),
        line("SR", "2025-04-10", paid="400.00", order_id=2, reference="-PAY"),
    ]
    result = statement(lines, Decimal("-10.00"), date(2025, 4, 1), date(2025, 4, 30), "GBP")
    rows = list(csv.reader(io.StringIO(statement_csv(result))))
    assert rows[0] == ["Date", "Type", "Reference", "Your reference", "Due date", "Debit", "Credit", "Balance", "Currency"]
    assert rows[1] == ["2025-04-01", "Opening balance", "", "", "", "", "", "-10.00", "GBP"]
    assert rows[2][2] == "'=cmd|' /C calc'!A0" and rows[2][3] == "'@evil"
    assert rows[3][2] == "'-PAY"
    # Our own numbers stay numbers, negative ones too.
    assert rows[3][7] == "-290.00" and rows[-1] == ["2025-04-30", "Closing balance", "", "", "", "", "", "-290.00", "GBP"]


# --- the page --------------------------------------------------------------------------------
def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r"<div(?: class=\"[^\"]*\")?><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", html))


def pounds(amount) -> str:
    value = Decimal(amount)
    return f"{'-' if value < 0 else ''}£{abs(value):,.2f}"


def test_statement_page_balances_match_brightpearl(alice, sandbox):
    response = alice.get("/statement")
    assert response.status_code == 200
    html = response.text
    today = date.today()
    start = today - timedelta(days=90)
    shown = figures(html)
    assert shown["Opening balance"] == pounds(sandbox.data.balance(1001, "GBP", None, start - timedelta(days=1)) or 0)
    assert shown["Closing balance"] == pounds(sandbox.data.balance(1001, "GBP", None, today))
    # The ageing total is what was unpaid at the end of the period: the closing balance.
    assert f'<td class="num" data-label="Total"><strong>{shown["Closing balance"]}</strong></td>' in html
    assert "Harper &amp; Lowe Interiors Ltd" in html and "amounts in GBP" in html
    for label in ("Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"):
        assert label in html
    assert f'href="/statement.csv?from={start.isoformat()}&amp;to={today.isoformat()}"' in html
    assert f'href="/statement.pdf?from={start.isoformat()}&amp;to={today.isoformat()}"' in html


def test_statement_of_an_earlier_period_ages_as_of_its_end(alice, sandbox):
    end = date.today() - timedelta(days=120)
    start = end - timedelta(days=200)
    html = alice.get(f"/statement?from={start}&to={end}").text
    shown = figures(html)
    assert shown["Closing balance"] == pounds(sandbox.data.balance(1001, "GBP", None, end) or 0)
    assert f'<td class="num" data-label="Total"><strong>{shown["Closing balance"]}</strong></td>' in html
    assert f"Unpaid on {end.day} {end:%b %Y}" in html


def test_bad_dates_answer_400_with_the_error_beside_the_field_and_no_calls(alice, sandbox):
    sandbox.reset_calls()
    response = alice.get("/statement?from=2025-02-30&to=2025-03-31")
    assert response.status_code == 400
    html = response.text
    assert 'aria-invalid="true" aria-describedby="statement-from-error"' in html
    assert '<p class="field-error" id="statement-from-error">That date does not exist.</p>' in html
    assert 'value="2025-02-30"' in html  # what was typed is shown back
    assert "Transactions" not in html
    assert sandbox.calls == []
    for path in ("/statement.csv", "/statement.pdf"):
        other = alice.get(f"{path}?from=2025-05-01&to=2025-04-01")
        assert other.status_code == 400 and "text/html" in other.headers["content-type"]
        assert 'id="statement-from-error"' in other.text


def test_markup_in_the_dates_is_shown_as_text(alice):
    response = alice.get("/statement", params={"from": '"><script>alert(1)</script>'})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text


def test_htmx_gets_the_statement_area(alice):
    page = alice.get("/statement").text
    assert 'hx-target="#statement-area"' in page and 'hx-push-url="true"' in page
    assert 'method="get" action="/statement"' in page
    fragment = alice.get("/statement", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "Closing balance" in fragment.text


# --- CSV over HTTP ---------------------------------------------------------------------------
def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


def test_csv_has_a_header_and_a_running_balance_that_adds_up(alice, sandbox):
    end = date.today()
    start = end - timedelta(days=300)
    response = alice.get(f"/statement.csv?from={start}&to={end}")
    assert response.headers["content-disposition"] == f'attachment; filename="statement-{start}-to-{end}.csv"'
    rows = read_csv(response)
    assert rows[0][:8] == ["Date", "Type", "Reference", "Your reference", "Due date", "Debit", "Credit", "Balance"]
    assert rows[1][1] == "Opening balance" and rows[-1][1] == "Closing balance"
    assert len(rows) > 10
    balance = Decimal(rows[1][7])
    for row in rows[2:-1]:
        balance += Decimal(row[5] or 0) - Decimal(row[6] or 0)
        assert Decimal(row[7]) == balance, row
        assert start.isoformat() <= row[0] <= end.isoformat()
    assert Decimal(rows[-1][7]) == balance == sandbox.data.balance(1001, "GBP", None, end)
    assert {row[8] for row in rows[1:]} == {"GBP"}


def test_csv_guards_references_typed_by_people(alice, sandbox):
    order = max(
        (o for o in sandbox.data.orders_for(1001, "SO") if o["invoices"][0]["invoiceReference"]),
        key=lambda o: o["invoices"][0]["taxDate"],
    )
    order["reference"] = '=HYPERLINK("http://evil.example","Click")'
    rows = read_csv(alice.get("/statement.csv"))
    cells = [row[3] for row in rows if order["invoices"][0]["invoiceReference"] == row[2]]
    assert cells == ["'" + order["reference"]]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


# --- ownership -------------------------------------------------------------------------------
def test_the_statement_is_always_the_logged_in_customers(client, sandbox):
    bob = switch_to(client, "bob@example.com")
    bobs = bob.get("/statement").text
    alice = switch_to(client, "alice@example.com")
    sandbox.reset_calls()
    empty_cache(alice)
    tried = alice.get("/statement?contactId=1003&contact_id=1003&customer=1003").text
    plain = alice.get("/statement").text
    assert figures(tried) == figures(plain) != figures(bobs)
    paths = [path for _, path, _ in sandbox.calls]
    assert any("/contact/1001" in path for path in paths)
    assert not any("1003" in path for path in paths)


def test_suppliers_and_admins_get_no_statement(client):
    for email in ("sam@example.com", "admin@example.com"):
        other = switch_to(client, email)
        for path in ("/statement", "/statement.csv", "/statement.pdf"):
            assert other.get(path).status_code == 403


def test_an_account_without_a_known_currency_is_told_so(alice, sandbox):
    sandbox.data.contacts[1001]["financialDetails"]["currencyId"] = 99
    empty_cache(alice)
    response = alice.get("/statement")
    assert response.status_code == 200 and "Your statement is not available online" in response.text
    assert alice.get("/statement.csv").status_code == 404
    assert alice.get("/statement.pdf").status_code == 404


# --- Brightpearl calls -----------------------------------------------------------------------
def test_brightpearl_call_counts_cold_and_warm(alice, sandbox):
    cold = len(calls_for(alice, sandbox, "/statement", cold=True))
    warm = len(calls_for(alice, sandbox, "/statement"))
    downloads = len(calls_for(alice, sandbox, "/statement.csv")) + len(calls_for(alice, sandbox, "/statement.pdf"))
    # contact + price lists + statement search (one page of ≤500 lines) + opening balance
    assert (cold, warm, downloads) == (4, 0, 0)
    earlier = date.today() - timedelta(days=30)
    other_period = calls_for(alice, sandbox, f"/statement?from={earlier - timedelta(days=45)}&to={earlier}")
    # Another period: only its opening balance is new; the transactions are shared.
    assert len(other_period) == 1 and "/balance" in other_period[0][1]


# --- references people recognise -------------------------------------------------------------
def test_a_card_payment_shows_the_invoice_it_paid_not_the_processors_id():
    lines = [
        line("SI", "2025-04-02", "120.00", order_id=2, reference="SI-20931", customer_reference="PO-77"),
        line("SR", "2025-04-10", paid="120.00", order_id=2, reference="pi_3QwErTy12345678901234567", customer_reference="PO-77"),
        line("SR", "2025-04-11", paid="5.00", order_id=9, reference="BACS-HL-123456"),
        line("SP", "2025-04-12", paid="-5.00", order_id=2, reference="re_3QwErTy1234567890"),
    ]
    result = statement(lines, None, date(2025, 4, 1), date(2025, 4, 30), "GBP")
    card, bank, refund = result.entries[1:]
    assert (card.label, card.reference, card.settles, card.described) == ("Card payment", "", "SI-20931", "For SI-20931")
    assert card.your_reference == "PO-77"
    # A bank reference is something a person can find on their own statement: kept.
    assert (bank.label, bank.reference, bank.settles, bank.described) == ("Payment", "BACS-HL-123456", "", "BACS-HL-123456")
    assert refund.label == "Card refund" and refund.described == "For SI-20931"
    # The CSV keeps Brightpearl's reference, to match against card and bank statements.
    rows = list(csv.reader(io.StringIO(statement_csv(result))))
    assert rows[3][1:3] == ["Card payment", "pi_3QwErTy12345678901234567"]


def test_the_statement_page_shows_no_processor_ids_and_links_what_a_payment_paid(alice, sandbox):
    start = date.today() - timedelta(days=366)
    refs = [ln["reference"] for ln in sandbox.data.statement_lines(1001) if ln["journalDate"][:10] >= start.isoformat()]
    assert any(ref.startswith("pi_") for ref in refs), "demo data has a card processor's payment id"
    html = alice.get(f"/statement?from={start}").text
    assert not re.search(r"\bpi_[A-Za-z0-9]{10,}", html)
    paid = re.findall(r'For <a href="/documents/(\d+)">([^<]+)</a>', html)
    assert paid
    for order_id, number in paid:
        assert sandbox.data.orders[int(order_id)]["invoices"][0]["invoiceReference"] == number
