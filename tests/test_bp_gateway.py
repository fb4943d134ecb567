"""Gateway against a counting MockTransport that answers like Brightpearl from the shared
examples: page call budgets cold and warm, typed results, invalidation, stale-if-error."""

from __future__ import annotations

import copy
import random
import re
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest
from support.brightpearl import FakeClock, brightpearl_response, client_on_clock, load_example

from portal.brightpearl import Brightpearl, Change
from portal.brightpearl.cache import Cache, track_staleness
from portal.brightpearl.errors import BrightpearlUnavailable
from portal.brightpearl.idset import parse_idset
from portal.brightpearl.models import Order, OrderType
from portal.brightpearl.reads import TTL
from portal.core.metrics import Metrics

BASE = "https://euw1.brightpearlconnect.com/public-api/acmetrade"
ALICE = 1042
SUPPLIER = 880
NONE_FOUND = {"errors": [{"code": "CMNC-404", "message": "No results"}]}


def example_body(name: str):
    return copy.deepcopy(load_example(name)["response"]["body"])


class FakeBrightpearl:
    """Answers the gateway's GETs from the examples, with `orders` sales orders for ALICE
    (ids 60001…) besides the examples' 51234, and one purchase order for SUPPLIER. Counts calls."""

    TYPE_IDS = {"SO": 1, "PO": 2, "SC": 3, "PC": 4}

    def __init__(self, orders: int = 30):
        self.calls: list[tuple[str, str]] = []
        self.down = False
        template = example_body("order-get")["response"][0]
        self.orders: dict[int, dict] = {51234: template}
        for n in range(orders):
            wire = copy.deepcopy(template)
            wire["id"] = 60001 + n
            wire["reference"] = f"PO-{n:04d}" if n % 3 else ""
            wire["orderStatus"] = {"orderStatusId": [1, 2, 4][n % 3], "name": "x"}
            self.orders[wire["id"]] = wire
        po = example_body("order-get-purchase-order")["response"][0]
        self.orders[po["id"]] = po
        self.search_columns = example_body("order-search")["response"]["metaData"]["columns"]
        self.extra_search_rows: list[dict] = []  # rows Brightpearl should not have returned

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/public-api/acmetrade/", 1)[1]
        self.calls.append((request.method, path))
        if self.down:
            return brightpearl_response(503, {"response": "Service Unavailable"})
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        for pattern, handler in self.routes:
            match = re.fullmatch(pattern, path)
            if match:
                return handler(self, query, *match.groups())
        return brightpearl_response(404, {"errors": [{"code": "CMNC-404", "message": f"Cannot find {path}"}]})

    # --- handlers ---------------------------------------------------------------------------------
    def example(name):  # noqa: N805 - a route factory used in the class body
        return lambda self, query, *groups: brightpearl_response(200, example_body(name))

    def order_get(self, query, idset):
        ids = parse_idset(idset)
        found = [self.orders[i] for i in ids if i in self.orders]
        random.Random(len(ids)).shuffle(found)  # Brightpearl's order is any order
        return brightpearl_response(200, {"response": found})

    def order_search(self, query, *groups):
        contact, type_id = int(query["contactId"]), int(query["orderTypeId"])
        size, first = int(query["pageSize"]), int(query["firstResult"])
        matching = [
            o
            for o in sorted(self.orders.values(), key=lambda o: -o["id"])
            if self.TYPE_IDS[o["orderTypeCode"]] == type_id
            and (o["parties"].get("customer") or o["parties"].get("supplier"))["contactId"] == contact
        ]
        rows = [self.search_row(o) for o in matching] + self.extra_search_rows
        page = rows[first - 1 : first - 1 + size]
        last = first + len(page) - 1
        meta = {
            "morePagesAvailable": last < len(rows),
            "resultsAvailable": len(rows),
            "resultsReturned": len(page),
            "firstResult": first,
            "lastResult": last,
            "columns": self.search_columns,
        }
        names = [c["name"] for c in self.search_columns]
        results = [[row.get(n) for n in names] for row in page]
        return brightpearl_response(200, {"response": {"results": results, "metaData": meta}, "reference": {}})

    def search_row(self, order: dict) -> dict:
        party = order["parties"].get("customer") or order["parties"].get("supplier")
        return {
            "orderId": order["id"],
            "orderTypeId": self.TYPE_IDS[order["orderTypeCode"]],
            "contactId": party["contactId"],
            "orderStatusId": order["orderStatus"]["orderStatusId"],
            "createdOn": order["createdOn"],
            "customerRef": order["reference"],
        }

    def goods_out(self, query, order_id):
        if int(order_id) == 51234:
            return brightpearl_response(200, example_body("goods-out-note-get"))
        return brightpearl_response(404, NONE_FOUND)

    def notes(self, query, order_id):
        if int(order_id) == 51234:
            return brightpearl_response(200, example_body("order-note-get"))
        return brightpearl_response(200, {"response": []})

    def contact_get(self, query, idset):
        contact = example_body("contact-get")["response"][0]
        if contact["contactId"] in parse_idset(idset):
            return brightpearl_response(200, {"response": [contact]})
        return brightpearl_response(404, {"errors": [{"code": "CMNC-404", "message": "No Contact Found"}]})

    def addresses(self, query, idset):
        wanted = set(parse_idset(idset))
        found = [a for a in example_body("postal-address-get")["response"] if a["addressId"] in wanted]
        return brightpearl_response(200, {"response": found})

    routes = [
        (r"order-service/order-status", example("order-status-list")),
        (r"order-service/order-shipping-status", example("order-shipping-status-list")),
        (r"warehouse-service/shipping-method/", example("shipping-method-get")),
        (r"order-service/order-search", order_search),
        (r"order-service/order/([0-9,\-]+)", order_get),
        (r"order-service/order/(\d+)/note", notes),
        (r"warehouse-service/order/(\d+)/goods-note/goods-out/", goods_out),
        (r"contact-service/contact/([0-9,\-]+)", contact_get),
        # Loose like SEARCH_STRING: always answers with the example's contact.
        (r"contact-service/contact-search", example("contact-search")),
        (r"contact-service/postal-address/([0-9,\-]+)", addresses),
        (r"accounting-service/contact/\d+/currency/[A-Z]{3}/balance", example("contact-balance-get")),
        (r"accounting-service/statement/all-transaction-search", example("all-transaction-statement-search")),
    ]


