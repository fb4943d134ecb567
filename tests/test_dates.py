"""Dates: date-only fields are calendar days whatever the account's offset, moments are shown in
the merchant's time zone.

Brightpearl keeps taxDate, dueDate, deliveryDate (and journal dates) at UTC midnight and sends
them in the account's offset, so an account at -06:00 sends 30 April as
`2024-04-29T18:00:00.000-06:00`; some real orders carry local midnight instead (API-ADDENDUM
I.1). The sandbox does the same for an account west of UTC and one east of it, and the pages
must show the days the sandbox stored.

The truth the pages are checked against is independent of the portal's reading rule: the same
seed and day generated for an account at UTC (`zone="Z"`) has the same ids and the same days,
written `yyyy-mm-ddT00:00:00.000+00:00`, so its first ten characters are the day.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient
from support import BASE_URL, fresh_sandbox, portal_app, switch_to

from portal.brightpearl.models import Invoice, Order, StatementLine, as_calendar_date
from portal.core.clock import Clock
from portal.core.formatting import day, day_time, iso
from portal.core.settings import Settings, SettingsError
from portal.sandbox import Sandbox, SandboxConfig
from portal.sandbox import reference as ref
from portal.sandbox.demo import ALICE_CONTACT_ID
from portal.sandbox.formats import account_zone, wire_date

TODAY = date(2025, 6, 2)
# One account west of UTC (Chicago: -05:00 in June, -06:00 in winter), one east (Tokyo, +09:00),
# and the addendum's own fixed offset.
ZONES = ["America/Chicago", "Asia/Tokyo", "-06:00"]
TIME = re.compile(r'<time datetime="(\d{4}-\d{2}-\d{2})">')
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)


# --- the wire reader -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("wire", "day_shown"),
    [
        ("2024-04-29T18:00:00.000-06:00", date(2024, 4, 30)),  # UTC midnight on a -06:00 account
        ("2024-04-30T00:00:00.000-06:00", date(2024, 4, 30)),  # local midnight on the same account
        ("2024-04-30T09:00:00.000+09:00", date(2024, 4, 30)),  # UTC midnight at +09:00
        ("2024-04-30T00:00:00.000+09:00", date(2024, 4, 30)),  # local midnight at +09:00 (29th 15:00 UTC)
        ("2024-04-30T01:00:00.000+01:00", date(2024, 4, 30)),  # UTC midnight in London's summer
        ("2024-04-30T00:00:00Z", date(2024, 4, 30)),
        ("2024-04-30T00:00:00", date(2024, 4, 30)),  # naive: taken as UTC
        ("2024-04-30", date(2024, 4, 30)),
        (" 2024-04-30 ", date(2024, 4, 30)),
        (1714435200000, date(2024, 4, 30)),  # epoch milliseconds of 30 April, 00:00 UTC
        # Neither midnight (a moment, as older bodies write): the local date, the account's day.
        ("2024-04-29T22:30:00-06:00", date(2024, 4, 29)),
        ("2024-04-30T10:15:00.000+01:00", date(2024, 4, 30)),
    ],
)
def test_date_only_values_are_read_as_the_calendar_day(wire, day_shown):
    assert as_calendar_date(wire) == day_shown


@pytest.mark.parametrize("garbage", ["", "soon", "2024-13-01", "30/04/2024", None, {}, [], True, "2024-04-30T25:00"])
def test_a_date_only_value_that_is_no_date_reads_as_none(garbage):
    assert as_calendar_date(garbage) is None


def test_every_date_only_field_of_the_models_is_a_calendar_day():
    west = "2024-04-29T18:00:00.000-06:00"  # 30 April
    invoice = Invoice.read({"invoiceReference": "SI-1", "taxDate": west, "dueDate": "2024-05-29T18:00:00.000-06:00"})
    assert (invoice.tax_date, invoice.due_date) == (date(2024, 4, 30), date(2024, 5, 30))
    order = Order.from_wire({"id": 1, "orderTypeCode": "SO", "delivery": {"deliveryDate": west}})
    assert order.delivery_date == date(2024, 4, 30)
    line = StatementLine.read({"journalDate": west, "journalDueDate": "2024-05-30T09:00:00.000+09:00"})
    assert (line.journal_date, line.due_date) == (date(2024, 4, 30), date(2024, 5, 30))
    # Moments stay moments, with their offset.
    assert order.placed_on is None
    placed = Order.from_wire({"placedOn": west}).placed_on
    assert placed == datetime(2024, 4, 30, tzinfo=UTC) and placed.utcoffset() == timedelta(hours=-6)


# --- the merchant's time zone ------------------------------------------------------------------
def test_the_merchant_time_zone_is_a_setting_checked_at_start():
    assert Settings.from_env({}).zone == ZoneInfo("Europe/London")
    assert Settings.from_env({"PORTAL_TIMEZONE": "America/Chicago"}).zone == ZoneInfo("America/Chicago")
    for bad in ("Mars/Olympus", "-06:00", "../etc/passwd"):
        with pytest.raises(SettingsError, match="PORTAL_TIMEZONE"):
            Settings.from_env({"PORTAL_TIMEZONE": bad})


def test_moments_are_shown_in_the_merchant_zone_and_days_as_they_are():
    moment = datetime(2025, 1, 1, 3, 30, tzinfo=UTC)
    chicago, tokyo = ZoneInfo("America/Chicago"), ZoneInfo("Asia/Tokyo")
    assert day(moment, chicago) == "31 Dec 2024" and day(moment, tokyo) == "1 Jan 2025"
    assert day_time(moment, chicago) == "31 Dec 2024, 21:30" and day_time(moment, tokyo) == "1 Jan 2025, 12:30"
    assert iso(moment, chicago) == "2024-12-31T21:30:00-06:00"
    assert day(date(2025, 1, 1), chicago) == day(date(2025, 1, 1), tokyo) == day(date(2025, 1, 1)) == "1 Jan 2025"
    with pytest.raises(ValueError, match="time zone"):
        day_time(moment)  # a moment shown nowhere in particular is a bug, not a guess


class FixedClock(Clock):
    def __init__(self, moment: datetime, zone) -> None:
        super().__init__(zone)
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def test_today_is_the_merchants_today():
    moment = datetime(2025, 1, 1, 3, 30, tzinfo=UTC)
    assert FixedClock(moment, ZoneInfo("America/Chicago")).today() == date(2024, 12, 31)
    assert FixedClock(moment, ZoneInfo("Asia/Tokyo")).today() == date(2025, 1, 1)


# --- the sandbox does what Brightpearl does ---------------------------------------------------
def test_account_zones_are_names_or_fixed_offsets():
    assert account_zone("-06:00") == timezone(timedelta(hours=-6))
    assert account_zone("+0930") == timezone(timedelta(hours=9, minutes=30))
    assert account_zone("Z") == UTC
    assert account_zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    for bad in ("Nowhere/Else", "+25:00", "six hours west"):
        with pytest.raises(ValueError):
            account_zone(bad)
    with pytest.raises(ValueError):
        Sandbox(SandboxConfig(customers=5, orders=80, today=TODAY, zone="Nowhere/Else"))


def test_a_date_only_value_goes_out_at_utc_midnight_in_the_account_offset():
    assert wire_date(date(2024, 4, 30), account_zone("-06:00")) == "2024-04-29T18:00:00.000-06:00"
    assert wire_date(date(2024, 4, 30), account_zone("+09:00")) == "2024-04-30T09:00:00.000+09:00"
    assert wire_date(date(2024, 4, 30), ZoneInfo("Europe/London")) == "2024-04-30T01:00:00.000+01:00"
    local = wire_date(date(2024, 4, 30), account_zone("-06:00"), at_local_midnight=True)
    assert local == "2024-04-30T00:00:00.000-06:00"


def truth() -> Sandbox:
    """The same account at UTC: its date-only values start with their day."""
    return fresh_sandbox(SandboxConfig(today=TODAY, zone="Z"))


@pytest.mark.parametrize("zone", ZONES)
def test_the_sandbox_sends_every_date_in_the_account_offset(zone):
    sandbox, utc = fresh_sandbox(SandboxConfig(today=TODAY, zone=zone)), truth().data
    assert list(sandbox.data.orders) == list(utc.orders)  # the zone changes no id
    kinds = set()
    for order_id in (o["id"] for o in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")):
        order, plain = sandbox.data.orders[order_id], utc.orders[order_id]
        placed = datetime.fromisoformat(order["placedOn"])
        assert placed.utcoffset() == placed.astimezone(account_zone(zone)).utcoffset()
        for name in ("taxDate", "dueDate"):
            sent, day_of = order["invoices"][0][name], plain["invoices"][0][name][:10]
            midnight_utc = datetime.fromisoformat(sent).astimezone(UTC).time() == datetime.min.time()
            local_midnight = sent[11:23] == "00:00:00.000"
            assert midnight_utc or local_midnight, sent
            kinds.add("utc" if midnight_utc else "local")
            assert as_calendar_date(sent) == date.fromisoformat(day_of)
    assert kinds == {"utc", "local"}, "the data should exercise both kinds of date-only values"


@pytest.mark.anyio
@pytest.mark.parametrize(("zone", "sent_back"), [("-06:00", "2026-12-19T18:00:00.000-06:00"),
                                                  ("+09:00", "2026-12-20T09:00:00.000+09:00")])
async def test_a_patched_delivery_date_comes_back_at_utc_midnight(zone, sent_back):
    # API-ADDENDUM E.4: on a -06:00 account "2026-12-20" reads back as the 19th, 18:00.
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY, zone=zone))
    order = next(o for o in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO") if not o["invoices"][0]["invoiceReference"])
    async with sandbox.client() as http:
        answer = await http.patch(f"/order-service/order/{order['id']}",
                                  json=[{"op": "replace", "path": "/delivery/deliveryDate", "value": "2026-12-20"}])
    assert answer.json()["response"][0]["delivery"]["deliveryDate"] == sent_back


@pytest.mark.anyio
@pytest.mark.parametrize("zone", ["-06:00", "+09:00"])
async def test_period_filters_without_an_offset_are_the_account_local_days(zone):
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY, zone=zone))
    # An order created on another day in London (where the sandbox used to read such bounds) and
    # in UTC than on the account's own clock.
    order = next(
        o for o in sandbox.data.orders.values()
        if len({datetime.fromisoformat(o["createdOn"]).astimezone(z).date() for z in (UTC, ZoneInfo("Europe/London"))}
               | {date.fromisoformat(o["createdOn"][:10])}) > 1
    )
    created_day = order["createdOn"][:10]  # the account's local day (the value is in its offset)
    async with sandbox.client() as http:
        answer = await http.get("/order-service/order-search",
                                params={"createdOn": f"{created_day}/{created_day}", "columns": "orderId"})
        after = await http.get("/order-service/order-search",
                               params={"createdOn": f"{date.fromisoformat(created_day) + timedelta(days=1)}/",
                                       "columns": "orderId"})
    assert [order["id"]] in answer.json()["response"]["results"]
    assert [order["id"]] not in after.json()["response"]["results"]


# --- end to end: the pages show the days the sandbox stored -----------------------------------
@pytest.fixture(params=ZONES)
def zone(request) -> str:
    return request.param


@pytest.fixture
def account(zone) -> Sandbox:
    return fresh_sandbox(SandboxConfig(today=TODAY, zone=zone))


@pytest.fixture
def merchant_zone(zone) -> str:
    # A merchant sets the zone they work in; a fixed offset is not a name, so Chicago's stands in.
    return zone if "/" in zone else "America/Chicago"


@pytest.fixture
def alice_on(account, merchant_zone, tmp_path):
    settings = Settings(
        data_dir=tmp_path, secret_key="test-secret-" + "x" * 40, base_url=BASE_URL, fast_password_hashing=True,
        demo=True, login_attempts_per_minute=1000, brightpearl_deadline=3.0, timezone=merchant_zone,
    )
    # Noon on TODAY in the merchant's zone: the merchant's today is the sandbox's TODAY.
    noon = datetime.combine(TODAY, datetime.min.time().replace(hour=12), tzinfo=ZoneInfo(merchant_zone))
    app = portal_app(settings, account, clock=FixedClock(noon.astimezone(UTC), ZoneInfo(merchant_zone)))
    with TestClient(app, base_url=BASE_URL) as client:
        yield switch_to(client, "alice@example.com")


def stored_day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def documents_of_alice(utc: Sandbox) -> dict[int, tuple[date, date | None]]:
    """Alice's invoices and credit notes in the UTC account: (tax date, due date or None)."""
    found = {}
    for order in utc.data.orders_for(ALICE_CONTACT_ID):
        invoice = order["invoices"][0]
        if order["orderTypeCode"] in ("SO", "SC") and invoice["invoiceReference"]:
            due = stored_day(invoice["dueDate"]) if order["orderTypeCode"] == "SO" else None
            found[order["id"]] = (stored_day(invoice["taxDate"]), due)
    return found


