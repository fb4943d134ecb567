"""The admin's audit log (/admin/audit and its CSV): newest first, filters, paging by id, bad
dates beside their field, formula-safe CSV; and refused access to another contact's object,
recorded while the 404 stays the one a missing object gets."""

from __future__ import annotations

import csv
import io
import json

import pytest
from litestar.testing import TestClient
from support import BASE_URL, app_rows, components, fresh_sandbox, on_loop, portal_app, portal_settings, switch_to

from portal.areas.admin.audit_log import MAX_EXPORT, PAGE_SIZE
from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID, SAM_CONTACT_ID


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    # The merchant is in New York: days start at 05:00 UTC in winter.
    app = portal_app(portal_settings(tmp_path, timezone="America/New_York"), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def insert(client: TestClient, *rows: dict) -> None:
    """Audit rows written as the app writes them, at the times given."""

    def write():
        for row in rows:
            components(client.app).db["audit"].insert({
                "actor_user_id": None, "actor_email": "", "ip": "", "target": "", "outcome": "ok", "detail": "{}", **row})

    on_loop(client, write)


def row_ids(html: str) -> list[int]:
    import re

    return [int(i) for i in re.findall(r'<tr id="audit-(\d+)"', html)]


def test_rows_newest_first_with_their_detail_escaped(client):
    switch_to(client, "admin@example.com")
    insert(client, {"at": "2026-01-10T15:00:00+00:00", "action": "account_deactivated", "actor_email": "boss@example.com",
                    "target": "user:7", "ip": "203.0.113.9", "detail": json.dumps({"reason": "<script>alert(1)</script>",
                                                                                     "count": 3})})
    page = client.get("/admin/audit")
    assert page.status_code == 200
    ids = row_ids(page.text)
    assert ids == sorted(ids, reverse=True) and len(ids) >= 2  # the admin's own login is logged too
    assert "<dt>reason</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>" in page.text
    assert "<dt>count</dt><dd>3</dd>" in page.text and "<script>alert(1)" not in page.text
    # 15:00 UTC is 10:00 in New York.
    assert "10 Jan 2026, 10:00" in page.text and "203.0.113.9" in page.text and "user:7" in page.text


def test_filters_by_actor_action_outcome_and_merchant_days(client):
    switch_to(client, "admin@example.com")
    insert(
        client,
        {"at": "2026-01-10T04:59:59+00:00", "action": "order_defaults_changed", "actor_email": "ann@example.com"},  # 9 Jan NY
        {"at": "2026-01-10T05:00:00+00:00", "action": "order_defaults_changed", "actor_email": "ann@example.com"},  # 10 Jan
        {"at": "2026-01-11T04:59:59+00:00", "action": "tracking_pattern_set", "actor_email": "ANN@example.com"},  # 10 Jan
        {"at": "2026-01-11T05:00:00+00:00", "action": "order_defaults_changed", "actor_email": "ann@example.com"},  # 11 Jan
        {"at": "2026-01-10T12:00:00+00:00", "action": "order_defaults_changed", "actor_email": "bo_b@example.com",
         "outcome": "refused"},
    )
    rows = {r["actor_email"] + r["at"]: r["id"] for r in app_rows(client, "select * from audit where actor_email != ''")}
    day = client.get("/admin/audit", params={"from": "2026-01-10", "to": "2026-01-10", "actor": "ann"})
    assert day.status_code == 200
    assert row_ids(day.text) == [rows["ANN@example.com2026-01-11T04:59:59+00:00"], rows["ann@example.com2026-01-10T05:00:00+00:00"]]
    action = client.get("/admin/audit", params={"from": "2026-01-10", "to": "2026-01-10", "action": "order_defaults_changed"})
    assert len(row_ids(action.text)) == 2
    refused = client.get("/admin/audit", params={"outcome": "refused", "actor": "o_b"})
    assert row_ids(refused.text) == [rows["bo_b@example.com2026-01-10T12:00:00+00:00"]]
    # "_" is a letter in the actor filter, not SQL's wildcard.
    assert row_ids(client.get("/admin/audit", params={"actor": "o_"}).text) == row_ids(refused.text)
    # The action select offers the actions the log holds.
    assert '<option value="tracking_pattern_set">tracking pattern set</option>' in action.text
    nothing = client.get("/admin/audit", params={"actor": "nobody-at-all"})
    assert nothing.status_code == 200 and "No entries match" in nothing.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "10/01/2026"}, "from", "Enter a date as year-month-day, e.g. 2025-03-31."),
        ({"to": "2026-02-30"}, "to", "That date does not exist."),
        ({"from": "2026-02-02", "to": "2026-02-01"}, "from", "The start date must be on or before the end date."),
        ({"action": "no_such_action"}, "action", "Choose one of the actions listed."),
    ],
)
def test_bad_filters_are_reported_beside_their_field(client, params, field, message):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/audit", params=params)
    assert page.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in page.text
    assert row_ids(page.text) == []
    assert client.get("/admin/audit.csv", params=params).status_code == 400


