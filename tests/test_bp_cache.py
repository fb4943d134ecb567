"""Cache: single flight, TTL, stale-while-revalidate, stale-if-error with the request's
staleness tracker, errors never cached, LRU bound, invalidation, batches."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from support.brightpearl import FakeClock

from portal.brightpearl.cache import Cache, current_tracker, start_staleness_tracking, track_staleness
from portal.brightpearl.errors import BrightpearlAuthError, BrightpearlBadRequest, BrightpearlUnavailable
from portal.brightpearl.priority import BACKGROUND, INTERACTIVE, current_priority
from portal.core.metrics import Metrics

T0 = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)


class Wall:
    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.start = clock()

    def __call__(self) -> datetime:
        return T0 + timedelta(seconds=self.clock() - self.start)


def make_cache(**kwargs):
    clock = FakeClock()
    metrics = Metrics()
    cache = Cache(metrics=metrics, clock=clock, wall_clock=Wall(clock), **kwargs)
    return cache, clock, metrics


class Loader:
    """Counts calls; returns successive values or raises a queued error."""

    def __init__(self, *results, delay: int = 0):
        self.results = list(results) or ["v1"]
        self.calls = 0
        self.priorities: list[str] = []
        self.delay = delay

    async def __call__(self):
        self.calls += 1
        self.priorities.append(current_priority())
        for _ in range(self.delay):
            await asyncio.sleep(0)
        result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        if isinstance(result, BaseException):
            raise result
        return result


async def settle(rounds: int = 10):
    for _ in range(rounds):
        await asyncio.sleep(0)


def down():
    return BrightpearlUnavailable("Brightpearl is down", reason="server_error")


class OneOrder:
    """Order 1 in a new cache, always read through `loader` with the same freshness."""

    def __init__(self, loader: Loader, *, ttl: int = 60, stale_ttl: int = 60, **cache_options):
        self.cache, self.clock, self.metrics = make_cache(**cache_options)
        self.loader, self.ttl, self.stale_ttl = loader, ttl, stale_ttl

    async def get(self):
        return await self.cache.get("order", 1, self.loader, ttl=self.ttl, stale_ttl=self.stale_ttl)

    async def read_then_wait(self, seconds: float) -> OneOrder:
        """Read the order once (it is stored at T0), then let `seconds` pass."""
        await self.get()
        self.clock.advance(seconds)
        return self


# --- single flight -----------------------------------------------------------------------------
@pytest.mark.anyio
async def test_twenty_concurrent_misses_make_one_load():
    cache, _, metrics = make_cache()
    loader = Loader("value", delay=5)
    results = await asyncio.gather(*(cache.get("order", 1, loader, ttl=60, stale_ttl=60) for _ in range(20)))
    assert loader.calls == 1
    assert results == ["value"] * 20
    assert metrics.cache_misses._value.get() == 20


@pytest.mark.anyio
async def test_concurrent_misses_share_the_exception_and_it_is_not_cached():
    cache, _, _ = make_cache()
    loader = Loader(down(), "fine", delay=5)
    results = await asyncio.gather(
        *(cache.get("order", 1, loader, ttl=60, stale_ttl=60) for _ in range(20)), return_exceptions=True
    )
    assert loader.calls == 1
    assert all(isinstance(r, BrightpearlUnavailable) for r in results)
    assert await cache.get("order", 1, loader, ttl=60, stale_ttl=60) == "fine"
    assert loader.calls == 2


@pytest.mark.anyio
async def test_a_cancelled_waiter_does_not_cancel_the_load():
    cache, _, _ = make_cache()
    loader = Loader("value", delay=10)
    first = asyncio.create_task(cache.get("order", 1, loader, ttl=60, stale_ttl=60))
    second = asyncio.create_task(cache.get("order", 1, loader, ttl=60, stale_ttl=60))
    await settle(2)
    first.cancel()
    assert await second == "value"
    assert loader.calls == 1
    with pytest.raises(asyncio.CancelledError):
        await first


# --- ttl and stale-while-revalidate ------------------------------------------------------------
@pytest.mark.anyio
async def test_fresh_values_are_served_without_loading():
    cache, clock, metrics = make_cache()
    loader = Loader("v1", "v2")
    assert await cache.get("order", 1, loader, ttl=60, stale_ttl=0) == "v1"
    clock.advance(59)
    assert await cache.get("order", 1, loader, ttl=60, stale_ttl=0) == "v1"
    assert loader.calls == 1
    assert metrics.cache_hits._value.get() == 1
    clock.advance(2)
    assert await cache.get("order", 1, loader, ttl=60, stale_ttl=0) == "v2"
    assert loader.calls == 2


@pytest.mark.anyio
async def test_stale_while_revalidate_serves_at_once_and_refreshes_once_in_background():
    order = await OneOrder(Loader("v1", "v2", delay=5), stale_ttl=300).read_then_wait(100)
    with track_staleness() as tracker:
        served = await asyncio.gather(*(order.get() for _ in range(10)))
    assert served == ["v1"] * 10  # no waiting for the refresh
    assert tracker.oldest is None  # nothing failed: not reported as stale
    await settle()
    assert order.loader.calls == 2  # one refresh for ten stale reads
    assert order.loader.priorities == [INTERACTIVE, BACKGROUND]
    assert await order.get() == "v2"
    assert order.loader.calls == 2


@pytest.mark.anyio
async def test_failed_background_refresh_keeps_the_stale_value_and_reports_it():
    order = await OneOrder(Loader("v1", down(), "v3"), stale_ttl=300).read_then_wait(100)
    assert await order.get() == "v1"
    await settle()
    assert order.loader.calls == 2  # the refresh failed
    with track_staleness() as tracker:
        assert await order.get() == "v1"
    assert tracker.oldest == T0  # what we showed is older than it should be
    await settle()
    assert await order.get() == "v3"


@pytest.mark.anyio
async def test_background_tasks_are_referenced_until_done():
    order = await OneOrder(Loader("v1", "v2", delay=3), ttl=1, stale_ttl=100).read_then_wait(5)
    await order.get()
    assert len(order.cache._tasks) == 1
    await settle()
    assert len(order.cache._tasks) == 0


# --- stale-if-error ----------------------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize(
    "error",
    [down(), BrightpearlUnavailable("throttled", reason="throttled"), BrightpearlUnavailable("late", reason="deadline"),
     BrightpearlUnavailable("open", reason="circuit_open"), BrightpearlAuthError("Authorization token expired")],
    ids=["5xx", "throttled", "deadline", "circuit-open", "token-revoked"],
)
async def test_stale_if_error_serves_the_old_value_with_its_age(error):
    order = await OneOrder(Loader("v1", error, "v2")).read_then_wait(3600)
    with track_staleness() as tracker:
        assert await order.get() == "v1"
    assert tracker.oldest == T0 and tracker.stale and tracker.kinds == {"order"}
    assert order.metrics.cache_stale_served._value.get() == 1
    # The error was not stored: the next lookup asks Brightpearl again.
    assert await order.get() == "v2"
    assert order.loader.calls == 3


@pytest.mark.anyio
async def test_error_propagates_when_nothing_is_cached():
    cache, _, _ = make_cache()
    with track_staleness() as tracker:
        with pytest.raises(BrightpearlUnavailable):
            await cache.get("order", 1, Loader(down()), ttl=60, stale_ttl=60)
    assert tracker.oldest is None
    assert len(cache) == 0


@pytest.mark.anyio
async def test_too_old_values_are_not_served_on_error():
    order = await OneOrder(Loader("v1", down()), max_stale_age=24 * 3600).read_then_wait(24 * 3600 + 1)
    with pytest.raises(BrightpearlUnavailable):
        await order.get()


@pytest.mark.anyio
async def test_request_errors_are_not_hidden_by_stale_values():
    order = await OneOrder(Loader("v1", BrightpearlBadRequest("bad filter"))).read_then_wait(500)
    with pytest.raises(BrightpearlBadRequest):
        await order.get()


@pytest.mark.anyio
async def test_tracker_reports_the_oldest_across_tasks_of_the_request():
    cache, clock, _ = make_cache()
    await cache.get("order", 1, Loader("a"), ttl=10, stale_ttl=0)
    clock.advance(120)
    await cache.get("order", 2, Loader("b"), ttl=10, stale_ttl=0)
    clock.advance(600)
    with track_staleness() as tracker:
        # Work spawned inside the request shares its tracker.
        results = await asyncio.gather(
            asyncio.create_task(cache.get("order", 2, Loader(down()), ttl=10, stale_ttl=0)),
            asyncio.create_task(cache.get("order", 1, Loader(down()), ttl=10, stale_ttl=0)),
        )
    assert results == ["b", "a"]
    assert tracker.oldest == T0  # order 1 was fetched first
    assert current_tracker() is None


@pytest.mark.anyio
async def test_requests_have_separate_trackers():
    cache, clock, _ = make_cache()
    await cache.get("order", 1, Loader("a"), ttl=10, stale_ttl=0)
    clock.advance(60)

    async def request(fail: bool):
        with track_staleness() as tracker:
            await cache.get("order", 1, Loader(down() if fail else "fresh"), ttl=10, stale_ttl=0)
            await asyncio.sleep(0)
            return tracker.oldest

    stale, fresh = await asyncio.gather(request(True), request(False))
    # Both share one load (single flight); whichever ran it, trackers never leak across requests.
    assert {stale, fresh} <= {T0, None}


# --- bounds and invalidation -------------------------------------------------------------------
@pytest.mark.anyio
async def test_lru_bound_evicts_the_least_recently_used():
    cache, _, _ = make_cache(max_entries=3)
    loaders = {k: Loader(f"v{k}") for k in range(1, 5)}
    for k in (1, 2, 3):
        await cache.get("order", k, loaders[k], ttl=60, stale_ttl=0)
    await cache.get("order", 1, loaders[1], ttl=60, stale_ttl=0)  # 1 is now the most recent
    await cache.get("order", 4, loaders[4], ttl=60, stale_ttl=0)  # evicts 2
    assert len(cache) == 3
    assert cache.peek("order", 2) is None
    await cache.get("order", 1, loaders[1], ttl=60, stale_ttl=0)
    await cache.get("order", 2, loaders[2], ttl=60, stale_ttl=0)
    assert (loaders[1].calls, loaders[2].calls) == (1, 2)


@pytest.mark.anyio
async def test_invalidate_one_key_a_whole_kind_or_matching_keys():
    cache, _, _ = make_cache()
    loader = Loader("v")
    for key in (1, 2):
        await cache.get("order", key, loader, ttl=60, stale_ttl=60)
    for key in ((7, 1), (7, 2), (8, 1)):
        await cache.get("order_index", key, loader, ttl=60, stale_ttl=60)
    assert loader.calls == 5
    cache.invalidate("order", 1)
    await cache.get("order", 1, loader, ttl=60, stale_ttl=60)
    await cache.get("order", 2, loader, ttl=60, stale_ttl=60)
    assert loader.calls == 6
    cache.invalidate_where("order_index", lambda key: key[0] == 7)
    for key in ((7, 1), (7, 2), (8, 1)):
        await cache.get("order_index", key, loader, ttl=60, stale_ttl=60)
    assert loader.calls == 8
    cache.invalidate("order")
    await cache.get("order", 2, loader, ttl=60, stale_ttl=60)
    assert loader.calls == 9
    cache.clear()
    assert len(cache) == 0


@pytest.mark.anyio
async def test_invalidation_during_a_load_is_not_undone_by_it():
    cache, _, _ = make_cache()
    slow = Loader("before the write", delay=5)
    waiting = asyncio.create_task(cache.get("order", 1, slow, ttl=60, stale_ttl=60))
    await settle(2)
    cache.invalidate("order", 1)  # a write happened while the old value was being read
    assert await waiting == "before the write"
    assert await cache.get("order", 1, Loader("after the write"), ttl=60, stale_ttl=60) == "after the write"


@pytest.mark.anyio
async def test_invalidated_value_is_still_a_last_resort_on_error():
    cache, _, _ = make_cache()
    await cache.get("order", 1, Loader("old"), ttl=60, stale_ttl=60)
    cache.invalidate("order", 1)
    with track_staleness() as tracker:
        assert await cache.get("order", 1, Loader(down()), ttl=60, stale_ttl=60) == "old"
    assert tracker.stale


# --- batches -----------------------------------------------------------------------------------
class BatchLoader:
    def __init__(self, existing, delay: int = 0):
        self.existing = set(existing)
        self.calls: list[list[int]] = []
        self.delay = delay

    async def __call__(self, keys):
        self.calls.append(sorted(keys))
        for _ in range(self.delay):
            await asyncio.sleep(0)
        return {k: f"order {k}" for k in keys if k in self.existing}


@pytest.mark.anyio
async def test_get_many_loads_only_what_is_missing_in_one_call():
    cache, _, _ = make_cache()
    loader = BatchLoader(range(1, 100))
    assert await cache.get_many("order", [1, 2, 3], loader, ttl=60, stale_ttl=60) == {
        1: "order 1",
        2: "order 2",
        3: "order 3",
    }
    found = await cache.get_many("order", [3, 4, 5, 200], loader, ttl=60, stale_ttl=60)
    assert list(found) == [3, 4, 5]  # 200 does not exist
    assert loader.calls == [[1, 2, 3], [4, 5, 200]]
    await cache.get_many("order", [1, 2, 3, 4, 5, 200], loader, ttl=60, stale_ttl=60)
    assert len(loader.calls) == 2  # all known now, the missing one included


@pytest.mark.anyio
async def test_get_many_is_single_flight_per_key_across_batches():
    cache, _, _ = make_cache()
    loader = BatchLoader(range(1, 100), delay=5)
    first, second = await asyncio.gather(
        cache.get_many("order", [1, 2, 3], loader, ttl=60, stale_ttl=60),
        cache.get_many("order", [2, 3, 4], loader, ttl=60, stale_ttl=60),
    )
    assert loader.calls == [[1, 2, 3], [4]]
    assert list(second) == [2, 3, 4]


@pytest.mark.anyio
async def test_get_many_stale_if_error_needs_every_key():
    cache, clock, _ = make_cache()
    await cache.get_many("order", [1, 2], BatchLoader([1, 2]), ttl=60, stale_ttl=0)
    clock.advance(120)

    async def failing(keys):
        raise down()

    with track_staleness() as tracker:
        assert await cache.get_many("order", [1, 2], failing, ttl=60, stale_ttl=0) == {1: "order 1", 2: "order 2"}
    assert tracker.oldest == T0
    with pytest.raises(BrightpearlUnavailable):
        await cache.get_many("order", [1, 2, 3], failing, ttl=60, stale_ttl=0)


@pytest.mark.anyio
async def test_aclose_cancels_background_refreshes():
    cache, clock, _ = make_cache()
    hang = asyncio.Event()

    async def loader():
        if hang.is_set():
            await asyncio.sleep(3600)
        return "v"

    await cache.get("order", 1, loader, ttl=1, stale_ttl=100)
    hang.set()
    clock.advance(5)
    await cache.get("order", 1, loader, ttl=1, stale_ttl=100)
    await settle(2)
    await cache.aclose()
    assert not cache._tasks


@pytest.mark.anyio
async def test_start_staleness_tracking_for_hooks():
    cache, clock, _ = make_cache()
    await cache.get("order", 1, Loader("a"), ttl=10, stale_ttl=0)
    clock.advance(60)

    async def request():
        tracker = start_staleness_tracking()  # e.g. in a before-request hook
        await cache.get("order", 1, Loader(down()), ttl=10, stale_ttl=0)
        return tracker, current_tracker()

    tracker, seen = await asyncio.create_task(request())
    assert seen is tracker and tracker.oldest == T0
    assert current_tracker() is None  # the request's task had its own context