def test_the_documents_list_shows_the_stored_days(alice_on, account, zone):
    expected = documents_of_alice(truth())
    html = alice_on.get("/documents").text
    rows = [row for row in ROW.findall(html) if "/documents/" in row]
    assert len(rows) >= 10
    shifted = 0
    for row in rows:
        order_id = int(re.search(r'href="/documents/(\d+)"', row).group(1))
        shown = [date.fromisoformat(d) for d in TIME.findall(row)]
        tax_day, due_day = expected[order_id]
        assert shown == [d for d in (tax_day, due_day) if d is not None], (zone, order_id)
        assert due_day is None or due_day >= tax_day  # never due before it was issued
        assert f"{tax_day.day} {tax_day:%b %Y}" in row
        sent = account.data.orders[order_id]["invoices"][0]["taxDate"]
        shifted += datetime.fromisoformat(sent).date() != tax_day
    if zone != "Asia/Tokyo":
        # The old reading (the date in the offset sent) shows these a day early: the test sees it.
        assert shifted > 0


def test_a_document_page_and_an_order_page_show_the_stored_days(alice_on, account, zone):
    utc = truth().data
    local_midnight = [
        o for o in account.data.orders_for(ALICE_CONTACT_ID, "SO")
        if o["invoices"][0]["invoiceReference"] and o["invoices"][0]["dueDate"][11:23] == "00:00:00.000"
        and o["delivery"].get("deliveryDate")
    ]
    utc_midnight = [
        o for o in account.data.orders_for(ALICE_CONTACT_ID, "SO")
        if o["invoices"][0]["invoiceReference"] and o["invoices"][0]["dueDate"][11:23] != "00:00:00.000"
        and o["delivery"].get("deliveryDate")
    ]
    assert local_midnight and utc_midnight
    for order in (local_midnight[0], utc_midnight[0]):
        plain = utc.orders[order["id"]]
        tax_day, due_day = stored_day(plain["invoices"][0]["taxDate"]), stored_day(plain["invoices"][0]["dueDate"])
        page = alice_on.get(f"/documents/{order['id']}").text
        assert f'<dt>Date</dt><dd><time datetime="{tax_day}">{tax_day.day} {tax_day:%b %Y}</time>' in page
        assert f'<dt>Due date</dt><dd><time datetime="{due_day}">{due_day.day} {due_day:%b %Y}</time>' in page
        delivery_day = stored_day(plain["delivery"]["deliveryDate"])
        order_page = alice_on.get(f"/orders/{order['id']}").text
        assert f'Delivery date <time datetime="{delivery_day}">{delivery_day.day} {delivery_day:%b %Y}</time>' in order_page


