"""The sandbox's demo data: personas, determinism, consistency, speed, and the write journal."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import httpx
import pytest
from support import fresh_sandbox

from portal.sandbox import DEMO_PASSWORD, DEMO_USERS, Sandbox, SandboxConfig
from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID, SAM_CONTACT_ID, TOM_CONTACT_ID
from portal.sandbox.formats import parse_wire_datetime, wire_day
from portal.sandbox.generate import SHARED_EMAIL_COMPANIES, generate
from portal.sandbox.store import primary_email

TODAY = date(2025, 6, 2)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    """Read-only in this module: tests that write build their own."""
    return fresh_sandbox(SandboxConfig(today=TODAY))


def test_generation_is_sized_by_customers_and_orders():
    # Its speed (about 0.1 s for this size) is reported by `./run bench`, not asserted here:
    # timed assertions fail on a busy shared machine.
    data = generate(7, 40, 600, TODAY)
    assert len(data.orders) == 600
    # 40 customers, and the two that share one e-mail (made last, see Generator._shared_email).
    customers = sum(1 for c in data.contacts.values() if not (c["relationshipToAccount"]["isSupplier"] or c["relationshipToAccount"]["isStaff"]))
    assert customers == 40 + len(SHARED_EMAIL_COMPANIES)


# ------------------------------------------------------------------------------ personas
def test_demo_users_are_the_four_logins_with_contacts_behind_them(sandbox):
    assert DEMO_PASSWORD == "portal-demo-pass"
    assert [(u["email"], u["role"]) for u in DEMO_USERS] == [
        ("alice@example.com", "customer"), ("bob@example.com", "customer"),
        ("sam@example.com", "supplier"), ("admin@example.com", "admin"),
    ]
    for user in DEMO_USERS:
        assert set(user) == {"email", "role", "contact_id", "name"}
        if user["role"] == "admin":
            assert user["contact_id"] is None
            continue
        contact = sandbox.data.contacts[user["contact_id"]]
        assert primary_email(contact) == user["email"]
        assert sandbox.data.contact_by_email(user["email"]) is contact
        assert contact["relationshipToAccount"]["isSupplier"] is (user["role"] == "supplier")


def test_demo_contact_ids_do_not_depend_on_the_counts():
    small = generate(7, 5, 80, TODAY)
    for user in DEMO_USERS:
        if user["contact_id"] is not None:
            assert primary_email(small.contacts[user["contact_id"]]) == user["email"]
    assert len(small.orders_for(ALICE_CONTACT_ID, "SO")) == len(generate(7, 40, 600, TODAY).orders_for(ALICE_CONTACT_ID, "SO"))


def test_alice_is_a_b2b_customer_with_the_promised_history(sandbox):
    data = sandbox.data
    contact = data.contacts[ALICE_CONTACT_ID]
    assert contact["financialDetails"]["creditLimit"] > 0
    assert contact["assignment"]["current"]["staffOwnerContactId"] in data.contacts
    assert data.contacts[contact["assignment"]["current"]["staffOwnerContactId"]]["relationshipToAccount"]["isStaff"]
    assert Decimal(0) < data.balance(ALICE_CONTACT_ID, "GBP") < contact["financialDetails"]["creditLimit"]
    sales = data.orders_for(ALICE_CONTACT_ID, "SO")
    assert len(sales) >= 40
    statuses = Counter(o["orderStatus"]["orderStatusId"] for o in sales)
    assert statuses[1] >= 2 and statuses[4] >= 20 and statuses[5] >= 1 and statuses[2] + statuses[3] >= 2
    assert {o["orderPaymentStatus"] for o in sales} >= {"PAID", "UNPAID", "PARTIALLY_PAID", "NOT_APPLICABLE"}
    assert all(o["orderStatus"]["name"] == "Draft / Quote" for o in sales if o["orderStatus"]["orderStatusId"] == 1)
    invoiced = [o for o in sales if o["invoices"][0]["invoiceReference"]]
    assert invoiced and all(o["invoices"][0]["invoiceReference"].startswith("SI-") for o in invoiced)
    overdue = [o for o in invoiced if o["orderPaymentStatus"] != "PAID"
               and wire_day(o["invoices"][0]["dueDate"], data.zone) < TODAY]
    assert overdue
    tracked = [o for o in sales if data.tracking_references(o["id"])]
    assert len(tracked) >= 10
    assert any(o["shippingStatusCode"] == "SPS" and len(data.goods_out_for(o["id"])) >= 1 for o in sales)
    credits = data.orders_for(ALICE_CONTACT_ID, "SC")
    assert credits and all(data.orders[c["parentOrderId"]]["parties"]["customer"]["contactId"] == ALICE_CONTACT_ID for c in credits)
    assert any(c["invoices"][0]["invoiceReference"].startswith("SC-") for c in credits)
    notes = [n for o in sales for n in data.notes_for(o["id"])]
    assert any(n["isPublic"] for n in notes) and any(not n["isPublic"] for n in notes)
    assert len(data.addresses_for(ALICE_CONTACT_ID)) >= 4  # head office + several delivery addresses


def test_bob_has_his_own_orders_and_quotes_and_sam_supplies_purchase_orders(sandbox):
    data = sandbox.data
    bob = data.orders_for(BOB_CONTACT_ID)
    assert sum(1 for o in bob if o["orderStatus"]["orderStatusId"] == 1) >= 2
    alice_ids = {o["id"] for o in data.orders_for(ALICE_CONTACT_ID)}
    assert bob and not alice_ids & {o["id"] for o in bob}
    assert data.contacts[BOB_CONTACT_ID]["companyId"] != data.contacts[ALICE_CONTACT_ID]["companyId"]
    assert data.contacts[TOM_CONTACT_ID]["companyId"] == data.contacts[ALICE_CONTACT_ID]["companyId"]
    pos = data.orders_for(SAM_CONTACT_ID)
    assert len(pos) >= 5 and {o["orderTypeCode"] for o in pos} == {"PO"}
    assert any(o["acknowledged"] == 1 for o in pos) and any(o["acknowledged"] == 0 for o in pos)
    assert all("supplier" in o["parties"] and "customer" not in o["parties"] for o in pos)


def test_the_account_has_variety(sandbox):
    orders = list(sandbox.data.orders.values())
    assert {o["orderTypeCode"] for o in orders} == {"SO", "SC", "PO"}
    assert {o["orderStatus"]["orderStatusId"] for o in orders} >= {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19}
    assert any(o["currency"]["orderCurrencyCode"] == "EUR" and o["orderTypeCode"] == "SO" for o in orders)
    assert sum(1 for o in orders if o["reference"] == "") >= 3
    references = [r for o in orders for r in sandbox.data.tracking_references(o["id"])]
    assert any(r.startswith("1Z") for r in references)
    assert any(r.startswith("JD0002") for r in references)
    assert any(r.startswith("RM") and r.endswith("GB") for r in references)
    assert {o["priceModeCode"] for o in orders} == {"EXC", "INC"}  # tax-exclusive and -inclusive (API-ADDENDUM I.2)


# --------------------------------------------------------------------------- consistency
def test_order_totals_add_up(sandbox):
    for order in sandbox.data.orders.values():
        rows = order["orderRows"].values()
        net = sum(Decimal(r["rowValue"]["rowNet"]["value"]) for r in rows)
        tax = sum(Decimal(r["rowValue"]["rowTax"]["value"]) for r in rows)
        totals = order["totalValue"]
        # rowNet of a tax-inclusive order has 4 decimals (recorded 9.0909); totals are in cents.
        assert Decimal(totals["net"]) == net.quantize(Decimal("0.01"), ROUND_HALF_UP), order["id"]
        assert Decimal(totals["taxAmount"]) == tax, order["id"]
        assert Decimal(totals["total"]) == Decimal(totals["net"]) + tax, order["id"]
        assert Decimal(totals["baseTotal"]) == Decimal(totals["baseNet"]) + Decimal(totals["baseTaxAmount"])
        for row in rows:
            rate = Decimal(row["rowValue"]["taxRate"])
            expected = (Decimal(row["rowValue"]["rowNet"]["value"]) * rate / 100).quantize(Decimal("0.01"))
            # INC rows: rowTax is the gross line less rowNet, which may round a cent the other way.
            slack = Decimal("0.01") if order["priceModeCode"] == "INC" else 0
            assert abs(Decimal(row["rowValue"]["rowTax"]["value"]) - expected) <= slack, order["id"]
        if order["currency"]["orderCurrencyCode"] == "GBP":
            assert totals["baseTotal"] == totals["total"]


def test_money_and_dates_use_the_recorded_formats(sandbox):
    order = sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")[0]
    row = next(iter(order["orderRows"].values()))
    assert len(row["rowValue"]["rowNet"]["value"].split(".")[1]) == 4
    assert len(row["rowValue"]["rowTax"]["value"].split(".")[1]) == 2
    assert len(row["quantity"]["magnitude"].split(".")[1]) == 4
    assert len(order["currency"]["exchangeRate"].split(".")[1]) == 6
    assert len(order["totalValue"]["total"].split(".")[1]) == 2
    assert order["placedOn"][19:23] == ".000" and order["placedOn"][-6:] in ("+00:00", "+01:00")


def test_payment_statuses_statement_and_balance_agree(sandbox):
    data = sandbox.data
    for order in data.orders.values():
        if order["orderTypeCode"] != "SO" or order["orderPaymentStatus"] == "NOT_APPLICABLE":
            continue
        paid, total = data.amount_paid(order["id"]), Decimal(order["totalValue"]["total"])
        expected = "PAID" if paid >= total and paid > 0 else "PARTIALLY_PAID" if paid > 0 else "UNPAID"
        assert order["orderPaymentStatus"] == expected, order["id"]
    lines = data.statement_lines(ALICE_CONTACT_ID)
    due = sum(Decimal(line["dueAmount"]) for line in lines if line["journalTypeCode"] in ("SI", "SC"))
    assert data.balance(ALICE_CONTACT_ID, "GBP") == due
    for line in lines:
        if line["journalTypeCode"] == "SI":
            assert Decimal(line["invoiceAmount"]) - Decimal(line["paidAmount"]) == Decimal(line["dueAmount"])


def test_credits_reduce_the_balance(sandbox):
    data = sandbox.data
    credit_lines = [line for line in data.statement_lines(ALICE_CONTACT_ID) if line["journalTypeCode"] == "SC"]
    assert credit_lines and all(Decimal(line["invoiceAmount"]) < 0 for line in credit_lines)


def test_generated_dates_are_not_in_the_future(sandbox):
    latest, zone = TODAY, sandbox.data.zone
    for order in sandbox.data.orders.values():
        assert parse_wire_datetime(order["placedOn"], zone).date() < latest
        if order["invoices"][0]["invoiceReference"]:
            assert wire_day(order["invoices"][0]["taxDate"], zone) < latest
    for payment in sandbox.data.payments.values():
        assert parse_wire_datetime(payment["paymentDate"], zone).date() < latest


# --------------------------------------------------------------------------- determinism
@pytest.mark.anyio
async def test_same_seed_and_day_give_identical_api_answers():
    answers = []
    for _ in range(2):
        sandbox = Sandbox(SandboxConfig(today=TODAY))
        ids = ",".join(str(o["id"]) for o in sandbox.data.orders_for(ALICE_CONTACT_ID))
        async with sandbox.client() as http:
            orders = (await http.get(f"/order-service/order/{ids}")).json()
            contact = (await http.get(f"/contact-service/contact/{ALICE_CONTACT_ID}")).json()
            search = (await http.get("/order-service/order-search?pageSize=500")).json()
        answers.append(json.dumps([orders, contact, search], sort_keys=True))
    assert answers[0] == answers[1]


def test_another_seed_gives_other_data_and_another_day_only_shifts_dates():
    base = generate(7, 40, 600, TODAY)
    other_seed = generate(8, 40, 600, TODAY)
    assert json.dumps(base.orders, sort_keys=True) != json.dumps(other_seed.orders, sort_keys=True)
    later = generate(7, 40, 600, TODAY + timedelta(days=3))
    assert list(base.orders) == list(later.orders)
    for order_id, order in base.orders.items():
        moved = later.orders[order_id]
        assert (order["orderStatus"], order["totalValue"], order["reference"]) == (moved["orderStatus"], moved["totalValue"], moved["reference"])
        placed = (parse_wire_datetime(o["placedOn"], base.zone).date() for o in (moved, order))
        assert next(placed) - next(placed) == timedelta(days=3)
    assert list(base.notes) == list(later.notes) and list(base.goods_out) == list(later.goods_out)


# ------------------------------------------------------------------------------- journal
@pytest.mark.anyio
async def test_the_journal_replays_writes_after_a_restart(tmp_path):
    journal = tmp_path / "sandbox-journal.jsonl"
    config = SandboxConfig(today=TODAY, journal_path=journal)
    first = Sandbox(config)
    order = next(o for o in first.data.orders_for(ALICE_CONTACT_ID) if o["orderStatus"]["orderStatusId"] == 1)
    async with first.client() as http:
        note_id = (await http.post(f"/order-service/order/{order['id']}/note", json={"text": "Keep me", "isPublic": True})).json()["response"]
        await http.put(f"/order-service/order/{order['id']}/status", json={"orderStatusId": 19})
        address_id = (await http.post("/contact-service/postal-address/", json={"addressLine1": "5 Kept Lane", "countryIsoCode": "GBR"})).json()["response"]
        await http.put(f"/contact-service/contact/{ALICE_CONTACT_ID}/postal-address", json=[{"postalAddressId": address_id}])
        assert (await http.post(f"/order-service/order/{order['id']}/note", json={})).status_code == 400  # not journaled
        first.knobs.fail_writes = 1
        assert (await http.post(f"/order-service/order/{order['id']}/note", json={"text": "failed"})).status_code == 503
        first.knobs.lose_responses = 1
        with pytest.raises(httpx.ReadError):  # the write is committed all the same
            await http.post(f"/order-service/order/{order['id']}/note", json={"text": "lost but kept"})
    assert len(journal.read_text().splitlines()) == 5

    second = Sandbox(config)
    assert second.data.notes[note_id] == first.data.notes[note_id]
    assert second.data.orders[order["id"]] == first.data.orders[order["id"]]
    assert [n["text"] for n in second.data.notes_for(order["id"])] == [n["text"] for n in first.data.notes_for(order["id"])]
    assert "failed" not in [n["text"] for n in second.data.notes_for(order["id"])]
    assert second.data.addresses[address_id]["contactId"] == ALICE_CONTACT_ID
    async with second.client() as http:
        assert (await http.post(f"/order-service/order/{order['id']}/note", json={"text": "new"})).json()["response"] > note_id


def test_a_torn_journal_line_is_skipped(tmp_path):
    journal = tmp_path / "journal.jsonl"
    journal.write_text('{"v": 1, "at": "2025-06-01T10:00:00+01:00", "method": "POST", "path": "/contact-service/company", "query": "", "body": "{\\"name\\": \\"X Ltd\\"}"}\n{"v": 1, "at"')
    sandbox = Sandbox(SandboxConfig(today=TODAY, journal_path=journal))
    assert "X Ltd" in sandbox.data.companies.values()


def test_without_a_journal_nothing_is_written(tmp_path):
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY))
    assert sandbox.journal is None
    assert list(tmp_path.iterdir()) == []
