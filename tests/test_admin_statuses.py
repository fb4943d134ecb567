"""The admin's statuses page (/admin/statuses) and the customer's labels everywhere a status is
shown: the order list (rows and filter), the order page, the dashboard tiles. Bad input is
refused beside the field and changes nothing; every change is audited; admins only; the page's
Brightpearl calls are counted."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from support import BASE_URL, app_rows, calls_for, empty_cache, fresh_sandbox, portal_app, portal_settings, switch_to

from portal.sandbox.demo import ALICE_CONTACT_ID

HTMX = {"HX-Request": "true"}
PILL = re.compile(r'<span class="status status--([a-z]+)">([^<]+)</span>')
# The demo account's statuses (portal/sandbox/reference.py).
QUOTE, WEB, PHONE, INVOICED, CANCELLED, PENDING_PO = 1, 2, 3, 4, 5, 6
INTERNAL_NAMES = ("Draft / Quote", "New web order", "New phone order", "Invoiced", "Quote approved")


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def post(client: TestClient, path: str, data: dict):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def form_of(page: str) -> dict[str, str]:
    """The statuses form as a browser would send it untouched."""
    data = {}
    for name, value in re.findall(r'<input id="label-\d+" name="(label-\d+)" type="text" value="([^"]*)"', page):
        data[name] = value
    for sid, block in re.findall(r'<select id="state-(\d+)" name="state-\d+"[^>]*>(.*?)</select>', page, re.S):
        data[f"state-{sid}"] = re.search(r'<option value="([^"]+)" selected>', block).group(1)
    for name in re.findall(r'name="(visible-\d+)" value="1" checked', page):
        data[name] = "1"
    return data


def alices_pills(client: TestClient) -> list[tuple[str, str]]:
    return PILL.findall(client.get("/orders").text + client.get("/orders?page=2").text)


def alices_orders(sandbox, status_id: int) -> list[dict]:
    return [o for o in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO") if o["orderStatus"]["orderStatusId"] == status_id]


def test_the_page_lists_the_accounts_statuses_with_their_defaults(client):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/statuses")
    assert page.status_code == 200
    text = page.text
    assert "Customers: sales orders, quotes and credits" in text and "Suppliers: purchase orders and credits" in text
    for name in ("Draft / Quote", "New phone order", "Sales credit complete", "Pending PO", "Placed with supplier"):
        assert name in text
    # Defaults as placeholders, and what customers see.
    assert 'placeholder="Quote"' in text and 'placeholder="Cancelled"' in text
    assert 'status--done">Credit completed</span>' in text and 'status--done">Completed</span>' in text
    assert "The state&#39;s label" in text or "The state's label" in text
    assert re.search(r'Order received</span> or <span class="status status--progress">Being prepared', text)
    # Brightpearl's visible flag: the phone order status is hidden by default.
    assert 'name="visible-2" value="1" checked' in text and 'name="visible-3" value="1">' in text


def test_the_customer_sees_labels_not_brightpearls_workflow_names(client):
    switch_to(client, "alice@example.com")
    pills = alices_pills(client)
    assert pills
    shown = {label for _, label in pills}
    assert not shown & set(INTERNAL_NAMES)
    assert shown <= {"Quote", "Order received", "Being prepared", "Shipped", "Completed", "Cancelled"}
    assert ("done", "Completed") in pills and ("quote", "Quote") in pills


def test_a_mapped_label_shows_on_the_list_the_order_page_the_filter_and_the_dashboard(client, sandbox):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    data[f"label-{INVOICED}"] = "Invoiced and paid"
    data[f"visible-{INVOICED}"] = "1"
    saved = post(client, "/admin/statuses", data)
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=saved")
    assert "customers see the new labels now" in client.get(saved.headers["location"]).text
    (row,) = app_rows(client, "select actor_email, target, detail from audit where action = 'statuses_changed'")
    assert row["actor_email"] == "admin@example.com" and f"[{INVOICED}]" in row["detail"]

    switch_to(client, "alice@example.com")
    assert ("done", "Invoiced and paid") in alices_pills(client)
    page = client.get("/orders").text
    options = re.findall(r'<option value="([^"]*)"\s*(?:selected)?>([^<]+)</option>', page)
    assert ("Invoiced and paid", "Invoiced and paid") in options
    assert not {text for _, text in options} & set(INTERNAL_NAMES)
    filtered = client.get("/orders", params={"status": "Invoiced and paid"}).text
    assert {label for _, label in PILL.findall(filtered)} == {"Invoiced and paid"}
    order = alices_orders(sandbox, INVOICED)[0]
    assert 'status--done">Invoiced and paid</span>' in client.get(f"/orders/{order['id']}").text


def test_the_dashboard_shows_mapped_labels(client):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    for sid in (19, WEB, PHONE, INVOICED, CANCELLED):  # every sales status but the quote's
        data[f"label-{sid}"], data[f"visible-{sid}"] = f"Mapped {sid}", "1"
    assert post(client, "/admin/statuses", data).status_code == 303
    switch_to(client, "alice@example.com")
    latest = PILL.findall(client.get("/tiles/latest-orders", headers=HTMX).text)
    assert latest and all(label.startswith("Mapped ") for _, label in latest)
    tile = client.get("/tiles/open-orders", headers=HTMX).text
    assert re.search(r'<a href="/orders\?status=Mapped\+\d+">Mapped \d+</a>', tile)


def test_a_hidden_status_shows_its_states_label_and_the_order_stays_listed(client, sandbox):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    data[f"label-{WEB}"] = "Web order in"
    data.pop(f"visible-{WEB}", None)
    assert post(client, "/admin/statuses", data).status_code == 303
    switch_to(client, "alice@example.com")
    labels = {label for _, label in alices_pills(client)}
    assert "Web order in" not in labels
    order = alices_orders(sandbox, WEB)[0]
    page = client.get(f"/orders/{order['id']}").text
    assert "Web order in" not in page and "New web order" not in page


def test_the_state_colours_every_order_in_the_status(client):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    data[f"state-{INVOICED}"] = "shipped"
    assert post(client, "/admin/statuses", data).status_code == 303
    switch_to(client, "alice@example.com")
    pills = alices_pills(client)
    assert ("done", "Completed") not in pills and ("shipped", "Shipped") in pills


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("label", "A label far too long for any status pill here", "Use at most 40 characters"),
     ("state", "purple", "Choose a state from the list.")],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_changes(client, field, value, message):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    data[f"label-{PHONE}"] = "Phoned in"  # a good change beside the bad one: not saved either
    data[f"{field}-{INVOICED}"] = value
    refused = post(client, "/admin/statuses", data)
    assert refused.status_code == 400
    assert message in refused.text and "Nothing was saved" in refused.text
    assert f'id="{field}-{INVOICED}"' in refused.text and 'aria-invalid="true" aria-describedby="' + f'{field}-{INVOICED}-error"' in refused.text
    assert 'value="Phoned in"' in refused.text  # what the admin typed is kept
    assert app_rows(client, "select * from settings where key = 'status_map'") == []
    assert app_rows(client, "select * from audit where action = 'statuses_changed'") == []


def test_unknown_status_ids_are_ignored_and_an_unchanged_form_saves_nothing(client):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    response = post(client, "/admin/statuses", {**data, "state-999999": "done", "label-999999": "Ghost"})
    assert response.status_code == 303 and response.headers["location"].endswith("done=unchanged")
    assert app_rows(client, "select * from settings where key = 'status_map'") == []


def test_reset_brings_every_status_back_to_its_default(client):
    switch_to(client, "admin@example.com")
    data = form_of(client.get("/admin/statuses").text)
    data[f"label-{INVOICED}"] = "Paid"
    post(client, "/admin/statuses", data)
    reset = post(client, "/admin/statuses/reset", {})
    assert reset.status_code == 303 and reset.headers["location"].endswith("done=reset")
    assert 'value="Paid"' not in client.get("/admin/statuses").text
    details = [r["detail"] for r in app_rows(client, "select detail from audit where action = 'statuses_changed' order by id")]
    assert len(details) == 2 and '"reset": true' in details[1] and f"[{INVOICED}]" in details[1]
    switch_to(client, "alice@example.com")
    assert "Paid" not in {label for _, label in alices_pills(client)}


def test_an_unknown_label_in_the_filter_is_a_clean_400(client):
    switch_to(client, "alice@example.com")
    response = client.get("/orders", params={"status": "New phone order"})
    assert response.status_code == 400 and "Choose a status from the list." in response.text


def test_the_dashboard_counts_open_orders_by_label(client):
    switch_to(client, "alice@example.com")
    tile = client.get("/tiles/open-orders", headers=HTMX).text
    links = re.findall(r'<a href="/orders\?status=([^"]+)">([^<]+)</a>', tile)
    assert links and {text for _, text in links} <= {"Order received", "Being prepared", "Shipped"}
    quotes = client.get("/tiles/quotes", headers=HTMX).text
    assert 'href="/quotes"' in quotes  # the quotes have their own pages


def test_only_admins_reach_the_page(client):
    switch_to(client, "alice@example.com")
    assert client.get("/admin/statuses").status_code in (403, 404)
    assert post(client, "/admin/statuses", {f"label-{INVOICED}": "Mine", f"state-{INVOICED}": "done"}).status_code in (403, 404)
    assert app_rows(client, "select * from settings where key = 'status_map'") == []
    client.cookies.clear()
    assert client.get("/admin/statuses", follow_redirects=False).status_code == 303


def test_the_page_reads_the_status_list_once_cold_and_not_warm(client, sandbox):
    switch_to(client, "admin@example.com")
    cold = calls_for(client, sandbox, "/admin/statuses", cold=True)
    warm = calls_for(client, sandbox, "/admin/statuses")
    assert [path for _, path, _ in cold] == ["/public-api/acme/order-service/order-status"] or (
        len(cold) == 1 and cold[0][1].endswith("order-service/order-status"))
    assert warm == []


def test_without_brightpearl_the_page_says_the_statuses_cannot_be_read(client, sandbox):
    switch_to(client, "admin@example.com")
    empty_cache(client)
    sandbox.fail("/order-service/order-status", 500)
    page = client.get("/admin/statuses")
    assert page.status_code in (502, 503)
    assert "Save statuses" not in page.text
