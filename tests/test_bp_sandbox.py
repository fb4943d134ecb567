"""Client, cache and gateway against the Brightpearl sandbox (in-process transport): page
call budgets measured on the sandbox's own call log, throttling by a shared pool, outages,
lost and failed writes, the circuit breaker."""

from __future__ import annotations

import pytest
from support import fresh_sandbox
from support.brightpearl import FakeClock, client_on_clock, failed_get

from portal.brightpearl import Brightpearl, Change
from portal.brightpearl.cache import Cache, track_staleness
from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.errors import BrightpearlAuthError, BrightpearlUnavailable, UnknownOutcome
from portal.brightpearl.priority import background_priority
from portal.brightpearl.reads import TTL
from portal.core.metrics import Metrics
from portal.sandbox import DEMO_USERS, Sandbox, SandboxConfig
from portal.sandbox.throttle import Throttle

APP_REF = "demo_portal"
STAFF_TOKEN = "sandbox-staff-token"
USERS = {user["email"]: user for user in DEMO_USERS}
ALICE = USERS["alice@example.com"]["contact_id"]
BOB = USERS["bob@example.com"]["contact_id"]
SAM = USERS["sam@example.com"]["contact_id"]


class Setup:
    """A sandbox, a client on it with a fake clock (shared with the sandbox's throttle), a
    cache and the gateway."""

    def __init__(self, sandbox: Sandbox, **client_kwargs):
        self.sandbox = sandbox
        self.clock = FakeClock()
        sandbox.throttle = Throttle(clock=self.clock)
        sandbox.reset_calls()
        self.metrics = Metrics()
        client_kwargs.setdefault("staff_token", STAFF_TOKEN)
        self.client = client_on_clock(
            sandbox.base_url, sandbox.transport(), self.clock, seed=5, app_ref=APP_REF, metrics=self.metrics,
            **client_kwargs,
        )
        self.cache = Cache(metrics=self.metrics, clock=self.clock)
        self.bp = Brightpearl(self.client, self.cache)

    async def __aenter__(self) -> Setup:
        return self

    async def __aexit__(self, *exc_info) -> None:
        # Background refreshes first: they use the client.
        await self.cache.aclose()
        await self.client.aclose()

    @property
    def calls(self) -> list[tuple[str, str, int]]:
        return self.sandbox.calls

    def statuses(self) -> list[int]:
        return [status for _, _, status in self.calls]

    async def alice_order_notes(self) -> tuple[int, tuple]:
        """Alice's newest order and its notes as they are now."""
        order_id = (await self.bp.orders.index(ALICE))[0].order_id
        return order_id, await self.bp.orders.notes(order_id)

    async def notes_added(self, order_id: int, before: tuple) -> tuple:
        """The notes of `order_id` after `before`, read from Brightpearl again."""
        self.bp.forget(Change.ORDER, order_id, owner_id=ALICE)
        return (await self.bp.orders.notes(order_id))[len(before) :]


async def order_list_page(bp: Brightpearl, contact_id: int, order_type_id: int = 1, page_size: int = 25):
    statuses = await bp.orders.statuses()
    index = await bp.orders.index(contact_id, order_type_id)
    orders = await bp.orders.many([row.order_id for row in index[:page_size]])
    return statuses, index, orders


async def order_page(bp: Brightpearl, order_id: int):
    order = await bp.orders.one(order_id)
    despatches = await bp.warehouse.goods_out_notes(order_id)
    notes = await bp.orders.notes(order_id)
    methods = await bp.warehouse.shipping_methods()
    return order, despatches, notes, methods


# --- credentials -------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_check_credentials(sandbox):
    setup = Setup(sandbox)
    async with setup:
        await setup.client.check_credentials()
    wrong = Setup(sandbox, staff_token="wrong-token")
    async with wrong:
        with pytest.raises(BrightpearlAuthError) as caught:
            await wrong.client.check_credentials()
    assert "Not authenticated" in caught.value.message
    assert wrong.statuses() == [401]


