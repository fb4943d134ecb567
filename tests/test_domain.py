"""The rules areas share (portal.domain), on constructed models, and the pages that ask them
giving the same answers for one customer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

import pytest

from portal.brightpearl.models import Contact, GoodsOutNote, Order, OrderSearchRow, OrderStatus, OrderType, PriceList
from portal.core.formatting import money
from portal.domain.account import AccountCurrency, Credit, account_currency, credit_terms, days
from portal.domain.documents import CREDIT, INVOICE, document_kind, row_kind
from portal.domain.order_states import UNKNOWN_STATUS, is_closed, is_open, is_quote, status_name, status_sort_key
from portal.domain.shipments import in_despatch_order, newest_first, shipping_state
from portal.outbox.queue import OutboxItem

ALICE = 1001
GBP = PriceList(id=2, name="Trade", currency_code="GBP", currency_id=1)
EUR = PriceList(id=4, name="Trade EUR", currency_code="EUR", currency_id=2)
PRICE_LISTS = {GBP.id: GBP, EUR.id: EUR}


# --- the account's currency and credit ---------------------------------------------------------
def test_the_account_currency_is_the_contacts_currency_named_by_a_price_list():
    assert account_currency(Contact(currency_id=2, price_list_id=2), PRICE_LISTS) == AccountCurrency("EUR", 2)
    assert account_currency(Contact(currency_id=1), PRICE_LISTS) == AccountCurrency("GBP", 1)


def test_an_unnamed_currency_is_unknown_rather_than_guessed_from_the_price_list():
    # Contact 1: USD (id 3) is named by no price list; its own price list is in GBP.
    assert account_currency(Contact(currency_id=3, price_list_id=2), PRICE_LISTS) is None
    assert account_currency(Contact(currency_id=0, price_list_id=2), PRICE_LISTS) is None
    broken = {9: PriceList(id=9, currency_code="pounds", currency_id=5)}
    assert account_currency(Contact(currency_id=5), broken) is None


@pytest.mark.parametrize(
    ("limit", "balance", "available", "over_by", "used"),
    [
        (100, 40, 60, None, 40),
        (100, 100, 0, None, 100),
        (100, 140, 0, 40, 100),
        (100, -20, 120, None, 0),
        (0, 40, None, None, None),  # creditLimit 0: no limit set
        (100, None, None, None, None),  # the balance is not known now
    ],
)
def test_credit_left_is_never_negative_and_the_overrun_is_said_apart(limit, balance, available, over_by, used):
    credit = Credit("GBP", Decimal(limit), None if balance is None else Decimal(balance))
    assert credit.available == (None if available is None else Decimal(available))
    assert credit.over_by == (None if over_by is None else Decimal(over_by))
    assert credit.over_limit is (over_by is not None)
    assert credit.used_percent == used


def test_terms_and_days_have_their_singular():
    assert (days(1), days(2), days(30)) == ("1 day", "2 days", "30 days")
    assert (credit_terms(1), credit_terms(30), credit_terms(0), credit_terms(-5)) == (
        "1 day", "30 days", "No credit terms", "No credit terms",
    )


# --- orders ------------------------------------------------------------------------------------
QUOTE = OrderStatus(id=1, name="Quote", state="draft", sort_order=1)
PLACED = OrderStatus(id=2, name="Order placed", sort_order=2)
INVOICED = OrderStatus(id=4, name="Invoiced & shipped", sort_order=5)
CANCELLED = OrderStatus(id=5, name="CANCELLED", sort_order=6)
STATUSES = MappingProxyType({s.id: s for s in (QUOTE, PLACED, INVOICED, CANCELLED)})


def test_quotes_open_and_closed_orders():
    assert is_quote(QUOTE) and not is_open(QUOTE) and not is_closed(QUOTE)
    assert is_open(PLACED) and not is_closed(PLACED)
    assert is_closed(INVOICED) and is_closed(CANCELLED)
    assert is_open(None)  # a status the account no longer lists: still in progress


def test_one_name_for_a_status_the_account_no_longer_lists():
    assert status_name(STATUSES, 2) == "Order placed"
    assert status_name(STATUSES, 2, given="Placed (web)") == "Placed (web)"
    assert status_name(STATUSES, 99) == UNKNOWN_STATUS == status_name(STATUSES, None)
    assert status_sort_key(STATUSES, 4) == 5 and status_sort_key(STATUSES, 99) > status_sort_key(STATUSES, 5)


def test_order_types_by_id_and_code():
    assert OrderType(3).code == "SC" and OrderType.of_code(" po ") is OrderType.PURCHASE_ORDER
    assert OrderType.of_code("XX") is None
    assert OrderSearchRow(order_type_id=1).order_type is OrderType.SALES_ORDER
    assert OrderSearchRow(order_type_id=9).order_type is None
    assert Order(order_type_code="SO").order_type is OrderType.SALES_ORDER


def test_document_kinds():
    assert document_kind(Order(order_type_code="SO")) == INVOICE
    assert document_kind(Order(order_type_code="SC")) == CREDIT
    assert document_kind(Order(order_type_code="PO")) == ""
    assert row_kind(OrderSearchRow(order_type_id=3)) == CREDIT and row_kind(OrderSearchRow(order_type_id=2)) == ""


def test_shipping_states_and_despatch_order():
    assert shipping_state("SPS") == "Part shipped" and shipping_state("XYZ") == shipping_state(None) == "–"
    day = datetime(2025, 5, 1, tzinfo=UTC)
    later = datetime(2025, 5, 3, tzinfo=UTC)
    preparing = GoodsOutNote(id=3, created_on=day)
    first = GoodsOutNote(id=2, shipped_on=day)
    second = GoodsOutNote(id=1, shipped_on=later)
    undated = GoodsOutNote(id=4)
    assert [n.id for n in in_despatch_order([preparing, second, undated, first])] == [2, 1, 4, 3]
    assert [n.id for n in newest_first([preparing, second, undated, first])] == [1, 3, 2, 4]


# --- the state of a queued write ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("state", "attempts", "last_error", "progress"),
    [
        ("pending", 0, None, "sending"),  # just committed, first attempt on its way
        ("sending", 1, None, "sending"),
        ("sending", 3, "throttled", "sending"),  # a retry is on the wire now
        ("pending", 2, "throttled", "waiting"),  # the next retry is scheduled
        ("pending", 1, None, "waiting"),  # handed back at shutdown
        ("done", 1, None, "done"),
        ("failed", 4, "refused", "failed"),
    ],
)
def test_one_rule_says_where_a_write_is(state, attempts, last_error, progress):
    item = OutboxItem(
        id=1, user_id=1, contact_id=ALICE, kind="order_note", idem_key="k", target_id=7, payload={}, state=state,
        attempts=attempts, result={}, last_error=last_error, created_at=datetime(2025, 5, 1, tzinfo=UTC),
    )
    assert item.progress == progress


# --- the pages agree ---------------------------------------------------------------------------
HTMX = {"HX-Request": "true"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def fact(page: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    assert found, f"no {label!r} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_account_dashboard_and_statement_agree_when_the_currency_is_unknown(alice, sandbox):
    sandbox.data.contacts[ALICE]["financialDetails"]["currencyId"] = 3  # USD: no price list names it
    alice.app.state["components"].cache.clear()
    account = alice.get("/account").text
    assert fact(account, "Current balance") == "Not available right now"
    tile = text_of(alice.get("/tiles/balance", headers=HTMX).text)
    assert "Your balance is not available in the portal" in tile
    overdue = text_of(alice.get("/tiles/overdue", headers=HTMX).text)
    assert "Overdue invoices are not available in the portal" in overdue
    statement = alice.get("/statement")
    assert statement.status_code == 200 and "Your statement is not available online" in statement.text


def test_account_and_dashboard_agree_on_credit_and_terms(alice, sandbox):
    details = sandbox.data.contacts[ALICE]["financialDetails"]
    details.update(creditLimit=1000, creditTermDays=1)
    alice.app.state["components"].cache.clear()
    over = sandbox.data.balance(ALICE, "GBP") - 1000
    assert over > 0
    account = alice.get("/account").text
    tile = text_of(alice.get("/tiles/balance", headers=HTMX).text)
    assert fact(account, "Available credit") == f"None: over limit by {money(over, 'GBP')}"
    assert f"You are {money(over, 'GBP')} over your credit limit." in tile
    assert f"Available credit {money(0, 'GBP')}" in tile
    assert fact(account, "Credit terms") == "1 day" and "Payment terms 1 day" in tile
