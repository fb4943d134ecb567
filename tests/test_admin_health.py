"""The admin's connection health page (/admin/health) on the sandbox: the requests customer pages
make are in its counts; Brightpearl down, refusing the credentials, throttling or with its
breakers open is said in words and the page still answers 200; the chart has a bar group per
minute of the hour and the same figures as a table; other apps' use is estimated from
Brightpearl's count; the outbox; admins only."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from support import BASE_URL, components, deliver_due, fresh_sandbox, portal_app, portal_settings, switch_to

from portal.brightpearl.client import resource_name
from portal.core.paths import PARTIALS_DIR

ADDRESS = {"line1": "Dock 9, Canal Wharf", "line2": "", "town": "Leeds", "county": "", "postcode": "LS11 5PZ",
           "country": "GBR", "idem_key": "health-key-1", "known_max_id": "0"}


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    # Reads retry at once here (the backoff is not what these tests are about).
    components(app).client.backoff_base = 0.0
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def card(html: str, name: str) -> str:
    """The text of one summary card, tags dropped, spaces squeezed."""
    found = re.search(rf'id="health-{name}">(.*?)</div>', html, re.S)
    assert found, name
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def endpoint_rows(html: str) -> dict[str, tuple[int, int]]:
    """{endpoint: (requests, errors)} of the errors-by-endpoint table."""
    section = html.split('id="endpoints-heading"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', section)
    return {name.replace("<wbr>", ""): (int(requests), int(errors)) for name, requests, errors in rows}


def minute_rows(html: str) -> list[tuple[str, ...]]:
    """(minute, portal, others, lowest remaining, errors) of the chart's table."""
    table = html.split('class="usage-numbers"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<th scope="row">(\d\d:\d\d)</th>\s*<td class="num">(\d+)</td>\s*<td class="num">([^<]+)</td>\s*'
                      r'<td class="num">([^<]+)</td>\s*<td class="num">(\d+)</td>', table)


def test_requests_of_customer_pages_are_counted_and_a_recent_call_spares_the_check(client, sandbox):
    switch_to(client, "alice@example.com")
    assert client.get("/orders").status_code == 200
    assert client.get("/account").status_code == 200
    switch_to(client, "admin@example.com")
    made = len(sandbox.calls)
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert len(sandbox.calls) == made  # judged by the portal's last call: no request of its own
    expected: dict[str, int] = {}
    for _method, path, _status in sandbox.calls:
        family = resource_name(path)
        expected[family] = expected.get(family, 0) + 1
    rows = endpoint_rows(page.text)
    assert {name: requests for name, (requests, _errors) in rows.items()} == expected
    assert "order-service/order-search" in rows and all(errors == 0 for _r, errors in rows.values())
    assert "Reachable" in card(page.text, "connection") and "last call" in card(page.text, "connection")
    assert "Valid" in card(page.text, "credentials")
    assert sum(int(row[1]) for row in minute_rows(page.text)) == made
    assert "No webhooks are set up yet" in page.text
    assert "Every write has been delivered" in card(page.text, "outbox")
    # The cache's lookups of those pages, over the hour and since the start.
    for figure in ("cache-hour", "cache-start"):
        shown = re.search(rf'id="{figure}">([^<]+)</dd>', page.text).group(1)
        assert re.fullmatch(r"\d+% of \d+", shown), shown


def test_with_no_recent_call_the_page_asks_brightpearl_once(client, sandbox):
    switch_to(client, "admin@example.com")
    sandbox.reset_calls()
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert [resource_name(path) for _m, path, _s in sandbox.calls] == ["order-service/order-status"]
    assert "Reachable" in card(page.text, "connection") and "Asked" in card(page.text, "connection")
    # "Check now" always asks.
    assert post(client, "/admin/health/check").status_code == 303
    assert len(sandbox.calls) == 2
    after = client.get("/admin/health?done=checked")
    assert "Brightpearl was asked just now" in after.text
    assert len(sandbox.calls) == 2