def make_gateway(fake: FakeBrightpearl | None = None):
    fake = fake or FakeBrightpearl()
    clock = FakeClock()
    metrics = Metrics()
    client = client_on_clock(
        BASE, httpx.MockTransport(fake), clock, seed=1,
        app_ref="acmetrade_portal", staff_token="t", metrics=metrics, breaker_threshold=1000,
    )
    cache = Cache(metrics=metrics, clock=clock)
    return Brightpearl(client, cache), fake, clock, metrics


async def order_list_page(bp: Brightpearl, contact_id: int, page_size: int = 25):
    """What the order list page does: statuses, the contact's index, details of one page."""
    statuses = await bp.orders.statuses()
    index = await bp.orders.index(contact_id)
    page_ids = [row.order_id for row in index[:page_size]]
    orders = await bp.orders.many(page_ids)
    return statuses, index, orders


async def order_page(bp: Brightpearl, order_id: int):
    order = await bp.orders.one(order_id)
    notes = await bp.warehouse.goods_out_notes(order_id), await bp.orders.notes(order_id)
    methods = await bp.warehouse.shipping_methods()
    return order, notes, methods


# --- call budgets ------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_order_list_page_costs_three_calls_cold_and_none_warm():
    bp, fake, _, metrics = make_gateway()
    async with bp.client:
        statuses, index, orders = await order_list_page(bp, ALICE)
        assert len(fake.calls) == 3
        assert metrics.brightpearl_call_count() == 3
        assert statuses[1].name == "Draft / Quote"
        assert len(index) == 31 and index[0].order_id == 60030  # newest first
        assert list(orders) == [row.order_id for row in index[:25]]  # in index order
        assert all(isinstance(o, Order) for o in orders.values())
        await order_list_page(bp, ALICE)
        assert len(fake.calls) == 3
    search = [path for _, path in fake.calls if "order-search" in path]
    assert len(search) == 1


