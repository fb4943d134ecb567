"""The customer dashboard at `/`: a shell without Brightpearl calls and one fragment per tile."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from support import calls_for, empty_cache, switch_to

from portal.brightpearl.reads import TTL
from portal.core.formatting import money
from portal.sandbox import reference as ref
from portal.sandbox.formats import wire_day

ALICE, BOB = 1001, 1003
TILES = ["balance", "overdue", "open-orders", "quotes", "latest-orders", "shipments"]
ORDER_LINK = re.compile(r'href="/orders/(\d+)"')
HTMX = {"HX-Request": "true"}
LONDON = ZoneInfo("Europe/London")


def tile(client, name: str):
    return client.get(f"/tiles/{name}", headers=HTMX)


def text_of(html: str) -> str:
    """The visible text of a fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- what the sandbox says (computed from its data, not through the portal) ----------------------
def sales_orders(sandbox, contact_id: int) -> list[dict]:
    return sandbox.data.orders_for(contact_id, "SO")


def expected_overdue(sandbox, contact_id: int) -> tuple[int, Decimal]:
    """Invoiced sales orders, unpaid or part-paid, due before today (London): count, amount due."""
    today = datetime.now(LONDON).date()
    count, total = 0, Decimal(0)
    for order in sales_orders(sandbox, contact_id):
        invoice = order["invoices"][0] if order["invoices"] else {}
        if not invoice.get("invoiceReference") or order["orderPaymentStatus"] not in ("UNPAID", "PARTIALLY_PAID"):
            continue
        if wire_day(invoice["dueDate"], sandbox.data.zone) < today:
            count += 1
            total += Decimal(order["totalValue"]["total"]) - sandbox.data.amount_paid(order["id"])
    return count, total


def newest_order_ids(sandbox, contact_id: int, *, quotes: bool) -> list[int]:
    """The contact's sales order ids, newest first: only the quotes, or all but the quotes."""
    return sorted(
        (o["id"] for o in sales_orders(sandbox, contact_id) if (o["orderStatus"]["orderStatusId"] == ref.STATUS_QUOTE) == quotes),
        reverse=True,
    )


def status_counts(sandbox, contact_id: int) -> tuple[int, int]:
    """(open orders, open quotes) by the status ids of the demo account: an invoiced order is
    open until its goods have gone (portal.domain.status_labels), a cancelled one never."""
    orders = sales_orders(sandbox, contact_id)
    ids = [o["orderStatus"]["orderStatusId"] for o in orders]

    def closed(o) -> bool:
        status = o["orderStatus"]["orderStatusId"]
        shipped = o["shippingStatusCode"] in ("ASS", "NST")
        return status == ref.STATUS_CANCELLED or (status == ref.STATUS_INVOICED and shipped)

    return sum(1 for o in orders if o["orderStatus"]["orderStatusId"] != ref.STATUS_QUOTE and not closed(o)), ids.count(ref.STATUS_QUOTE)


# --- the shell --------------------------------------------------------------------------------
def test_the_shell_makes_no_brightpearl_call_and_has_a_placeholder_with_a_plain_link_per_tile(alice, sandbox):
    empty_cache(alice)
    sandbox.reset_calls()
    response = alice.get("/")
    assert response.status_code == 200
    assert sandbox.calls == []
    html = response.text
    sections = re.findall(r"<section [^>]*>", html)
    assert len(sections) == len(TILES)
    for name, section in zip(TILES, sections, strict=True):
        assert f'id="tile-{name}"' in section
        assert 'aria-busy="true"' in section
        assert f'hx-get="/tiles/{name}"' in section and 'hx-trigger="load"' in section
        assert f'aria-labelledby="tile-{name}-title"' in section
        assert f'<a href="/tiles/{name}">' in html  # without JavaScript the link opens the tile
    assert len(re.findall(r'<h2 class="tile__title" id="tile-[a-z-]+-title">', html)) == len(TILES)
    assert '<a href="/" aria-current="page">Dashboard</a>' in html
    assert "/static/dashboard.css" in html


def test_suppliers_and_admins_keep_the_simple_home_page_and_cannot_open_tiles(client):
    for email in ("sam@example.com", "admin@example.com"):
        other = switch_to(client, email)
        home = other.get("/")
        assert home.status_code == 200 and "tile" not in home.text
        assert other.get("/tiles/balance").status_code == 403
        assert tile(other, "balance").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/tiles/balance", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("name", ["nope", "BALANCE", "balance.html", "..%2Fadmin", "%3Cscript%3E"])
def test_unknown_tiles_are_404(alice, name):
    assert alice.get(f"/tiles/{name}").status_code == 404
    assert tile(alice, name).status_code == 404