def test_pages_by_id_older_and_newer(client):
    switch_to(client, "admin@example.com")
    insert(client, *({"at": f"2026-01-{1 + i // 24:02d}T{i % 24:02d}:00:00+00:00", "action": "paging_test"}
                     for i in range(PAGE_SIZE + 7)))
    first = client.get("/admin/audit", params={"action": "paging_test"})
    ids = row_ids(first.text)
    assert len(ids) == PAGE_SIZE and "Older →" in first.text and "← Newer" not in first.text
    older = client.get("/admin/audit", params={"action": "paging_test", "before": ids[-1]})
    rest = row_ids(older.text)
    assert len(rest) == 7 and max(rest) < min(ids) and "Older →" not in older.text and "← Newer" in older.text
    newer = client.get("/admin/audit", params={"action": "paging_test", "after": rest[0]})
    assert row_ids(newer.text) == ids
    assert client.get("/admin/audit", params={"before": "x1"}).status_code == 400


def test_csv_has_the_filtered_rows_with_formulas_defused(client):
    switch_to(client, "admin@example.com")
    insert(
        client,
        {"at": "2026-01-10T15:00:00+00:00", "action": "csv_test", "actor_email": "=HYPERLINK(\"http://evil\")",
         "target": "+cmd|'/c calc'!A0", "ip": "-1+1", "detail": json.dumps({"note": "@SUM(1)"})},
        {"at": "2026-01-10T16:00:00+00:00", "action": "csv_test", "actor_email": "ann@example.com", "target": "user:3"},
        {"at": "2026-01-10T17:00:00+00:00", "action": "other_action", "actor_email": "ann@example.com"},
    )
    response = client.get("/admin/audit.csv", params={"action": "csv_test"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["id", "at (UTC)", "at (merchant time)", "actor"]
    assert [r[5] for r in rows[1:]] == ["csv_test", "csv_test"]
    newest, oldest = rows[1], rows[2]
    assert newest[3] == "ann@example.com" and newest[2] == "2026-01-10 11:00:00"
    assert oldest[3] == "'=HYPERLINK(\"http://evil\")" and oldest[6] == "'+cmd|'/c calc'!A0" and oldest[8] == "'-1+1"
    assert json.loads(oldest[9]) == {"note": "@SUM(1)"}  # a JSON cell starts with "{": no formula
    assert MAX_EXPORT == 50_000


def test_customers_cannot_read_the_log_it_is_a_404(client):
    switch_to(client, "alice@example.com")
    assert client.get("/admin/audit").status_code == 404
    assert client.get("/admin/audit.csv").status_code == 404


# --- refused access --------------------------------------------------------------------------------
def refusals(client: TestClient) -> list[dict]:
    return app_rows(client, "select * from audit where action = 'access_refused' order by id")


def test_another_customers_order_is_a_404_like_a_missing_one_and_is_recorded(client, sandbox):
    bobs = sandbox.data.orders_for(BOB_CONTACT_ID, "SO")[0]["id"]
    alices = sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")[0]["id"]
    missing = max(sandbox.data.orders) + 1000
    switch_to(client, "alice@example.com")
    assert client.get(f"/orders/{alices}").status_code == 200
    not_found = client.get(f"/orders/{missing}")
    assert not_found.status_code == 404 and refusals(client) == []
    not_hers = client.get(f"/orders/{bobs}")
    assert not_hers.status_code == 404
    assert not_hers.text == not_found.text
    assert dict(not_hers.headers) .keys() == dict(not_found.headers).keys()
    (row,) = refusals(client)
    assert row["actor_email"] == "alice@example.com" and row["target"] == f"order:{bobs}" and row["outcome"] == "refused"
    assert row["ip"] and json.loads(row["detail"]) == {"path": f"/orders/{bobs}"}
    # Her own order records nothing; a supplier's purchase order is not hers either.
    sams = sandbox.data.orders_for(SAM_CONTACT_ID, "PO")[0]["id"]
    assert client.get(f"/orders/{sams}").status_code == 404
    assert [r["target"] for r in refusals(client)] == [f"order:{bobs}", f"order:{sams}"]


def test_another_customers_invoice_is_refused_and_recorded(client, sandbox):
    invoiced = [o for o in sandbox.data.orders_for(BOB_CONTACT_ID, "SO") if o.get("invoices")]
    assert invoiced, "the demo gives Bob invoiced orders"
    order_id = invoiced[0]["id"]
    switch_to(client, "alice@example.com")
    missing = client.get(f"/documents/{max(sandbox.data.orders) + 1000}")
    for path in (f"/documents/{order_id}", f"/documents/{order_id}.pdf"):
        refused = client.get(path)
        assert refused.status_code == 404 and refused.text == missing.text
    assert [r["target"] for r in refusals(client)] == [f"order:{order_id}"] * 2


def test_the_admin_sees_refused_access_in_the_log(client, sandbox):
    bobs = sandbox.data.orders_for(BOB_CONTACT_ID, "SO")[0]["id"]
    switch_to(client, "alice@example.com")
    client.get(f"/orders/{bobs}")
    switch_to(client, "admin@example.com")
    page = client.get("/admin/audit", params={"action": "access_refused"})
    assert page.status_code == 200 and f"order:{bobs}" in page.text and "alice@example.com" in page.text


def test_refusals_are_recorded_at_most_so_often_per_login(client, sandbox, monkeypatch):
    from portal.web import errors

    monkeypatch.setattr(errors, "REFUSALS_RECORDED", 2)
    bobs = [o["id"] for o in sandbox.data.orders_for(BOB_CONTACT_ID, "SO")[:3]]
    switch_to(client, "alice@example.com")
    answers = [client.get(f"/orders/{order_id}") for order_id in bobs]
    assert [a.status_code for a in answers] == [404, 404, 404] and answers[2].text == answers[0].text
    assert [r["target"] for r in refusals(client)] == [f"order:{i}" for i in bobs[:2]]
