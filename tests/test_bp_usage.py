"""The per-minute record of the portal's Brightpearl requests (portal.brightpearl.usage): minute
buckets in a ring of 60, the window of the last hour, the lowest `remaining` of a minute and the
estimate of other apps' use, errors by endpoint family, cache lookups; and the client recording
into it once per HTTP attempt."""

from __future__ import annotations

import httpx
import pytest

from portal.brightpearl.cache import Cache
from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.errors import BrightpearlUnavailable
from portal.brightpearl.usage import Usage, is_error

ORDERS = "order-service/order"
SEARCH = "contact-service/contact-search"


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now - now % 60  # the start of a minute

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def test_requests_of_one_minute_share_a_bucket_and_the_next_minute_starts_a_new_one(clock):
    usage = Usage(clock=clock)
    usage.record(ORDERS, 200, 199)
    clock.advance(30)
    usage.record(ORDERS, 200, 198)
    clock.advance(30)  # the next minute
    usage.record(SEARCH, 200, 197)
    window = usage.window()
    assert len(window) == 60
    assert [m.requests for m in window[-2:]] == [2, 1]
    assert window[-1].start - window[-2].start == 60
    assert sum(m.requests for m in window[:-2]) == 0


def test_the_window_is_the_last_hour_and_a_slot_is_emptied_when_its_minute_comes_round(clock):
    usage = Usage(clock=clock)
    usage.record(ORDERS, 200, 150)
    clock.advance(59 * 60)  # still inside the hour: the oldest minute of the window
    assert usage.window()[0].requests == 1
    assert usage.families()[0].requests == 1
    clock.advance(60)  # an hour on: gone from the window, though its slot was not reused yet
    assert sum(m.requests for m in usage.window()) == 0
    assert usage.families() == []
    usage.record(ORDERS, 200, 190)  # the same slot of the ring, a new minute
    window = usage.window()
    assert window[-1].requests == 1 and window[-1].lowest_remaining == 190
    assert sum(m.requests for m in window) == 1


def test_a_minute_keeps_its_lowest_remaining_and_estimates_the_other_apps_there(clock):
    usage = Usage(clock=clock)
    usage.record(ORDERS, 200, 150)  # 200 - 150 - 1 of ours = 49 others
    clock.advance(10)
    usage.record(ORDERS, 200, 120)  # 200 - 120 - 2 = 78
    clock.advance(10)
    usage.record(ORDERS, 200, 160)  # higher again (the rolling minute moved on): not the busiest
    usage.record(ORDERS, 200, None)  # no header: changes nothing
    minute = usage.window()[-1]
    assert minute.lowest_remaining == 120
    assert minute.others == 78
    assert minute.requests == 4


def test_the_estimate_counts_the_portals_own_requests_of_the_rolling_minute(clock):
    """Brightpearl's count is over a rolling minute: the portal's requests late in the previous
    minute are still in it, and are not taken for other apps'."""
    usage = Usage(clock=clock)
    clock.advance(50)
    for left in range(199, 99, -1):  # 100 requests at 00:50, nobody else
        usage.record(ORDERS, 200, left)
    clock.advance(20)  # 01:10
    usage.record(ORDERS, 200, 99)
    window = usage.window()
    assert window[-2].others == 0 and window[-1].others == 0
    assert usage.requests_last_minute() == 101
    clock.advance(51)  # 02:01: the 100 early ones left the rolling minute
    assert usage.requests_last_minute() == 1


def test_a_minute_without_the_header_has_no_estimate(clock):
    usage = Usage(clock=clock)
    usage.record(ORDERS, None)  # no answer at all
    minute = usage.window()[-1]
    assert minute.requests == 1 and minute.others is None and minute.lowest_remaining is None