# --- call budgets (measured by the sandbox) -----------------------------------------------------
@pytest.mark.anyio
async def test_order_list_page_budget(sandbox):
    setup = Setup(sandbox)
    async with setup:
        statuses, index, orders = await order_list_page(setup.bp, ALICE)
        cold = list(setup.calls)
        await order_list_page(setup.bp, ALICE)
    assert len(cold) <= 3, cold
    assert len(setup.calls) == len(cold)  # warm: no call at all
    assert len(index) > 25 and len(orders) == 25
    assert all(o.party_contact_id == ALICE for o in orders.values())
    assert list(orders) == [row.order_id for row in index[:25]]
    assert all(row.status_id in statuses for row in index)


@pytest.mark.anyio
async def test_order_page_budget(sandbox):
    setup = Setup(sandbox)
    async with setup:
        index = await setup.bp.orders.index(ALICE)
        shipped = index[-1].order_id  # the oldest orders are the shipped ones
        setup.sandbox.reset_calls()
        order, despatches, notes, methods = await order_page(setup.bp, shipped)
        cold = list(setup.calls)
        await order_page(setup.bp, shipped)
    assert len(cold) <= 4, cold
    assert len(setup.calls) == len(cold)
    assert order is not None and order.id == shipped
    assert all(d.order_id == shipped for d in despatches)
    assert all(d.shipping_method_id in methods for d in despatches if d.shipping_method_id)


@pytest.mark.anyio
async def test_alice_has_tracked_shipments_and_bob_sees_none_of_her_orders(sandbox):
    setup = Setup(sandbox)
    async with setup:
        alice_index = await setup.bp.orders.index(ALICE)
        bob_index = await setup.bp.orders.index(BOB)
        tracked = []
        for row in alice_index[-10:]:
            tracked += [d.tracking_reference for d in await setup.bp.warehouse.goods_out_notes(row.order_id) if d.shipped]
    assert not {r.order_id for r in alice_index} & {r.order_id for r in bob_index}
    assert any(tracked)


@pytest.mark.anyio
async def test_supplier_purchase_orders(sandbox):
    setup = Setup(sandbox)
    async with setup:
        _, index, orders = await order_list_page(setup.bp, SAM, order_type_id=2)
    assert index and all(o.order_type_code == "PO" and o.party_contact_id == SAM for o in orders.values())


@pytest.mark.anyio
async def test_login_lookup_and_account_pages(sandbox):
    setup = Setup(sandbox)
    async with setup:
        for email, user in USERS.items():
            if user["contact_id"] is None:
                continue
            rows = await setup.bp.contacts.by_email(email.upper())
            assert [r.contact_id for r in rows] == [user["contact_id"]]
        setup.sandbox.reset_calls()
        contact = await setup.bp.contacts.one(ALICE)
        balance = await setup.bp.accounting.balance(ALICE, "GBP")
        assert len(setup.calls) == 2  # account page: contact + balance
        addresses = await setup.bp.contacts.postal_addresses(contact.post_address_ids.values())
        assert len(setup.calls) == 3  # address book: + postal addresses (contact cached)
        lines = await setup.bp.accounting.statement(ALICE, contact.currency_id)
    assert contact.full_name == USERS["alice@example.com"]["name"]
    assert contact.credit_limit > 0 and balance is not None
    assert set(addresses) == set(contact.post_address_ids.values())
    assert lines and all(line.journal_id for line in lines)


# --- budget and throttle -----------------------------------------------------------------------
@pytest.mark.anyio
async def test_budget_keeps_background_work_out_of_the_throttle():
    setup = Setup(fresh_sandbox(SandboxConfig(throttle_limit=10, throttle_window_s=60)), headroom=4, deadline=120)
    async with setup:
        with background_priority():
            for _ in range(12):
                await setup.client.get("order-service/order-status")
    assert setup.statuses() == [200] * 12  # never throttled
    assert setup.clock.sleeps and min(setup.clock.sleeps) > 0  # it waited instead
    assert setup.client.health()["circuit"] == "closed"