def test_the_statement_shows_the_stored_days(alice_on, zone):
    utc = truth().data
    start = TODAY - timedelta(days=365)
    lines = [line for line in utc.statement_lines(ALICE_CONTACT_ID)
             if line["currencyId"] == ref.CURRENCIES["GBP"]["id"] and start <= stored_day(line["journalDate"]) <= TODAY]
    def key(entry: tuple) -> tuple:
        return entry[0], entry[1] or date.min, entry[2]

    expected = sorted(((stored_day(line["journalDate"]), stored_day(line["journalDueDate"]), line["reference"])
                       for line in lines), key=key)
    response = alice_on.get("/statement.csv", params={"from": start.isoformat(), "to": TODAY.isoformat()})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))[2:-1]  # header, opening ... closing
    shown = sorted(((date.fromisoformat(r[0]), date.fromisoformat(r[4]) if r[4] else None, r[2]) for r in rows), key=key)
    assert shown == expected and len(shown) >= 10
    assert all(due is None or due >= on for on, due, _ in shown)
    page = alice_on.get("/statement", params={"from": start.isoformat(), "to": TODAY.isoformat()}).text
    assert {d for on, due, _ in expected for d in (on, due) if d} <= {date.fromisoformat(d) for d in TIME.findall(page)}


def test_the_overdue_tile_counts_invoices_due_before_the_merchants_today(alice_on, zone):
    utc = truth().data
    overdue = [line for line in utc.statement_lines(ALICE_CONTACT_ID)
               if line["journalTypeCode"] == "SI" and Decimal(line["dueAmount"]) > 0
               and stored_day(line["journalDueDate"]) < TODAY]
    assert len(overdue) >= 2
    html = alice_on.get("/tiles/overdue", headers={"HX-Request": "true"}).text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert f"{len(overdue)} invoices past due" in text
    oldest = min(overdue, key=lambda line: (stored_day(line["journalDueDate"]), line["journalId"]))
    due = stored_day(oldest["journalDueDate"])
    assert f'due <time datetime="{due}">{due.day} {due:%b %Y}</time> · {(TODAY - due).days} day' in html