@pytest.mark.anyio
async def test_order_page_costs_four_calls_cold_and_none_warm():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        order, (gons, notes), methods = await order_page(bp, 51234)
        assert len(fake.calls) == 4
        assert order.reference == "PO-88123"
        assert gons[0].tracking_reference == "1Z999AA10123456784"
        assert methods[gons[0].shipping_method_id].name == "Pallet - next day"
        assert [n.id for n in notes if n.is_public] == [20455]
        await order_page(bp, 51234)
        assert len(fake.calls) == 4


@pytest.mark.anyio
async def test_order_page_after_the_list_page_reuses_the_order():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        await order_list_page(bp, ALICE)
        await order_page(bp, 60030)
    assert len(fake.calls) == 3 + 3  # goods-out notes, notes, shipping methods
    assert ("GET", "warehouse-service/order/60030/goods-note/goods-out/") in fake.calls


@pytest.mark.anyio
async def test_order_without_despatches_or_notes():
    bp, _, _, _ = make_gateway()
    async with bp.client:
        assert await bp.warehouse.goods_out_notes(60001) == ()  # 404 CMNC-404 = none
        assert await bp.orders.notes(60001) == ()  # 200 []


@pytest.mark.anyio
async def test_big_index_and_big_id_sets_are_paged_and_chunked():
    bp, fake, _, _ = make_gateway(FakeBrightpearl(orders=600))
    async with bp.client:
        index = await bp.orders.index(ALICE)
        assert len(index) == 601
        assert len(fake.calls) == 2  # 500 + 101 rows
        orders = await bp.orders.many([row.order_id for row in index[:450]])
        assert list(orders) == [row.order_id for row in index[:450]]
        assert len(fake.calls) == 2 + 3  # 200 + 200 + 50 ids


@pytest.mark.anyio
async def test_orders_skips_missing_ids_and_remembers_them():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        found = await bp.orders.many([99999, 51234, 60001])
        assert list(found) == [51234, 60001]
        assert await bp.orders.one(99999) is None
        assert await bp.orders.one(0) is None and await bp.orders.one(-5) is None
        assert len(fake.calls) == 1


@pytest.mark.anyio
async def test_supplier_index_and_purchase_order():
    bp, _, _, _ = make_gateway()
    async with bp.client:
        (row,) = await bp.orders.index(SUPPLIER, order_type=OrderType.PURCHASE_ORDER)
        order = await bp.orders.one(row.order_id)
    assert order.order_type_code == "PO" and order.party_contact_id == SUPPLIER


@pytest.mark.anyio
async def test_order_index_drops_rows_of_other_contacts():
    fake = FakeBrightpearl(orders=2)
    fake.extra_search_rows = [{"orderId": 70000, "orderTypeId": 1, "contactId": 4242, "orderStatusId": 1}]
    bp, _, _, _ = make_gateway(fake)
    async with bp.client:
        index = await bp.orders.index(ALICE)
    assert 70000 not in [row.order_id for row in index]


# --- contacts and accounts ---------------------------------------------------------------------
@pytest.mark.anyio
async def test_contacts_by_email_compares_exactly():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        (row,) = await bp.contacts.by_email(" Jane.Porter@Example.com ")
        assert row.contact_id == ALICE
        assert await bp.contacts.by_email("porter@example.com") == ()  # Brightpearl matched loosely
        assert await bp.contacts.by_email("") == ()
        await bp.contacts.by_email("jane.porter@example.com")
    assert len(fake.calls) == 2  # the third lookup was cached (same address, other case)
    assert fake.calls[0][1] == "contact-service/contact-search"