@pytest.mark.anyio
async def test_throttle_from_another_app_on_the_pool_is_waited_out():
    setup = Setup(fresh_sandbox(SandboxConfig(throttle_limit=10, throttle_window_s=60)), headroom=0, deadline=120)
    knobs = setup.sandbox.knobs
    async with setup:
        await setup.client.get("order-service/order-status")  # we believe 9 are left
        setup.clock.advance(5)
        for _ in range(9):  # the merchant's other integration empties the shared pool
            setup.sandbox.throttle.hit(knobs.throttle_limit, knobs.throttle_window_s)
        statuses = await setup.client.get("order-service/order-status")
    assert statuses
    assert setup.statuses() == [200, 503, 200]
    (wait,) = setup.clock.sleeps
    assert 55 <= wait <= 55 + setup.client.throttle_jitter  # until our first request left the window
    assert setup.client.health()["circuit"] == "closed"


# --- faults ------------------------------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["outage", "error_rate"])
async def test_pages_stay_up_on_stale_data_and_the_breaker_opens_and_closes(sandbox, fault):
    setup = Setup(sandbox, breaker_threshold=5, breaker_cooldown=30, deadline=60)
    knobs = setup.sandbox.knobs
    async with setup:
        await order_list_page(setup.bp, ALICE)
        setup.clock.advance(TTL["order"].ttl + TTL["order"].stale_ttl + 1)  # all but statuses expired
        setattr(knobs, fault, True if fault == "outage" else 1.0)
        setup.sandbox.reset_calls()
        with track_staleness() as tracker:
            _, index, orders = await order_list_page(setup.bp, ALICE)
        assert index and len(orders) == 25 and tracker.stale
        attempts = len(setup.calls)
        assert attempts == 8  # 4 attempts each for the index and the orders: two failed calls
        for _ in range(4):  # each view is one failed call per family: the 5th opens their breakers
            with track_staleness() as tracker:
                await order_list_page(setup.bp, ALICE)
            assert tracker.stale
        assert setup.client.health()["open_families"] == ["order-service/order", "order-service/order-search"]
        assert len(setup.calls) == 5 * attempts
        attempts = len(setup.calls)
        with track_staleness() as tracker:
            await order_list_page(setup.bp, ALICE)
        assert len(setup.calls) == attempts  # open: not a single call
        assert tracker.stale
        setattr(knobs, fault, False if fault == "outage" else 0.0)
        setup.clock.advance(30)
        with track_staleness() as tracker:
            await order_list_page(setup.bp, ALICE)
        assert not tracker.stale
        assert setup.client.health()["circuit"] == "closed"


@pytest.mark.anyio
async def test_lost_write_response_is_an_unknown_outcome_and_the_write_happened(sandbox):
    setup = Setup(sandbox)
    async with setup:
        order_id, before = await setup.alice_order_notes()
        setup.sandbox.knobs.lose_responses = 1
        with pytest.raises(UnknownOutcome):
            await setup.client.post(f"order-service/order/{order_id}/note", {"text": "Lost reply", "isPublic": True})
        added = await setup.notes_added(order_id, before)
    posts = [c for c in setup.calls if c[0] == "POST"]
    assert len(posts) == 1  # never re-sent
    assert [n.text for n in added] == ["Lost reply"]


@pytest.mark.anyio
async def test_failed_write_is_not_retried_and_not_executed(sandbox):
    setup = Setup(sandbox)
    async with setup:
        order_id, before = await setup.alice_order_notes()
        setup.sandbox.knobs.fail_writes = 1
        with pytest.raises(BrightpearlUnavailable):
            await setup.client.post(f"order-service/order/{order_id}/note", {"text": "Never", "isPublic": True})
        note_id = await setup.client.post(f"order-service/order/{order_id}/note", {"text": "Hello", "isPublic": True})
        added = await setup.notes_added(order_id, before)
    assert [c[2] for c in setup.calls if c[0] == "POST"] == [503, 200]
    assert [(n.id, n.text, n.is_public) for n in added] == [(note_id, "Hello", True)]


@pytest.mark.anyio
async def test_slow_sandbox_is_cut_at_the_deadline(sandbox):
    sandbox.knobs.latency_ms = 2000
    client = BrightpearlClient(
        sandbox.base_url, app_ref=APP_REF, staff_token=STAFF_TOKEN, transport=sandbox.transport(), deadline=0.2
    )
    error, seconds = await failed_get(client, "order-service/order-status")
    assert error.reason == "deadline"
    assert seconds < 1.5