# --- each tile against the demo data ------------------------------------------------------------
def test_balance_tile_shows_balance_limit_and_available_credit_in_the_contacts_currency(alice, sandbox):
    response = tile(alice, "balance")
    assert response.status_code == 200
    assert "<html" not in response.text and 'aria-busy' not in response.text
    balance = sandbox.data.balance(ALICE, "GBP")
    limit = Decimal(sandbox.data.contacts[ALICE]["financialDetails"]["creditLimit"])
    assert 0 < balance < limit
    text = text_of(response.text)
    assert f"{money(balance, 'GBP')} owed on your account" in text
    assert f"Credit limit {money(limit, 'GBP')}" in text
    assert f"Available credit {money(limit - balance, 'GBP')}" in text
    assert "Payment terms 30 days" in text
    assert "over your credit limit" not in text


def test_balance_over_the_credit_limit_is_stated_plainly(alice, sandbox):
    sandbox.data.contacts[ALICE]["financialDetails"]["creditLimit"] = 5000
    empty_cache(alice)
    text = text_of(tile(alice, "balance").text)
    over = sandbox.data.balance(ALICE, "GBP") - 5000
    assert f"You are {money(over, 'GBP')} over your credit limit." in text
    assert f"Available credit {money(0, 'GBP')}" in text


def test_no_credit_limit_says_so(alice, sandbox):
    sandbox.data.contacts[ALICE]["financialDetails"]["creditLimit"] = 0
    empty_cache(alice)
    text = text_of(tile(alice, "balance").text)
    assert "Credit limit None set" in text and "Available credit" not in text and "Credit used" not in text


def test_overdue_tile_counts_unpaid_invoices_past_their_due_date(alice, sandbox):
    count, total = expected_overdue(sandbox, ALICE)
    assert count >= 2, "the demo data should give alice overdue invoices"
    text = text_of(tile(alice, "overdue").text)
    assert f"{count} invoices past due, {money(total, 'GBP')} to pay" in text
    # The same answer from the accounting side: statement lines with money still due.
    today = datetime.now(LONDON).date()
    lines = [
        line for line in sandbox.data.statement_lines(ALICE)
        if line["journalTypeCode"] == "SI" and Decimal(line["dueAmount"]) > 0
        and wire_day(line["journalDueDate"], sandbox.data.zone) < today
    ]
    assert len(lines) == count
    oldest = min(lines, key=lambda line: line["journalDueDate"])
    assert f"Invoice {oldest['reference']}" in text


def test_open_orders_and_quotes_tiles_follow_the_status_rules(alice, sandbox):
    open_count, quote_count = status_counts(sandbox, ALICE)
    assert open_count and quote_count >= 2
    orders = tile(alice, "open-orders").text
    assert text_of(orders).startswith(f"Open orders {open_count} order")
    # Counted by the customer's labels (portal.domain.status_labels), linked to the list's filter.
    assert 'href="/orders?status=Order+received"' in orders and "Completed" not in orders and "Quote" not in orders
    quotes = tile(alice, "quotes").text
    assert text_of(quotes).startswith(f"Open quotes {quote_count} quote")
    newest_quotes = newest_order_ids(sandbox, ALICE, quotes=True)[:3]
    # With the quotes pages installed, the newest quotes and "All quotes" lead there.
    assert [int(i) for i in re.findall(r'href="/quotes/(\d+)"', quotes)] == newest_quotes
    assert 'href="/quotes"' in quotes


def test_latest_orders_tile_lists_the_five_newest_orders_that_are_not_quotes(alice, sandbox):
    html = tile(alice, "latest-orders").text
    expected = newest_order_ids(sandbox, ALICE, quotes=False)[:5]
    assert [int(i) for i in ORDER_LINK.findall(html)] == expected
    newest = sandbox.data.orders[expected[0]]
    assert money(Decimal(newest["totalValue"]["total"]), "GBP") in html
    # With the customer's label of its status, not Brightpearl's workflow name.
    assert re.search(r'<span class="status status--[a-z]+">(Order received|Being prepared|Shipped|Completed|Cancelled)</span>', html)


def test_shipments_tile_shows_the_newest_despatches_with_method_and_tracking_link(alice, sandbox):
    html = tile(alice, "shipments").text
    recent = newest_order_ids(sandbox, ALICE, quotes=False)[:10]
    notes = [n for order_id in recent for n in sandbox.data.goods_out_for(order_id).values()]
    notes.sort(key=lambda n: n["status"].get("shippedOn") or n["createdOn"], reverse=True)
    shown = notes[:5]
    assert [int(i) for i in ORDER_LINK.findall(html)] == [n["orderId"] for n in shown]
    methods = {m.id: m for m in ref.SHIPPING_METHODS}
    for note in shown:
        assert methods[note["shipping"]["shippingMethodId"]].name in html
    linked = [n for n in shown if n["shipping"]["reference"] and n["shipping"]["shippingMethodId"] in (3, 9, 11)]
    assert linked, "the demo should show at least one carrier link among alice's newest shipments"
    for note in linked:
        assert '<a class="tracking" href="https://www.' in html
        assert note["shipping"]["reference"] in html