def test_errors_by_family_and_throttles(clock):
    usage = Usage(clock=clock)
    usage.record(ORDERS, 200, 190, 0.05)
    usage.record(ORDERS, 500, 189, 0.15)
    usage.record(ORDERS, 404, 188, 0.1)  # "none found": not an error
    usage.record(SEARCH, None, None, 3.0)
    usage.record(SEARCH, 503, 0, 0.01, throttled=True)
    families = {f.name: f for f in usage.families()}
    assert (families[ORDERS].requests, families[ORDERS].errors) == (3, 1)
    assert families[ORDERS].error_rate == pytest.approx(1 / 3)
    assert families[ORDERS].mean_ms == pytest.approx(100.0)
    assert (families[SEARCH].requests, families[SEARCH].errors) == (2, 2)
    assert [f.name for f in usage.families()] == [SEARCH, ORDERS]  # most errors first
    minute = usage.window()[-1]
    assert (minute.errors, minute.throttled) == (3, 1)
    assert usage.last_error[SEARCH].throttled and usage.last_error[ORDERS].status == 500
    assert [is_error(s) for s in (None, 200, 207, 400, 401, 404, 429, 500)] == [
        True, False, False, True, True, False, True, True]


def test_the_last_outcome_is_fresh_for_a_minute(clock):
    usage = Usage(clock=clock)
    assert usage.fresh_outcome() is None
    usage.record(ORDERS, 401, 199)
    assert usage.fresh_outcome().status == 401
    clock.advance(61)
    assert usage.fresh_outcome() is None
    assert usage.last.status == 401


def test_cache_lookups_per_minute(clock):
    usage = Usage(clock=clock)
    usage.cache(3, 1)
    clock.advance(60)
    usage.cache(0, 2)
    window = usage.window()
    assert [(m.cache_hits, m.cache_misses) for m in window[-2:]] == [(3, 1), (0, 2)]


def brightpearl(handler):
    return httpx.MockTransport(handler)


@pytest.mark.anyio
async def test_the_client_records_each_attempt_with_the_remaining_header(clock):
    answers = iter([
        httpx.Response(500, json={"errors": [{"code": "CMNU-003", "message": "Internal"}]},
                       headers={"brightpearl-requests-remaining": "180"}),
        httpx.Response(200, json={"response": []}, headers={"brightpearl-requests-remaining": "150"}),
    ])
    usage = Usage(clock=clock)

    async def no_sleep(_seconds):
        return None

    client = BrightpearlClient("https://bp.test/public-api/acc", app_ref="app", staff_token="t",
                               transport=brightpearl(lambda request: next(answers)), usage=usage, sleep=no_sleep)
    async with client:
        await client.get("order-service/order/1-5")
    minute = usage.window()[-1]
    assert (minute.requests, minute.errors, minute.lowest_remaining) == (2, 1, 150)
    assert minute.others == 200 - 150 - 2
    (family,) = usage.families()
    assert (family.name, family.requests, family.errors) == (ORDERS, 2, 1)


@pytest.mark.anyio
async def test_the_client_records_a_throttle_and_a_connection_error(clock):
    usage = Usage(clock=clock)
    throttled = httpx.Response(503, json={"response": "You have sent too many requests. Please wait"},
                               headers={"brightpearl-requests-remaining": "0", "brightpearl-next-throttle-period": "5"})

    def answer(request):
        if "search" in request.url.path:
            raise httpx.ConnectError("refused", request=request)
        return throttled

    async def no_sleep(_seconds):
        return None

    client = BrightpearlClient("https://bp.test/public-api/acc", app_ref="app", staff_token="t",
                               transport=brightpearl(answer), usage=usage, sleep=no_sleep, deadline=5.0)
    client.max_throttle_retries = 0
    async with client:
        with pytest.raises(BrightpearlUnavailable):
            await client.get("order-service/order/1")
        with pytest.raises(BrightpearlUnavailable):
            await client.get(SEARCH)
    families = {f.name: f for f in usage.families()}
    assert families[ORDERS].errors == 1 and usage.window()[-1].throttled == 1
    assert families[SEARCH].requests == BrightpearlClient.max_attempts  # each retry is an attempt
    assert usage.last_error[SEARCH].status is None


@pytest.mark.anyio
async def test_the_cache_counts_its_lookups_into_the_record(clock):
    usage = Usage(clock=clock)
    cache = Cache(usage=usage)

    async def load():
        return "value"

    await cache.get("order", 1, load, ttl=60, stale_ttl=60)
    await cache.get("order", 1, load, ttl=60, stale_ttl=60)
    minute = usage.window()[-1]
    assert (minute.cache_hits, minute.cache_misses) == (1, 1)