def test_an_outage_is_not_reachable_and_opens_the_breakers(client, sandbox):
    switch_to(client, "admin@example.com")
    sandbox.knobs.outage = True
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert "Not reachable" in card(page.text, "connection")
    assert "Not known" in card(page.text, "credentials")
    # Customers' pages fail in three endpoint families: Brightpearl as a whole is paused.
    switch_to(client, "alice@example.com")
    for path in ("/orders", "/account", "/statement"):
        client.get(path)
    switch_to(client, "admin@example.com")
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert "Not reachable" in card(page.text, "connection")
    assert 'id="breakers-open"' in page.text and "Brightpearl as a whole" in page.text
    assert re.search(r'<th scope="row">Brightpearl as a whole</th>\s*<td><span class="state state--failed">Open</span>', page.text)
    rows = endpoint_rows(page.text)
    assert rows["order-service/order-search"][1] == rows["order-service/order-search"][0] > 0
    assert "100%" in page.text
    # A check now is refused by the breaker without a request, and says so.
    made = len(sandbox.calls)
    assert post(client, "/admin/health/check").status_code == 303
    assert len(sandbox.calls) == made
    assert client.get("/admin/health?done=checked").status_code == 200


def test_rejected_credentials_are_said_and_the_page_renders(client, sandbox):
    switch_to(client, "admin@example.com")
    sandbox.fail(".*", 401)
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert "Credentials rejected" in card(page.text, "connection")
    assert "Rejected" in card(page.text, "credentials")
    assert endpoint_rows(page.text)["order-service/order-status"] == (1, 1)


def test_no_answer_is_not_reachable(client, sandbox):
    switch_to(client, "admin@example.com")
    sandbox.fail(".*", "timeout")
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert "Not reachable" in card(page.text, "connection")
    assert "HTTP" not in card(page.text, "connection")


def test_throttling_is_reachable_but_busy(client, sandbox):
    switch_to(client, "admin@example.com")
    sandbox.knobs.throttle_limit = 0
    page = client.get("/admin/health")
    assert page.status_code == 200
    assert "Reachable, but throttling" in card(page.text, "connection")
    assert "throttled" in page.text


def test_other_apps_use_is_estimated_from_brightpearls_count(client, sandbox):
    switch_to(client, "admin@example.com")
    for _ in range(30):  # another private app of the merchant, in the same pool
        assert sandbox.throttle.hit(sandbox.knobs.throttle_limit, sandbox.knobs.throttle_window_s)
    assert post(client, "/admin/health/check").status_code == 303
    page = client.get("/admin/health")
    rows = minute_rows(page.text)
    assert max(int(row[2]) for row in rows if row[2] != "–") == 30
    assert "other apps used at most about 30 in a minute" in page.text


def test_the_chart_has_a_bar_group_per_minute_and_the_table(client, sandbox):
    switch_to(client, "alice@example.com")
    client.get("/orders")
    switch_to(client, "admin@example.com")
    page = client.get("/admin/health").text
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert svg.count('class="chart-minute"') == 60
    rows = minute_rows(page)
    assert len(rows) == 60
    busy = [row for row in rows if int(row[1])]
    assert busy and svg.count('class="bar bar--ours"') == len(busy)
    assert not re.search(r"\|\s*safe", (PARTIALS_DIR / "admin" / "_chart.html").read_text())
    assert "limit 200" in svg and "40 kept for other apps" in svg


def test_the_outbox_depth_and_its_oldest_item(client, sandbox):
    switch_to(client, "alice@example.com")
    sandbox.fail("/contact-service/postal-address", 400, method="POST")
    client.get("/addresses")
    client.post("/addresses", data={**ADDRESS, "_csrf_token": client.cookies["csrftoken"]})
    deliver_due(client)
    switch_to(client, "admin@example.com")
    outbox = card(client.get("/admin/health").text, "outbox")
    assert "1 failed" in outbox and "The oldest was queued" in outbox and "(failed)" in outbox
    assert 'href="/admin/outbox"' in client.get("/admin/health").text


def test_only_admins_see_the_health_page(client):
    assert client.get("/admin/health", follow_redirects=False).status_code in (302, 303)
    switch_to(client, "alice@example.com")
    assert client.get("/admin/health").status_code == 404
    assert post(client, "/admin/health/check").status_code == 404
    switch_to(client, "sam@example.com")
    assert client.get("/admin/health").status_code == 404