def test_bob_sees_only_his_own_figures_and_orders(client, sandbox):
    bob = switch_to(client, "bob@example.com")
    bobs = {o["id"] for o in sandbox.data.orders_for(BOB)}
    alices = {o["id"] for o in sandbox.data.orders_for(ALICE)}
    seen: set[int] = set()
    for name in TILES:
        response = tile(bob, name)
        assert response.status_code == 200
        seen |= {int(i) for i in ORDER_LINK.findall(response.text)}
    assert seen and seen <= bobs and not seen & alices
    balance_text = text_of(tile(bob, "balance").text)
    assert money(sandbox.data.balance(BOB, "GBP"), "GBP") in balance_text
    assert money(sandbox.data.balance(ALICE, "GBP"), "GBP") not in balance_text
    open_count, quote_count = status_counts(sandbox, BOB)
    assert text_of(tile(bob, "open-orders").text).startswith(f"Open orders {open_count} order")
    assert text_of(tile(bob, "quotes").text).startswith(f"Open quotes {quote_count} quote")


def test_text_from_brightpearl_is_shown_as_text(alice, sandbox):
    quote = newest_order_ids(sandbox, ALICE, quotes=True)[0]
    sandbox.data.orders[quote]["reference"] = '<img src=x onerror="alert(1)">'
    empty_cache(alice)
    html = tile(alice, "quotes").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


# --- without JavaScript: the tile as a page of its own ----------------------------------------------
@pytest.mark.parametrize("name", TILES)
def test_each_tile_opens_as_a_small_page_without_javascript(alice, name):
    response = alice.get(f"/tiles/{name}")
    assert response.status_code == 200
    html = response.text
    assert html.startswith("<!doctype html>") and '<nav class="breadcrumbs"' in html
    assert re.search(r'<h1 class="tile__title" id="tile-[a-z-]+-title">', html)
    assert "hx-trigger" not in html
    assert response.headers["vary"] == "HX-Request"


# --- Brightpearl calls ------------------------------------------------------------------------
COLD_CALLS = {"balance": 3, "overdue": 5, "open-orders": 2, "quotes": 2, "latest-orders": 3, "shipments": 4}


@pytest.mark.parametrize("name", TILES)
def test_each_tile_costs_a_few_calls_cold_and_none_warm(alice, sandbox, name):
    cold = calls_for(alice, sandbox, f"/tiles/{name}", cold=True, headers=HTMX)
    warm = calls_for(alice, sandbox, f"/tiles/{name}", headers=HTMX)
    assert (len(cold), len(warm)) == (COLD_CALLS[name], 0)


def test_the_whole_dashboard_costs_nine_calls_cold_and_none_warm(alice, sandbox):
    empty_cache(alice)
    sandbox.reset_calls()
    assert alice.get("/").status_code == 200
    for name in TILES:
        assert tile(alice, name).status_code == 200
    paths = sorted(path for _, path, _ in sandbox.calls)
    assert len(paths) == 9, paths  # contact, price lists, balance, statement, statuses, index, orders, goods-out, methods
    assert len(set(paths)) == len(paths)  # nothing read twice: the tiles share the cache
    sandbox.reset_calls()
    alice.get("/")
    for name in TILES:
        tile(alice, name)
    assert sandbox.calls == []


def test_the_shipments_tile_fills_the_cache_the_order_page_reads_its_shipments_from(alice, sandbox):
    empty_cache(alice)
    order_id = int(ORDER_LINK.findall(tile(alice, "shipments").text)[0])
    sandbox.reset_calls()
    assert alice.get(f"/orders/{order_id}").status_code == 200
    called = [path for _, path, _ in sandbox.calls]
    assert called and not [path for path in called if "goods-note" in path]


# --- Brightpearl down ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", TILES)
def test_a_tile_that_cannot_load_says_so_with_a_retry_link_not_an_error_page(alice, sandbox, name):
    empty_cache(alice)
    sandbox.knobs.outage = True
    response = tile(alice, name)
    assert response.status_code == 200
    html = response.text
    assert "We couldn't load this just now." in html
    assert f'<a href="/tiles/{name}" hx-get="/tiles/{name}" hx-target="#tile-{name}" hx-swap="outerHTML">Try again</a>' in html
    assert "error-page" not in html and "Reference:" not in html
    page = alice.get(f"/tiles/{name}")  # without JavaScript: the tile page, honest about the outage
    assert page.status_code == 503
    assert f'<a href="/tiles/{name}">Try again</a>' in page.text and "<h1" in page.text


def test_a_stale_tile_shows_its_age(alice, sandbox):
    for name in TILES:
        tile(alice, name)
    cache = alice.app.state["components"].cache
    for kind in TTL:
        cache.invalidate(kind)  # expired, but kept as the last resort when Brightpearl is down
    sandbox.knobs.outage = True
    for name in TILES:
        response = tile(alice, name)
        assert response.status_code == 200
        assert "couldn't load" not in response.text
        assert re.search(r"As of <time datetime=\"[^\"]+\">[^<]+</time> \(a minute ago\): Brightpearl is not answering.", response.text)
    assert money(sandbox.data.balance(ALICE, "GBP"), "GBP") in tile(alice, "balance").text