@pytest.mark.anyio
async def test_account_pages():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        contact = await bp.contacts.one(ALICE)
        assert contact.credit_limit == Decimal(5000)
        assert await bp.contacts.one(4242) is None
        addresses = await bp.contacts.postal_addresses(contact.post_address_ids.values())
        assert sorted(addresses) == [3301, 3302]
        assert addresses[3302].line1 == "Dock 2, Aire Park"
        assert await bp.accounting.balance(ALICE, "gbp") == Decimal("1245.60")
        lines = await bp.accounting.statement(ALICE, 1, date(2024, 1, 1), date(2024, 5, 31))
        assert [line.journal_type_code for line in lines] == ["SI", "SR"]
        with pytest.raises(ValueError):
            await bp.accounting.balance(ALICE, "GB/../x")
        calls = len(fake.calls)
        await bp.contacts.one(ALICE)
        await bp.contacts.postal_addresses([3301, 3302])
        await bp.accounting.balance(ALICE, "GBP")
        await bp.accounting.statement(ALICE, 1, date(2024, 1, 1), date(2024, 5, 31))
        assert len(fake.calls) == calls
    statement = next(p for _, p in fake.calls if "statement" in p)
    assert statement == "accounting-service/statement/all-transaction-search"


@pytest.mark.anyio
async def test_reference_data():
    bp, _, _, _ = make_gateway()
    async with bp.client:
        assert (await bp.orders.shipping_statuses())[4] == "All stock shipped"
        assert (await bp.warehouse.shipping_methods())[9].code == "UPSSTD"
        statuses = await bp.orders.statuses()
    assert statuses[6].order_type_code == "PO" and statuses[3].visible is False


# --- invalidation ------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_forget_order_refetches_the_order_and_its_contacts_lists():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        await order_list_page(bp, ALICE)
        await order_page(bp, 51234)
        await bp.orders.index(SUPPLIER, order_type=OrderType.PURCHASE_ORDER)
        before = len(fake.calls)
        bp.forget(Change.ORDER, 51234)  # the contact comes from the cached order
        await order_page(bp, 51234)
        assert len(fake.calls) == before + 3  # order, despatches, notes; shipping methods kept
        await order_list_page(bp, ALICE)
        assert len(fake.calls) == before + 4  # the index again; statuses and orders cached
        await bp.orders.index(SUPPLIER, order_type=OrderType.PURCHASE_ORDER)
        assert len(fake.calls) == before + 4  # another contact's list is untouched


@pytest.mark.anyio
async def test_forget_contact():
    bp, fake, _, _ = make_gateway()
    async with bp.client:
        contact = await bp.contacts.one(ALICE)
        await bp.contacts.postal_addresses(contact.post_address_ids.values())
        await bp.orders.index(ALICE)
        await bp.accounting.balance(ALICE, "GBP")
        before = len(fake.calls)
        bp.forget(Change.CONTACT, ALICE)
        await bp.contacts.one(ALICE)
        await bp.contacts.postal_addresses(contact.post_address_ids.values())
        await bp.orders.index(ALICE)
        await bp.accounting.balance(ALICE, "GBP")
        assert len(fake.calls) == before + 4


# --- Brightpearl down --------------------------------------------------------------------------
@pytest.mark.anyio
async def test_pages_are_served_stale_when_brightpearl_is_down():
    bp, fake, clock, _ = make_gateway()
    async with bp.client:
        await order_list_page(bp, ALICE)
        clock.advance(TTL["order"].ttl + TTL["order"].stale_ttl + 1)  # everything but statuses expired
        fake.down = True
        with track_staleness() as tracker:
            _, index, orders = await order_list_page(bp, ALICE)
        assert len(index) == 31 and len(orders) == 25
        assert tracker.oldest is not None
        with pytest.raises(BrightpearlUnavailable):
            await bp.orders.one(51234 + 1)  # never seen: nothing to fall back on
