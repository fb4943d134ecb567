"""Behaviour of the sandbox over HTTP: auth, throttling, ID sets, searches, writes, knobs."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import httpx
import pytest
from support import fresh_sandbox
from support.brightpearl import FakeClock
from support.processes import serving

from portal.sandbox import Sandbox, SandboxConfig, SandboxConnectionLost
from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID, SAM_CONTACT_ID, TOM_CONTACT_ID
from portal.sandbox.throttle import Throttle

TODAY = date(2025, 6, 2)
NOT_AUTHENTICATED = {"response": "Not authenticated. You must provide a valid authentication token."}
THROTTLED = {"response": "You have sent too many requests. Please wait before sending another request"}


@pytest.fixture
def sandbox() -> Sandbox:
    return fresh_sandbox(SandboxConfig(today=TODAY))


@pytest.fixture
async def client(sandbox):
    async with sandbox.client() as http:
        yield http


def alice_orders(sandbox: Sandbox, type_code: str = "SO") -> list[dict]:
    return sandbox.data.orders_for(ALICE_CONTACT_ID, type_code)


def by_status(sandbox: Sandbox, status_id: int, contact_id: int = ALICE_CONTACT_ID) -> dict:
    return next(o for o in sandbox.data.orders_for(contact_id) if o["orderStatus"]["orderStatusId"] == status_id)


def open_order(sandbox: Sandbox) -> dict:
    return next(o for o in alice_orders(sandbox)
                if o["orderStatus"]["orderStatusId"] in (2, 3) and not sandbox.data.goods_out_for(o["id"]))


# ----------------------------------------------------------------------------- auth & URIs
@pytest.mark.anyio
@pytest.mark.parametrize("headers", [
    {},
    {"brightpearl-app-ref": "demo_portal"},
    {"brightpearl-app-ref": "demo_portal", "brightpearl-staff-token": "wrong"},
    {"brightpearl-app-ref": "other_app", "brightpearl-staff-token": "sandbox-staff-token"},
    {"brightpearl-app-ref": "demo_portal", "brightpearl-account-token": "sandbox-staff-token"},
])
async def test_missing_or_wrong_credentials_get_the_recorded_401(sandbox, headers):
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=sandbox.base_url, headers=headers) as http:
        answer = await http.get("/order-service/order-status")
    assert answer.status_code == 401
    assert answer.json() == NOT_AUTHENTICATED
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    assert answer.headers["message-type"] == "api-proxy"
    assert "brightpearl-requests-remaining" in answer.headers


@pytest.mark.anyio
async def test_header_names_are_case_insensitive_and_account_tokens_work_when_configured():
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY, account_token="acct-token"))
    headers = {"Brightpearl-App-Ref": "demo_portal", "Brightpearl-Account-Token": "acct-token"}
    async with sandbox.client(headers=headers) as http:
        assert (await http.get("/order-service/order-type")).status_code == 200


@pytest.mark.anyio
async def test_unknown_account_is_401_and_unknown_uri_is_cmnc_404(sandbox):
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox/public-api/other",
                                 headers=sandbox.auth_headers) as http:
        assert (await http.get("/order-service/order-type")).status_code == 401
    async with sandbox.client() as http:
        answer = await http.get("/order-service/no-such-thing")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "CMNC-404"
    assert answer.json()["errors"][0]["message"].startswith("Cannot find the resource")


@pytest.mark.anyio
async def test_healthz_needs_no_auth_and_is_neither_throttled_nor_recorded(sandbox):
    sandbox.knobs.throttle_limit = 1
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as http:
        for _ in range(3):
            answer = await http.get("/healthz")
            assert (answer.status_code, answer.text) == (200, "ok")
    assert sandbox.calls == []


@pytest.mark.anyio
async def test_every_response_has_message_type_ruid_and_json_content_type(client):
    answer = await client.get("/order-service/order-status")
    assert answer.headers["message-type"] == "get-order-status"
    assert len(answer.headers["ruid"]) == 36
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    search = await client.get("/order-service/order-search?pageSize=1")
    assert search.headers["message-type"] == "bulk-data-search"


# -------------------------------------------------------------------------------- throttle
@pytest.mark.anyio
async def test_throttle_answers_503_with_the_exact_body_after_the_limit(sandbox):
    sandbox.knobs.throttle_limit = 5
    remaining = []
    async with sandbox.client() as http:
        for _ in range(5):
            answer = await http.get("/order-service/order-type")
            assert answer.status_code == 200
            remaining.append(int(answer.headers["brightpearl-requests-remaining"]))
            assert 0 < int(answer.headers["brightpearl-next-throttle-period"]) <= 60000
        sixth = await http.get("/order-service/order-type")
    assert remaining == [4, 3, 2, 1, 0]
    assert sixth.status_code == 503
    assert sixth.json() == THROTTLED
    assert sixth.headers["brightpearl-requests-remaining"] == "0"
    assert 0 < int(sixth.headers["brightpearl-next-throttle-period"]) <= 60000
    sandbox.reset_throttle()
    async with sandbox.client() as http:
        assert (await http.get("/order-service/order-type")).status_code == 200


@pytest.mark.anyio
async def test_throttle_window_rolls_and_errors_carry_the_headers(sandbox):
    clock = FakeClock()
    sandbox.throttle = Throttle(clock=clock)
    sandbox.knobs.throttle_limit = 2
    sandbox.knobs.throttle_window_s = 0.3
    async with sandbox.client() as http:
        missing = await http.get("/contact-service/contact/999999")
        assert missing.status_code == 404
        assert missing.headers["brightpearl-requests-remaining"] == "1"
        await http.get("/order-service/order-type")
        assert (await http.get("/order-service/order-type")).status_code == 503
        clock.advance(0.35)
        assert (await http.get("/order-service/order-type")).status_code == 200


@pytest.mark.anyio
async def test_the_default_pool_is_200_per_minute(client):
    answer = await client.get("/order-service/order-type")
    assert answer.headers["brightpearl-requests-remaining"] == "199"


# ------------------------------------------------------------------------------- ID sets
@pytest.mark.anyio
async def test_order_get_accepts_ranges_lists_and_mixtures(sandbox, client):
    ids = sorted(sandbox.data.orders)[:12]
    text = f"{ids[0]}-{ids[3]},{ids[6]},{ids[8]}-{ids[10]}"
    answer = await client.get(f"/order-service/order/{text}")
    got = [o["id"] for o in answer.json()["response"]]
    assert sorted(got) == ids[0:4] + [ids[6]] + ids[8:11]


@pytest.mark.anyio
async def test_id_set_results_come_in_no_particular_order_but_deterministically(sandbox, client):
    ids = [o["id"] for o in alice_orders(sandbox)][:20]
    path = "/order-service/order/" + ",".join(map(str, ids))
    first = [o["id"] for o in (await client.get(path)).json()["response"]]
    second = [o["id"] for o in (await client.get(path)).json()["response"]]
    assert sorted(first) == sorted(ids)
    assert first != sorted(first)
    assert first == second


@pytest.mark.anyio
async def test_missing_orders_are_an_empty_list_and_mixed_sets_return_the_existing(sandbox, client):
    answer = await client.get("/order-service/order/999999")
    assert (answer.status_code, answer.json()) == (200, {"response": []})
    existing = min(sandbox.data.orders)
    mixed = await client.get(f"/order-service/order/{existing},999998-999999")
    assert [o["id"] for o in mixed.json()["response"]] == [existing]


@pytest.mark.anyio
async def test_more_than_200_ids_is_a_400_with_an_errors_array(sandbox, client):
    first = min(sandbox.data.orders)
    answer = await client.get(f"/order-service/order/{first}-{first + 200}")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"].startswith("The ID set contains 201 ids")
    assert (await client.get(f"/order-service/order/{first}-{first + 199}")).status_code == 200


@pytest.mark.anyio
async def test_malformed_id_sets_are_unknown_uris(client):
    for text in ("abc", "5-3", "1,,2", "0"):
        answer = await client.get(f"/order-service/order/{text}")
        assert answer.status_code == 404, text
        assert answer.json()["errors"][0]["code"] == "CMNC-404"


@pytest.mark.anyio
async def test_options_splits_an_id_set_into_uris_of_existing_ids(sandbox, client):
    first = min(sandbox.data.orders)
    answer = await client.request("OPTIONS", f"/order-service/order/{first}-{first + 449},999990-999999")
    assert answer.json() == {"response": {"getUris": [
        f"/order/{first}-{first + 199}", f"/order/{first + 200}-{first + 399}", f"/order/{first + 400}-{first + 449}",
    ]}}
    none = await client.request("OPTIONS", "/order-service/order/999990-999999")
    assert none.json() == {"response": {"getUris": []}}


@pytest.mark.anyio
async def test_goods_out_notes_by_order_set_and_by_note_id_with_wildcard(sandbox, client):
    order = next(o for o in alice_orders(sandbox) if len(sandbox.data.goods_out_for(o["id"])) >= 1)
    notes = sandbox.data.goods_out_for(order["id"])
    answer = (await client.get(f"/warehouse-service/order/{order['id']}/goods-note/goods-out/")).json()["response"]
    assert sorted(map(int, answer)) == sorted(notes)
    note_id = next(iter(notes))
    wildcard = (await client.get(f"/warehouse-service/order/*/goods-note/goods-out/{note_id}")).json()["response"]
    assert list(wildcard) == [str(note_id)]
    assert wildcard[str(note_id)]["orderId"] == order["id"]


# -------------------------------------------------------------------------------- searches
async def search(client, path: str) -> tuple[list[dict], dict, dict]:
    body = (await client.get(path)).json()
    names = [c["name"] for c in body["response"]["metaData"]["columns"]]
    rows = [dict(zip(names, row, strict=True)) for row in body["response"]["results"]]
    return rows, body["response"]["metaData"], body["reference"]


@pytest.mark.anyio
async def test_order_search_pages_through_every_result_once(sandbox, client):
    seen: list[int] = []
    first = 1
    while True:
        rows, meta, _ = await search(client, f"/order-service/order-search?contactId={ALICE_CONTACT_ID}&pageSize=10&firstResult={first}")
        seen += [r["orderId"] for r in rows]
        assert meta["resultsReturned"] == len(rows)
        assert meta["firstResult"] == first and meta["lastResult"] == first + len(rows) - 1
        if not meta["morePagesAvailable"]:
            break
        first = meta["lastResult"] + 1
    assert meta["resultsAvailable"] == len(seen) == len(set(seen)) == len(sandbox.data.orders_for(ALICE_CONTACT_ID))
    assert seen == sorted(seen)  # default sort orderId ASC


@pytest.mark.anyio
async def test_order_search_default_page_size_is_200_and_max_is_500(sandbox, client):
    _, meta, _ = await search(client, "/order-service/order-search")
    assert (meta["resultsReturned"], meta["morePagesAvailable"]) == (200, True)
    assert meta["resultsAvailable"] == len(sandbox.data.orders)
    _, meta, _ = await search(client, "/order-service/order-search?pageSize=10000")
    assert meta["resultsReturned"] == 500


@pytest.mark.anyio
async def test_order_search_filters_sort_and_reference_block(sandbox, client):
    rows, meta, reference = await search(
        client, f"/order-service/order-search?contactId={ALICE_CONTACT_ID}&orderTypeId=1&orderStatusId=1&sort=orderId.DESC")
    expected = [o["id"] for o in alice_orders(sandbox) if o["orderStatus"]["orderStatusId"] == 1]
    assert [r["orderId"] for r in rows] == sorted(expected, reverse=True)
    assert meta["sorting"][0]["direction"] == "DESC" and meta["sorting"][0]["filterable"]["name"] == "orderId"
    assert reference["orderStatusNames"] == {"1": "Draft / Quote"}
    assert reference["orderTypeNames"] == {"1": "SALES_ORDER"}
    credits, _, reference = await search(client, f"/order-service/order-search?contactId={ALICE_CONTACT_ID}&orderTypeId=3")
    assert credits and all(r["parentOrderId"] for r in credits)
    assert reference["orderTypeNames"] == {"3": "SALES_CREDIT"}


@pytest.mark.anyio
async def test_order_search_customer_ref_is_exact_and_columns_select_a_subset(sandbox, client):
    order = next(o for o in alice_orders(sandbox) if o["reference"].startswith("PO-"))
    rows, meta, _ = await search(client, f"/order-service/order-search?customerRef={order['reference']}&columns=orderId,customerRef")
    assert [c["name"] for c in meta["columns"]] == ["orderId", "customerRef"]
    assert {r["orderId"] for r in rows} >= {order["id"]}
    assert all(r["customerRef"] == order["reference"] for r in rows)
    rows, _, _ = await search(client, f"/order-service/order-search?customerRef={order['reference'][:-1]}")
    assert order["id"] not in [r["orderId"] for r in rows]


@pytest.mark.anyio
async def test_integer_filter_with_a_non_integer_is_500_cmnc_018(client):
    answer = await client.get("/order-service/order-search?orderStatusId=abc")
    assert answer.status_code == 500
    assert answer.json() == {"errors": [{"code": "CMNC-018", "message": "The filter orderStatusId=abc cannot be parsed as: INTEGER"}]}


@pytest.mark.anyio
async def test_empty_search_result_shape(client):
    rows, meta, reference = await search(client, "/order-service/order-search?contactId=1")
    assert rows == [] and reference == {}
    assert meta["resultsAvailable"] == 0 and meta["morePagesAvailable"] is False
    assert "firstResult" not in meta


@pytest.mark.anyio
async def test_period_filters_and_updated_since_sweep(sandbox, client):
    rows, _, _ = await search(client, "/order-service/order-search?createdOn=2025-05-01/2025-05-31&pageSize=500")
    assert rows and all("2025-05" in r["createdOn"][:7] for r in rows)
    rows, _, _ = await search(client, "/order-service/order-search?updatedOn=2025-05-20T00:00:00%2B01:00/&pageSize=500")
    assert rows and all(r["updatedOn"] >= "2025-05-19T23" for r in rows)
    answer = await client.get("/order-service/order-search?createdOn=yesterday")
    assert answer.status_code == 500 and answer.json()["errors"][0]["code"] == "CMNC-018"


@pytest.mark.anyio
async def test_contact_search_finds_the_login_email_and_flags(client):
    rows, _, _ = await search(client, "/contact-service/contact-search?primaryEmail=ALICE@example.com")
    assert [(r["contactId"], r["primaryEmail"], r["isCustomer"]) for r in rows] == [(ALICE_CONTACT_ID, "alice@example.com", True)]
    rows, _, _ = await search(client, "/contact-service/contact-search?primaryEmail=sam@example.com")
    assert rows[0]["isSupplier"] is True and rows[0]["isCustomer"] is False
    rows, _, _ = await search(client, "/contact-service/contact-search?exactCompanyName=Harper %26 Lowe Interiors Ltd")
    assert {r["contactId"] for r in rows} == {ALICE_CONTACT_ID, TOM_CONTACT_ID}


@pytest.mark.anyio
async def test_note_search_statement_payments_and_goods_out_search(sandbox, client):
    order = next(o for o in alice_orders(sandbox) if any(n["isPublic"] for n in sandbox.data.notes_for(o["id"])))
    rows, _, _ = await search(client, f"/order-service/order-note-search?orderId={order['id']}&isPublic=true")
    assert rows and all(r["isPublic"] and r["orderId"] == order["id"] for r in rows)
    lines, meta, _ = await search(client, f"/accounting-service/statement/all-transaction-search?contactId={ALICE_CONTACT_ID}&currencyId=1&pageSize=500")
    assert {r["journalTypeCode"] for r in lines} == {"SI", "SC", "SR"}
    assert meta["sorting"][0]["filterable"]["name"] == "journalDate"
    paid = next(o for o in alice_orders(sandbox) if o["orderPaymentStatus"] == "PAID")
    payments, _, _ = await search(client, f"/accounting-service/customer-payment-search?orderId={paid['id']}")
    assert sum(Decimal(p["amountPaid"]) for p in payments) == Decimal(paid["totalValue"]["total"])
    notes, _, _ = await search(client, f"/warehouse-service/goods-note/goods-out-search?orderId={paid['id']}&shipped=true")
    assert notes and all(n["shipped"] for n in notes)


# ------------------------------------------------------------------------ contacts, balance
@pytest.mark.anyio
async def test_contact_get_missing_is_404_and_addresses_can_be_included(sandbox, client):
    missing = await client.get("/contact-service/contact/999999")
    assert (missing.status_code, missing.json()) == (404, {"errors": [{"code": "CMNC-404", "message": "No Contact Found"}]})
    body = (await client.get(f"/contact-service/contact/{ALICE_CONTACT_ID}?includeOptional=postalAddresses")).json()
    assert body["pagination"]["resultsReturned"] == 1
    addresses = body["response"][0]["postalAddresses"]
    assert len(addresses) >= 4
    plain = (await client.get(f"/contact-service/contact/{ALICE_CONTACT_ID}")).json()["response"][0]
    assert "postalAddresses" not in plain


@pytest.mark.anyio
async def test_contact_get_without_ids_pages_by_200(sandbox, client):
    body = (await client.get("/contact-service/contact?pageSize=10&sort=contactId.DESC")).json()
    ids = [c["contactId"] for c in body["response"]]
    assert ids == sorted(sandbox.data.contacts, reverse=True)[:10]
    assert body["pagination"]["morePagesAvailable"] is True
    assert body["sorting"] == [{"field": "contactId", "direction": "DESC"}]


@pytest.mark.anyio
async def test_balance_is_a_string_or_null(sandbox, client):
    answer = (await client.get(f"/accounting-service/contact/{ALICE_CONTACT_ID}/currency/GBP/balance")).json()
    assert answer["response"] == str(sandbox.data.balance(ALICE_CONTACT_ID, "GBP"))
    assert Decimal(answer["response"]) > 0
    assert (await client.get("/accounting-service/contact/999999/currency/GBP/balance")).json() == {"response": None}
    assert (await client.get(f"/accounting-service/contact/{ALICE_CONTACT_ID}/currency/EUR/balance")).json() == {"response": None}


# -------------------------------------------------------------------------------- writes
@pytest.mark.anyio
async def test_posted_notes_come_back_and_carry_the_order_status(sandbox, client):
    order = open_order(sandbox)
    answer = await client.post(f"/order-service/order/{order['id']}/note", json={"text": "Portal comment", "isPublic": True})
    note_id = answer.json()["response"]
    assert answer.status_code == 200 and isinstance(note_id, int)
    notes = (await client.get(f"/order-service/order/{order['id']}/note/{note_id}")).json()["response"]
    assert notes[0]["text"] == "Portal comment" and notes[0]["isPublic"] is True
    assert notes[0]["orderStatusId"] == order["orderStatus"]["orderStatusId"]
    assert notes[0]["contactId"] == ALICE_CONTACT_ID
    missing_text = await client.post(f"/order-service/order/{order['id']}/note", json={"isPublic": True})
    assert missing_text.status_code == 400 and "errors" in missing_text.json()
    no_body = await client.post(f"/order-service/order/{order['id']}/note")
    assert no_body.json()["errors"][0]["code"] == "CMNC-010"
    bad_order = await client.post("/order-service/order/999999/note", json={"text": "x"})
    assert bad_order.json()["errors"][0]["code"] == "ORDC-003"


@pytest.mark.anyio
async def test_accepting_a_quote_changes_status_and_adds_a_public_note(sandbox, client):
    quote = by_status(sandbox, 1)
    answer = await client.put(f"/order-service/order/{quote['id']}/status",
                              json={"orderStatusId": 19, "orderNote": {"text": "Accepted online", "isPublic": True}})
    assert (answer.status_code, answer.json()) == (200, {})
    order = (await client.get(f"/order-service/order/{quote['id']}")).json()["response"][0]
    assert order["orderStatus"] == {"orderStatusId": 19, "name": "Quote approved"}
    assert order["orderPaymentStatus"] == "UNPAID"
    last = sandbox.data.notes_for(quote["id"])[-1]
    assert (last["text"], last["isPublic"], last["orderStatusId"]) == ("Accepted online", True, 19)
    wrong_type = await client.put(f"/order-service/order/{quote['id']}/status", json={"orderStatusId": 7})
    assert wrong_type.status_code == 400


@pytest.mark.anyio
async def test_cancelling_is_refused_for_invoiced_or_shipped_orders(sandbox, client):
    invoiced = by_status(sandbox, 4)
    answer = await client.put(f"/order-service/order/{invoiced['id']}/status", json={"orderStatusId": 5})
    assert answer.status_code == 400
    quote = by_status(sandbox, 1)
    assert (await client.put(f"/order-service/order/{quote['id']}/status", json={"orderStatusId": 5})).status_code == 200
    assert sandbox.data.notes_for(quote["id"])[-1]["text"] == "Order status changed to Cancelled"


@pytest.mark.anyio
async def test_purchase_order_acknowledgement(sandbox, client):
    po = next(o for o in sandbox.data.orders_for(SAM_CONTACT_ID, "PO") if o["acknowledged"] == 0)
    answer = await client.put(f"/order-service/order/{po['id']}/acknowledgement", json={"reference": "SHIP-1"})
    assert (answer.status_code, answer.json()) == (200, {})
    assert sandbox.data.orders[po["id"]]["acknowledged"] == 1
    assert sandbox.data.order_meta[po["id"]].acknowledgement_reference == "SHIP-1"
    sales = open_order(sandbox)
    assert (await client.put(f"/order-service/order/{sales['id']}/acknowledgement", json={})).status_code == 400


@pytest.mark.anyio
async def test_order_patch_reference_and_invalid_operations(sandbox, client):
    order = open_order(sandbox)
    version = order["version"]
    answer = await client.patch(f"/order-service/order/{order['id']}", json=[
        {"op": "replace", "path": "/reference", "value": "PO-NEW-1"},
        {"op": "replace", "path": "/delivery/deliveryDate", "value": "2025-06-20"},
    ])
    patched = answer.json()["response"][0]
    assert patched["reference"] == "PO-NEW-1" and patched["version"] == version + 1
    # A day is kept at UTC midnight and sent in the account's offset (London, summer: +01:00).
    assert patched["delivery"]["deliveryDate"] == "2025-06-20T01:00:00.000+01:00"
    bad = await client.patch(f"/order-service/order/{order['id']}", json=[{"op": "add", "path": "/reference", "value": "x"}])
    assert bad.status_code == 500
    assert bad.json() == {"errors": [{"code": "CMNC-044", "message": "Invalid patch operation (add) for given path (/reference)"}]}


@pytest.mark.anyio
async def test_address_book_post_and_link_rules(sandbox, client):
    missing_line = await client.post("/contact-service/postal-address/", json={"countryIsoCode": "GBR"})
    assert missing_line.status_code == 400 and missing_line.json()["errors"]
    bad_country = await client.post("/contact-service/postal-address/", json={"addressLine1": "x", "countryIsoCode": "GB"})
    assert bad_country.status_code == 400
    created = await client.post("/contact-service/postal-address/",
                                json={"addressLine1": "9 New Road", "addressLine3": "Leeds", "postalCode": "LS2 2AA", "countryIsoCode": "GBR"})
    address_id = created.json()["response"]
    by_country_id = await client.post("/contact-service/postal-address/", json={"addressLine1": "1 Quay", "countryId": 103})
    assert sandbox.data.addresses[by_country_id.json()["response"]]["countryIsoCode"] == "IRL"
    linked = await client.put(f"/contact-service/contact/{ALICE_CONTACT_ID}/postal-address",
                              json=[{"postalAddressId": address_id, "type": "DEL"}])
    assert (linked.status_code, linked.json()) == (200, {})
    assert sandbox.data.contacts[ALICE_CONTACT_ID]["postAddressIds"]["DEL"] == address_id
    assert address_id in [a["addressId"] for a in sandbox.data.addresses_for(ALICE_CONTACT_ID)]
    stolen = await client.put(f"/contact-service/contact/{BOB_CONTACT_ID}/postal-address", json=[{"postalAddressId": address_id}])
    assert stolen.status_code == 400
    secondary = await client.put(f"/contact-service/contact/{TOM_CONTACT_ID}/postal-address",
                                 json=[{"postalAddressId": by_country_id.json()["response"], "type": "BIL"}])
    assert secondary.status_code == 400
    assert sandbox.data.addresses[by_country_id.json()["response"]]["contactId"] == 0  # all or nothing


@pytest.mark.anyio
async def test_contact_patch_returns_the_contact_object(client):
    answer = await client.patch(f"/contact-service/contact/{ALICE_CONTACT_ID}",
                                json=[{"op": "replace", "path": "/communication/telephones/MOB", "value": "07700 900999"}])
    assert answer.json()["response"]["communication"]["telephones"]["MOB"] == "07700 900999"
    bad = await client.patch(f"/contact-service/contact/{ALICE_CONTACT_ID}", json=[{"op": "replace", "path": "/contactId", "value": 1}])
    assert bad.json()["errors"][0]["code"] == "CMNC-044"


@pytest.mark.anyio
async def test_sales_order_post_is_searchable_by_external_ref_and_unique(sandbox, client):
    product = min(sandbox.data.products)
    body = {"customer": {"id": ALICE_CONTACT_ID}, "ref": "PORTAL-1", "externalRef": "portal-basket-1",
            "installedIntegrationInstanceId": 27, "statusId": 1,
            "rows": [{"productId": product, "quantity": "2", "taxCode": "T20", "net": "190.00", "tax": "38.00"},
                     {"name": "Delivery - pallet", "quantity": "1", "net": "45.00"}]}
    answer = await client.post("/order-service/sales-order", json=body)
    order_id = answer.json()["response"]
    order = sandbox.data.orders[order_id]
    assert order["totalValue"] == {"net": "235.00", "taxAmount": "47.00", "baseNet": "235.00",
                                   "baseTaxAmount": "47.00", "baseTotal": "282.00", "total": "282.00"}
    assert order["orderStatus"]["orderStatusId"] == 1 and order["parties"]["customer"]["contactId"] == ALICE_CONTACT_ID
    rows, _, _ = await search(client, "/order-service/order-search?externalRef=portal-basket-1")
    assert [r["orderId"] for r in rows] == [order_id]
    again = await client.post("/order-service/sales-order", json=body)
    assert again.status_code == 400
    bad_row = await client.post("/order-service/sales-order", json={"customer": {"id": ALICE_CONTACT_ID}, "rows": [{"quantity": 1}]})
    assert bad_row.json()["errors"][0]["code"] == "ORDC-026"


@pytest.mark.anyio
async def test_customer_payment_updates_status_statement_and_balance(sandbox, client):
    order = next(o for o in alice_orders(sandbox) if o["invoices"][0]["invoiceReference"] and o["orderPaymentStatus"] == "UNPAID")
    before = sandbox.data.balance(ALICE_CONTACT_ID, "GBP")
    total = Decimal(order["totalValue"]["total"])
    answer = await client.post("/accounting-service/customer-payment", json={
        "transactionRef": "pi_test_1", "paymentMethodCode": "STRIPE", "paymentType": "RECEIPT",
        "orderId": order["id"], "currencyIsoCode": "GBP", "amountPaid": float(total)})
    assert answer.status_code == 200
    assert sandbox.data.orders[order["id"]]["orderPaymentStatus"] == "PAID"
    assert sandbox.data.balance(ALICE_CONTACT_ID, "GBP") == before - total
    duplicate = await client.post("/accounting-service/customer-payment", json={
        "transactionRef": "pi_test_1", "paymentMethodCode": "STRIPE", "paymentType": "RECEIPT",
        "orderId": order["id"], "currencyIsoCode": "GBP", "amountPaid": 1})
    assert duplicate.status_code == 400


@pytest.mark.anyio
async def test_multi_message_runs_writes_in_one_request(sandbox, client):
    order, quote = open_order(sandbox), by_status(sandbox, 1)
    answer = await client.post("/multi-message", json={"processingMode": "SEQUENTIAL", "onFail": "STOP", "messages": [
        {"label": "n", "uri": f"/order-service/order/{order['id']}/note", "httpMethod": "POST", "body": {"text": "a"}},
        {"label": "bad", "uri": "/order-service/order/999999/status", "httpMethod": "PUT", "body": {"orderStatusId": 19}},
        {"label": "s", "uri": f"/order-service/order/{quote['id']}/status", "httpMethod": "PUT", "body": {"orderStatusId": 19}},
    ]})
    assert answer.status_code == 207
    body = answer.json()["response"]
    assert [(m["label"], m["statusCode"]) for m in body["processedMessages"]] == [("n", 200), ("bad", 400)]
    assert [m["label"] for m in body["unprocessedMessages"]] == ["s"]
    assert sandbox.data.orders[quote["id"]]["orderStatus"]["orderStatusId"] == 1
    assert sandbox.calls[-1] == ("POST", "/multi-message", 207)


# ---------------------------------------------------------------------------------- knobs
@pytest.mark.anyio
async def test_latency_knob_delays_responses(sandbox, client):
    sandbox.knobs.latency_ms = 120
    started = time.perf_counter()
    await client.get("/order-service/order-type")
    assert time.perf_counter() - started >= 0.11


@pytest.mark.anyio
async def test_error_rate_one_answers_cmnu_003_before_doing_anything(sandbox, client):
    sandbox.knobs.error_rate = 1.0
    order = open_order(sandbox)
    notes_before = len(sandbox.data.notes_for(order["id"]))
    answer = await client.post(f"/order-service/order/{order['id']}/note", json={"text": "x"})
    assert (answer.status_code, answer.json()) == (500, {"errors": [{"code": "CMNU-003", "message": "Internal Server Error"}]})
    assert len(sandbox.data.notes_for(order["id"])) == notes_before
    assert answer.headers["brightpearl-requests-remaining"] == "200"  # not counted
    sandbox.knobs.error_rate = 0.0
    assert (await client.get("/order-service/order-type")).status_code == 200


@pytest.mark.anyio
async def test_outage_answers_503_that_is_not_the_throttle(sandbox, client):
    sandbox.knobs.outage = True
    answer = await client.get("/order-service/order-type")
    assert answer.status_code == 503
    assert "too many requests" not in answer.text.lower()
    assert answer.json() == {"response": "Service Temporarily Unavailable"}
    sandbox.knobs.outage = False
    assert (await client.get("/order-service/order-type")).status_code == 200


@pytest.mark.anyio
async def test_lost_response_commits_the_write_but_the_client_sees_a_read_error(sandbox, client):
    order = open_order(sandbox)
    sandbox.knobs.lose_responses = 1
    assert (await client.get("/order-service/order-type")).status_code == 200  # reads are not affected
    with pytest.raises(httpx.ReadError):
        await client.post(f"/order-service/order/{order['id']}/note", json={"text": "lost but saved"})
    assert sandbox.data.notes_for(order["id"])[-1]["text"] == "lost but saved"
    assert sandbox.knobs.lose_responses == 0
    assert sandbox.calls[-1] == ("POST", f"/order-service/order/{order['id']}/note", 200)
    assert (await client.post(f"/order-service/order/{order['id']}/note", json={"text": "next"})).status_code == 200


@pytest.mark.anyio
async def test_lost_responses_skip_failed_writes(sandbox, client):
    sandbox.knobs.lose_responses = 1
    assert (await client.post("/order-service/order/999999/note", json={"text": "x"})).status_code == 400
    assert sandbox.knobs.lose_responses == 1


@pytest.mark.anyio
async def test_the_app_itself_raises_connection_lost(sandbox):
    sandbox.knobs.lose_responses = 1
    order = open_order(sandbox)
    raw = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=raw, base_url=sandbox.base_url, headers=sandbox.auth_headers) as http:
        with pytest.raises(SandboxConnectionLost):
            await http.post(f"/order-service/order/{order['id']}/note", json={"text": "x"})


@pytest.mark.anyio
async def test_fail_writes_answers_503_without_committing(sandbox, client):
    order = open_order(sandbox)
    before = len(sandbox.data.notes_for(order["id"]))
    sandbox.knobs.fail_writes = 1
    assert (await client.get(f"/order-service/order/{order['id']}")).status_code == 200
    failed = await client.post(f"/order-service/order/{order['id']}/note", json={"text": "x"})
    assert failed.status_code == 503 and "too many requests" not in failed.text.lower()
    assert len(sandbox.data.notes_for(order["id"])) == before
    assert (await client.post(f"/order-service/order/{order['id']}/note", json={"text": "y"})).status_code == 200


@pytest.mark.anyio
async def test_calls_are_recorded_without_the_base(sandbox, client):
    await client.get("/order-service/order-type?x=1")
    await client.get("/contact-service/contact/999999")
    assert sandbox.calls == [("GET", "/order-service/order-type", 200), ("GET", "/contact-service/contact/999999", 404)]
    sandbox.reset_calls()
    assert sandbox.calls == []


# ------------------------------------------------------------------------- over real HTTP
def over_uvicorn(sandbox: Sandbox):
    """Serve `sandbox` with uvicorn on a free port for the block; yield its root URL."""
    import uvicorn

    return serving(lambda port: uvicorn.Config(sandbox.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))


def test_over_uvicorn_a_lost_response_closes_the_connection_without_an_answer(caplog):
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY, orders=200, customers=10))
    with over_uvicorn(sandbox) as root:
        order = open_order(sandbox)
        with httpx.Client(base_url=f"{root}/public-api/demo", headers=sandbox.auth_headers, timeout=5) as http:
            assert http.get("/order-service/order-type").status_code == 200
            sandbox.knobs.lose_responses = 1
            with pytest.raises(httpx.TransportError) as lost:
                http.post(f"/order-service/order/{order['id']}/note", json={"text": "over the wire"})
            assert not isinstance(lost.value, httpx.TimeoutException)
            assert sandbox.data.notes_for(order["id"])[-1]["text"] == "over the wire"
            assert http.get("/order-service/order-type").status_code == 200
            assert httpx.get(f"{root}/healthz").text == "ok"
    assert "Exception in ASGI application" not in caplog.text


@pytest.mark.anyio
async def test_sales_order_post_takes_a_delivery_address_override_and_defaults_from_the_contact(sandbox, client):
    answer = await client.post("/order-service/sales-order", json={
        "customerId": BOB_CONTACT_ID,
        "delivery": {"shippingMethodId": 9, "date": "2025-06-20", "address": {
            "addressFullName": "Site team", "companyName": "Mitchell Hospitality Group Ltd",
            "addressLine1": "1 Quay Street", "addressLine3": "Dublin", "postalCode": "D02 X285", "countryIsoCode": "IE"}},
        "rows": [{"productId": min(sandbox.data.products), "quantity": 3}],
    })
    order = sandbox.data.orders[answer.json()["response"]]
    delivery = order["parties"]["delivery"]
    assert (delivery["addressFullName"], delivery["countryIsoCode"], delivery["countryIsoCode3"]) == ("Site team", "IE", "IRL")
    # The day is kept at its UTC midnight, sent in London's summer offset.
    assert order["delivery"] == {"deliveryDate": "2025-06-20T01:00:00.000+01:00", "shippingMethodId": 9}
    assert order["orderStatus"]["orderStatusId"] == 2 and order["orderPaymentStatus"] == "UNPAID"
    row = next(iter(order["orderRows"].values()))
    price = sandbox.data.product_prices[min(sandbox.data.products)][2]["1"]
    assert row["productPrice"]["value"] == price and row["quantity"]["magnitude"] == "3.0000"
    assert order["assignment"]["current"]["staffOwnerContactId"] == 15


@pytest.mark.anyio
async def test_legacy_order_post_then_rows_keep_totals_in_step(sandbox, client):
    no_type = await client.post("/order-service/order/", json={"reference": "x"})
    assert no_type.json() == {"errors": [{"code": "ORDC-005", "message": "You have not supplied an order type code"}]}
    no_supplier = await client.post("/order-service/order/", json={"orderTypeCode": "PO"})
    assert no_supplier.json() == {"errors": [{"code": "ORDC-022", "message": "Suppllier ID Required."}]}
    order_id = (await client.post("/order-service/order/", json={
        "orderTypeCode": "SO", "parties": {"customer": {"contactId": ALICE_CONTACT_ID}}})).json()["response"]
    assert sandbox.data.orders[order_id]["orderStatus"]["orderStatusId"] == 1
    await client.post(f"/order-service/order/{order_id}/row", json={
        "productId": min(sandbox.data.products), "quantity": {"magnitude": 2},
        "rowValue": {"taxCode": "T20", "rowNet": {"value": 190.0}, "rowTax": {"value": 38.0}}})
    await client.post(f"/order-service/order/{order_id}/row", json={
        "productName": "Bespoke finishing service", "quantity": {"magnitude": 1},
        "rowValue": {"taxCode": "T20", "rowNet": {"value": 45.0}, "rowTax": {"value": 9.0}}})
    order = (await client.get(f"/order-service/order/{order_id}")).json()["response"][0]
    assert order["totalValue"]["total"] == "282.00"
    assert sorted(r["orderRowSequence"] for r in order["orderRows"].values()) == ["10", "20"]
    missing_tax = await client.post(f"/order-service/order/{order_id}/row", json={"productName": "x"})
    assert missing_tax.status_code == 400


@pytest.mark.anyio
async def test_prices_price_lists_and_availability(sandbox, client):
    product = min(sandbox.data.products)
    prices = (await client.get(f"/product-service/product-price/{product}")).json()["response"]
    assert [p["priceListId"] for p in prices[0]["priceLists"]] == [1, 2, 3, 4]
    everything = (await client.get("/product-service/product-price/*/price-list/2")).json()["response"]
    assert len(everything) == len(sandbox.data.products)
    none = await client.get("/product-service/product-price/999999/price-list/2")
    assert none.json() == {"errors": [{"code": "CMNC-404", "message": "No Product Prices Found"}]}
    assert (await client.get("/product-service/price-list/99")).json()["errors"][0]["message"] == "No Price Lists Found"
    stock = (await client.get(f"/warehouse-service/product-availability/{product}")).json()["response"][str(product)]
    assert stock["total"]["onHand"] == stock["total"]["inStock"] - stock["total"]["allocated"]


def test_config_values_seed_the_knobs():
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY, latency_ms=5, error_rate=0.25, throttle_limit=7, throttle_window_s=2.0))
    knobs = sandbox.knobs
    assert (knobs.latency_ms, knobs.error_rate, knobs.throttle_limit, knobs.throttle_window_s) == (5, 0.25, 7, 2.0)
    assert (knobs.outage, knobs.lose_responses, knobs.fail_writes) == (False, 0, 0)


# ------------------------------------------------------------------------- per-path faults
@pytest.mark.anyio
async def test_a_path_fault_fails_only_matching_paths_with_brightpearls_bodies(sandbox, client):
    sandbox.fail(r"^/warehouse-service/shipping-method", 404)
    sandbox.fail(r"/note$", 500, method="GET")
    order = alice_orders(sandbox)[0]
    missing = await client.get("/warehouse-service/shipping-method/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "CMNC-404"
    assert missing.json()["errors"][0]["message"].startswith("Cannot find the resource")
    failed = await client.get(f"/order-service/order/{order['id']}/note")
    assert failed.status_code == 500 and failed.json()["errors"][0]["code"] == "CMNU-003"
    posted = await client.post(f"/order-service/order/{order['id']}/note", json={"text": "still works"})
    assert posted.status_code == 200  # the fault is for GETs only
    assert (await client.get("/order-service/order-status")).status_code == 200
    sandbox.clear_faults()
    assert (await client.get("/warehouse-service/shipping-method/")).status_code == 200


@pytest.mark.anyio
async def test_a_counted_fault_stops_after_its_times_and_a_timeout_fault_is_a_read_timeout(sandbox, client):
    fault = sandbox.fail(r"^/order-service/order-status", "timeout", times=2)
    for _ in range(2):
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/order-service/order-status")
    assert (await client.get("/order-service/order-status")).status_code == 200
    assert fault.hits == 2 and fault.times == 0
    with pytest.raises(ValueError):
        sandbox.fail("x", 200)


def test_over_uvicorn_a_timeout_fault_keeps_the_client_waiting():
    sandbox = fresh_sandbox(SandboxConfig(today=TODAY, orders=200, customers=10))
    sandbox.knobs.hang_s = 0.5
    sandbox.fail(r"^/order-service/order-type", "timeout")
    with over_uvicorn(sandbox) as root:
        base = f"{root}/public-api/demo"
        with httpx.Client(base_url=base, headers=sandbox.auth_headers, timeout=0.2) as http:
            with pytest.raises(httpx.ReadTimeout):
                http.get("/order-service/order-type")
        with httpx.Client(base_url=base, headers=sandbox.auth_headers, timeout=5) as http:
            assert http.get("/order-service/order-type").status_code == 504  # after hang_s, as a gateway
            assert http.get("/order-service/order-status").status_code == 200
