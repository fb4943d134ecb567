"""The admin's outbox page: the writes not delivered yet, failed first; retry a failed one,
abandon one with a reason (refused without); audited; admins only."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from support import BASE_URL, app_rows, deliver_due, due_now, fresh_sandbox, portal_app, portal_settings, switch_to

from portal.sandbox.demo import ALICE_CONTACT_ID

ADDRESS = {"line1": "Dock 9, Canal Wharf", "line2": "", "town": "Leeds", "county": "", "postcode": "LS11 5PZ",
           "country": "GBR", "idem_key": "outbox-admin-key-1", "known_max_id": "0"}


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def failed_address(client: TestClient, sandbox) -> int:
    """Alice adds an address that Brightpearl refuses (400): a failed write; its id."""
    switch_to(client, "alice@example.com")
    sandbox.fail("/contact-service/postal-address", 400, method="POST")
    client.get("/addresses")
    client.post("/addresses", data={**ADDRESS, "_csrf_token": client.cookies["csrftoken"]})
    deliver_due(client)
    (row,) = app_rows(client, "select id, state from outbox where kind = 'postal_address'")
    assert row["state"] == "failed"
    return row["id"]


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def test_a_failed_write_is_listed_and_retried(client, sandbox):
    item = failed_address(client, sandbox)
    switch_to(client, "admin@example.com")
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    assert "Delivery address" in page.text and f"contact {ALICE_CONTACT_ID}" in page.text and "failed" in page.text
    sandbox.clear_faults()
    assert post(client, f"/admin/outbox/{item}/retry").status_code == 303
    deliver_due(client)
    assert app_rows(client, "select state from outbox where id = ?", [item])[0]["state"] == "done"
    assert "Everything has been delivered" in client.get("/admin/outbox").text
    assert [r["target"] for r in app_rows(client, "select target from audit where action = 'outbox_retried'")] == [f"outbox:{item}"]
    # A write that is not failed cannot be retried.
    again = post(client, f"/admin/outbox/{item}/retry")
    assert again.status_code == 400 and "not failed" in again.text


def test_abandoning_needs_a_reason_and_ends_the_write(client, sandbox):
    item = failed_address(client, sandbox)
    switch_to(client, "admin@example.com")
    refused = post(client, f"/admin/outbox/{item}/abandon", reason="  ")
    assert refused.status_code == 400 and "Say why" in refused.text and 'aria-invalid="true"' in refused.text
    assert app_rows(client, "select state from outbox where id = ?", [item])[0]["state"] == "failed"
    assert post(client, f"/admin/outbox/{item}/abandon", reason="duplicate of an existing address").status_code == 303
    (row,) = app_rows(client, "select state, last_error from outbox where id = ?", [item])
    assert row["state"] == "abandoned" and "duplicate of an existing address" in row["last_error"]
    due_now(client)
    deliver_due(client)
    assert app_rows(client, "select state from outbox where id = ?", [item])[0]["state"] == "abandoned"
    # Alice no longer sees it as waiting or failed.
    switch_to(client, "alice@example.com")
    assert "Dock 9, Canal Wharf" not in client.get("/addresses").text
    details = app_rows(client, "select detail from audit where action = 'outbox_abandoned'")
    assert "duplicate of an existing address" in details[0]["detail"]


def test_only_admins_reach_the_outbox(client):
    switch_to(client, "alice@example.com")
    assert client.get("/admin/outbox").status_code == 404
    assert post(client, "/admin/outbox/1/retry").status_code == 404
