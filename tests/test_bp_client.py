"""BrightpearlClient against httpx.MockTransport: envelope, auth, ID sets, search paging,
budget and throttle, read retries, write safety, deadline, circuit breaker, metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from urllib.parse import parse_qs

import httpx
import pytest
from support.brightpearl import (
    FakeClock,
    brightpearl_response,
    client_on_clock,
    example_response,
    failed_get,
    load_example,
)

from portal.brightpearl.client import BrightpearlClient, build_path, resource_name
from portal.brightpearl.errors import (
    BrightpearlAuthError,
    BrightpearlBadRequest,
    BrightpearlNotFound,
    BrightpearlUnavailable,
    UnknownOutcome,
)
from portal.brightpearl.idset import parse_idset
from portal.brightpearl.priority import background_priority
from portal.core.metrics import Metrics

BASE = "https://euw1.brightpearlconnect.com/public-api/acmetrade"
THROTTLED = {"response": "You have sent too many requests. Please wait before sending another request"}
INTERNAL = {"errors": [{"code": "CMNU-003", "message": "Internal Server Error"}]}


class Recorder:
    """A MockTransport handler: answers with `respond(request)` and records every request
    together with the fake clock's time."""

    def __init__(self, respond, clock: FakeClock | None = None):
        self.respond = respond
        self.clock = clock
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.clock() if self.clock else 0.0)
        answer = self.respond(request)
        if asyncio.iscoroutine(answer):
            answer = await answer
        if isinstance(answer, BaseException):
            raise answer
        return answer

    @property
    def count(self) -> int:
        return len(self.requests)


def sequence(*answers):
    """A respond function giving `answers` in turn (the last one repeats)."""
    queue = list(answers)

    def respond(request):
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return respond


def make_client(respond, *, clock: FakeClock | None = None, metrics: Metrics | None = None, **kwargs):
    clock = clock or FakeClock()
    recorder = Recorder(respond, clock)
    kwargs.setdefault("staff_token", "secret-staff-token")
    client = client_on_clock(
        BASE, httpx.MockTransport(recorder), clock, seed=7, app_ref="acmetrade_portal", metrics=metrics, **kwargs
    )
    return client, recorder, clock


def ok(value, **kwargs):
    return brightpearl_response(200, {"response": value}, **kwargs)


def throttled(period_ms: int, remaining: int | None = 0) -> httpx.Response:
    """Brightpearl's throttle 503, naming the milliseconds until the next request may go."""
    return brightpearl_response(503, THROTTLED, remaining=remaining, period_ms=period_ms)


# --- envelope, auth, paths ---------------------------------------------------------------------
@pytest.mark.anyio
async def test_staff_token_headers_and_response_value():
    client, rec, _ = make_client(lambda r: ok([{"id": 1}]))
    async with client:
        assert await client.get("order-service/order/1") == [{"id": 1}]
    request = rec.requests[0]
    assert str(request.url) == f"{BASE}/order-service/order/1"
    assert request.headers["brightpearl-app-ref"] == "acmetrade_portal"
    assert request.headers["brightpearl-staff-token"] == "secret-staff-token"
    assert "brightpearl-account-token" not in request.headers


@pytest.mark.anyio
async def test_account_token_auth_and_json_writes():
    client, rec, _ = make_client(lambda r: ok(20601), staff_token="", account_token="sys-token")
    async with client:
        assert await client.post("/order-service/order/51234/note", {"text": "Hi", "isPublic": True}) == 20601
        assert await client.put("order-service/order/1/status", {"orderStatusId": 4}) == 20601
    request = rec.requests[0]
    assert request.method == "POST"
    assert request.headers["brightpearl-account-token"] == "sys-token"
    assert "brightpearl-staff-token" not in request.headers
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"text": "Hi", "isPublic": True}


@pytest.mark.anyio
async def test_put_answering_empty_object_returns_none():
    client, _, _ = make_client(lambda r: brightpearl_response(200, {}))
    async with client:
        assert await client.put("contact-service/contact/1/postal-address", [{"postalAddressId": 3}]) is None


def test_query_encoding_and_resource_names():
    path = build_path(
        "order-service/order-search",
        {"customerRef": "#0001", "createdOn": "2024-05-01T00:00:00+01:00/", "isPublic": True, "skip": None},
    )
    assert path == "order-service/order-search?customerRef=%230001&createdOn=2024-05-01T00:00:00%2B01:00/&isPublic=true"
    assert resource_name("order-service/order/1-5,9?x=1") == "order-service/order"
    assert resource_name("/warehouse-service/order/51234/goods-note/goods-out/") == "warehouse-service/order/goods-note/goods-out"
    assert resource_name("accounting-service/contact/1042/currency/GBP/balance") == "accounting-service/contact/currency/balance"
    assert resource_name("warehouse-service/order/*/goods-note/goods-out/70551") == "warehouse-service/order/goods-note/goods-out"


@pytest.mark.anyio
async def test_get_with_reference_on_the_order_search_example():
    client, _, _ = make_client(lambda r: example_response("order-search"))
    async with client:
        response, reference = await client.get_with_reference("order-service/order-search", {"contactId": 1042})
    assert response["metaData"]["resultsAvailable"] == 5
    assert reference["orderStatusNames"]["4"] == "Invoiced"


@pytest.mark.anyio
async def test_check_credentials_401_carries_the_plain_text_message():
    bodies = load_example("error-unauthorized")["response"]["examples"]
    client, rec, _ = make_client(lambda r: brightpearl_response(401, bodies[0]["body"], headers={"Ruid": "r-1"}))
    async with client:
        with pytest.raises(BrightpearlAuthError) as caught:
            await client.check_credentials()
    assert caught.value.message == "Authorization token expired"
    assert caught.value.status == 401
    assert caught.value.ruid == "r-1"
    assert rec.count == 1  # never retried
    assert rec.requests[0].url.path.endswith("/order-service/order-status")


@pytest.mark.anyio
async def test_check_credentials_passes():
    client, _, _ = make_client(lambda r: ok([]))
    async with client:
        await client.check_credentials()


# --- ID sets -----------------------------------------------------------------------------------
def order_server(existing: set[int]):
    """Answers order GETs by ID set with the existing ids, in reverse order (any order is legal)."""

    def respond(request: httpx.Request):
        ids = parse_idset(request.url.path.rsplit("/", 1)[1])
        return ok([{"id": i, "reference": f"R{i}"} for i in sorted(ids, reverse=True) if i in existing])

    return respond


@pytest.mark.anyio
async def test_get_many_chunks_450_ids_into_3_calls_in_requested_order():
    wanted = list(range(1000, 1450))
    random.Random(3).shuffle(wanted)
    existing = set(wanted) - {1003, 1200, 1449}
    client, rec, _ = make_client(order_server(existing))
    async with client:
        found = await client.get_many("order-service/order/{ids}", wanted + [1000])
    assert rec.count == 3
    sizes = sorted(len(parse_idset(r.url.path.rsplit("/", 1)[1])) for r in rec.requests)
    assert sizes == [50, 200, 200]
    assert all("," in r.url.path or "-" in r.url.path for r in rec.requests)
    assert [o["id"] for o in found] == [i for i in wanted if i in existing]


@pytest.mark.anyio
async def test_get_many_uses_compact_ranges():
    client, rec, _ = make_client(order_server({1, 2, 3}))
    async with client:
        await client.get_many("order-service/order/{ids}", [5, 1, 2, 3, 4, 9])
    assert rec.requests[0].url.path.endswith("/order-service/order/1-5,9")


@pytest.mark.anyio
async def test_get_many_none_found_answers():
    not_found = brightpearl_response(404, {"errors": [{"code": "CMNC-404", "message": "No Contact Found"}]})
    client, _, _ = make_client(sequence(ok([]), not_found))
    async with client:
        assert await client.get_many("order-service/order/{ids}", [1]) == []
        assert await client.get_many("contact-service/contact/{ids}", [2], id_key="contactId") == []
        assert await client.get_many("order-service/order/{ids}", []) == []


@pytest.mark.anyio
async def test_get_many_unknown_uri_404_is_an_error():
    client, _, _ = make_client(lambda r: brightpearl_response(404, {"errors": [{"code": "XYZ", "message": "No"}]}))
    async with client:
        with pytest.raises(BrightpearlNotFound):
            await client.get_many("order-service/nope/{ids}", [1])


@pytest.mark.anyio
async def test_get_many_accepts_a_map_keyed_by_id():
    notes = {"70552": {"orderId": 2}, "70551": {"orderId": 1}}
    client, _, _ = make_client(lambda r: ok(notes))
    async with client:
        found = await client.get_many("warehouse-service/order/*/goods-note/goods-out/{ids}", [70551, 70552], chunk=500)
    assert found == [{"id": 70551, "orderId": 1}, {"id": 70552, "orderId": 2}]


@pytest.mark.anyio
async def test_get_many_failure_is_not_an_exception_group():
    client, _, _ = make_client(lambda r: brightpearl_response(400, {"errors": [{"code": "X", "message": "bad"}]}))
    async with client:
        with pytest.raises(BrightpearlBadRequest):
            await client.get_many("order-service/order/{ids}", range(1, 500))


# --- search ------------------------------------------------------------------------------------
COLUMNS = [{"name": "orderId"}, {"name": "contactId"}, {"name": "orderStatusId"}]


def search_server(total_rows: int, names=None):
    """A search over `total_rows` rows honouring pageSize/firstResult; reference per page."""
    rows = [[i, 1042, i % 3] for i in range(1, total_rows + 1)]

    def respond(request: httpx.Request):
        query = parse_qs(request.url.query.decode())
        size, first = int(query["pageSize"][0]), int(query["firstResult"][0])
        page = rows[first - 1 : first - 1 + size]
        last = first + len(page) - 1
        meta = {
            "morePagesAvailable": last < total_rows,
            "resultsAvailable": total_rows,
            "resultsReturned": len(page),
            "firstResult": first,
            "lastResult": last,
            "columns": names or COLUMNS,
        }
        reference = {"orderStatusNames": {str(r[2]): f"S{r[2]}" for r in page}}
        return brightpearl_response(200, {"response": {"results": page, "metaData": meta}, "reference": reference})

    return respond


@pytest.mark.anyio
async def test_search_follows_paging_and_keys_rows_by_column():
    client, rec, _ = make_client(search_server(5))
    async with client:
        result = await client.search("order-service/order-search", {"contactId": 1042}, page_size=2)
    assert rec.count == 3
    firsts = [parse_qs(r.url.query.decode())["firstResult"][0] for r in rec.requests]
    assert firsts == ["1", "3", "5"]
    assert result.total == 5
    assert [r["orderId"] for r in result.rows] == [1, 2, 3, 4, 5]
    assert result.rows[0] == {"orderId": 1, "contactId": 1042, "orderStatusId": 1}
    assert result.reference["orderStatusNames"] == {"0": "S0", "1": "S1", "2": "S2"}


@pytest.mark.anyio
async def test_search_reads_columns_at_runtime():
    reordered = [{"name": "orderStatusId"}, {"name": "orderId"}, {"name": "contactId"}]
    client, _, _ = make_client(search_server(1, names=reordered))
    async with client:
        result = await client.search("order-service/order-search")
    assert result.rows == [{"orderStatusId": 1, "orderId": 1042, "contactId": 1}]


@pytest.mark.anyio
async def test_search_max_rows_stops_early():
    client, rec, _ = make_client(search_server(1200))
    async with client:
        result = await client.search("order-service/order-search", max_rows=600)
    assert rec.count == 2
    assert len(result.rows) == 600 and result.total == 1200
    assert parse_qs(rec.requests[0].url.query.decode())["pageSize"] == ["500"]


@pytest.mark.anyio
async def test_search_all_rows_of_a_big_index():
    client, rec, _ = make_client(search_server(1001))
    async with client:
        result = await client.search("order-service/order-search")
    assert rec.count == 3 and len(result.rows) == 1001


@pytest.mark.anyio
async def test_search_tolerates_empty_result_without_paging_fields():
    empty = {"response": {"results": [], "metaData": {"resultsAvailable": 0, "resultsReturned": 0}}, "reference": {}}
    client, rec, _ = make_client(lambda r: brightpearl_response(200, empty))
    async with client:
        result = await client.search("contact-service/contact-search", {"primaryEmail": "x@example.com"})
    assert (result.rows, result.total, rec.count) == ([], 0, 1)


@pytest.mark.anyio
async def test_search_on_the_contact_search_example():
    client, _, _ = make_client(lambda r: example_response("contact-search"))
    async with client:
        result = await client.search("contact-service/contact-search", {"primaryEmail": "jane.porter@example.com"})
    (row,) = result.rows
    assert row["primaryEmail"] == "jane.porter@example.com" and row["lastContactedOn"] is None
    assert len(result.columns) == 21


# --- throttle and budget ----------------------------------------------------------------------
@pytest.mark.anyio
async def test_throttle_503_waits_the_period_then_retries():
    metrics = Metrics()
    client, rec, clock = make_client(sequence(throttled(3000), ok([1])), metrics=metrics)
    async with client:
        assert await client.get("order-service/order/1") == [1]
    assert rec.count == 2
    (wait,) = clock.sleeps
    assert 3.0 <= wait <= 3.0 + client.throttle_jitter
    assert rec.times[1] - rec.times[0] >= 3.0
    health = client.health()
    assert health["circuit"] == "closed"
    assert health["last_throttle_wait"] == pytest.approx(wait)
    assert metrics.brightpearl_call_count() == 2


class SteppedClock(FakeClock):
    """Time moves only when the test advances it; sleepers wake when their time has come."""

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake_at = self.now + seconds
        while self.now < wake_at:
            await asyncio.sleep(0)


@pytest.mark.anyio
async def test_throttle_pauses_every_caller():
    """REL-03: after a throttle 503 no task sends anything before the period ends."""
    clock = SteppedClock()
    # No remaining header: only the throttle pause can hold the others back.
    answers = [throttled(3000, remaining=None)]

    def respond(request):
        return answers.pop(0) if answers else ok([])

    client, rec, _ = make_client(respond, clock=clock)
    async with client:
        first = asyncio.create_task(client.get("order-service/order/1"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert rec.count == 1  # throttled; the pause is set
        others = [asyncio.create_task(client.get(f"contact-service/contact/{i}")) for i in range(3)]
        while not all(t.done() for t in [first, *others]):
            clock.advance(0.25)
            for _ in range(5):
                await asyncio.sleep(0)
        await asyncio.gather(first, *others)
    throttled_at = rec.times[0]
    assert rec.count == 5
    assert all(t >= throttled_at + 3.0 for t in rec.times[1:])
    assert min(rec.times[1:]) <= throttled_at + 3.0 + client.throttle_jitter + 0.5


@pytest.mark.anyio
async def test_throttle_longer_than_the_deadline_fails_fast_and_is_not_a_breaker_failure():
    client, rec, clock = make_client(lambda r: throttled(45000), deadline=20, breaker_threshold=1)
    async with client:
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.get("order-service/order/1")
        assert caught.value.reason == "throttled"
        assert clock.sleeps == []  # no point waiting past the deadline
        # Everyone else is paused too: the next call does not even reach the network.
        with pytest.raises(BrightpearlUnavailable):
            await client.get("order-service/order/2")
        assert rec.count == 1
        assert client.health()["circuit"] == "closed"
        assert client.health()["paused_for"] > 40


@pytest.mark.anyio
async def test_many_throttles_never_open_the_breaker():
    client, rec, _ = make_client(lambda r: throttled(1000), deadline=1000, breaker_threshold=2)
    async with client:
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.get("order-service/order/1")
    assert caught.value.reason == "throttled"
    assert rec.count == client.max_throttle_retries + 1
    assert client.health()["circuit"] == "closed"


@pytest.mark.anyio
async def test_budget_background_waits_when_remaining_at_headroom():
    client, rec, clock = make_client(lambda r: ok([], remaining=40, period_ms=10000), headroom=40)
    async with client:
        await client.get("order-service/order/1")  # learns: 40 left, period ends in 10 s
        start = clock()
        with background_priority():
            await client.get("order-service/order/2")
    assert rec.times[1] >= start + 10.0
    (wait,) = clock.sleeps
    assert 10.0 <= wait <= 10.0 + client.budget_jitter


@pytest.mark.anyio
async def test_budget_interactive_may_use_half_the_headroom():
    client, rec, clock = make_client(lambda r: ok([], remaining=30, period_ms=10000), headroom=40)
    async with client:
        await client.get("order-service/order/1")
        await client.get("order-service/order/2")  # 30 > 20: a person is waiting, go
        assert clock.sleeps == []
        with background_priority():
            await client.get("order-service/order/3")  # 30 <= 40: background waits
        assert len(clock.sleeps) == 1


@pytest.mark.anyio
async def test_budget_interactive_waits_below_half_the_headroom():
    client, _, clock = make_client(lambda r: ok([], remaining=20, period_ms=5000), headroom=40)
    async with client:
        await client.get("order-service/order/1")
        await client.get("order-service/order/2", priority="interactive")
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 5.0


@pytest.mark.anyio
async def test_budget_counts_calls_in_flight():
    """Concurrent calls spend the budget before their answers arrive."""
    async def slow(request):
        for _ in range(5):  # answers arrive after every task has decided whether to go
            await asyncio.sleep(0)
        return ok([], remaining=43, period_ms=10000)

    client, rec, clock = make_client(slow, headroom=40)
    async with client:
        await client.get("order-service/order/1")  # 43 left
        with background_priority():
            await asyncio.gather(*(client.get(f"order-service/order/{i}") for i in range(2, 8)))
    # 43 -> 3 calls may go at once (43, 42, 41 > 40); the other 3 wait for the period to end.
    assert sum(1 for t in rec.times[1:] if t < 1000 + 10) == 3


@pytest.mark.anyio
async def test_budget_wait_beyond_deadline_fails_fast():
    client, rec, clock = make_client(lambda r: ok([], remaining=0, period_ms=59000), headroom=40, deadline=5)
    async with client:
        await client.get("order-service/order/1")
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.get("order-service/order/2")
    assert caught.value.reason == "throttled"
    assert rec.count == 1 and clock.sleeps == []


@pytest.mark.anyio
async def test_requests_remaining_gauge_and_health():
    metrics = Metrics()
    client, _, _ = make_client(lambda r: ok([], remaining=123, period_ms=5000), metrics=metrics)
    async with client:
        await client.get("order-service/order/1")
    assert metrics.requests_remaining._value.get() == 123
    health = client.health()
    assert health["requests_remaining"] == 123
    assert health["last_success_at"] is not None and health["last_error"] is None


# --- read retries ------------------------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    [
        lambda: brightpearl_response(500, INTERNAL),
        lambda: brightpearl_response(503, {"response": "Service Unavailable"}),
        lambda: httpx.ConnectError("refused"),
        lambda: httpx.ReadTimeout("slow"),
        lambda: httpx.Response(200, text='{"respo'),
    ],
    ids=["500", "503-outage", "connect-error", "read-timeout", "malformed-json"],
)
async def test_reads_retry_with_capped_full_jitter_backoff(failure):
    client, rec, clock = make_client(lambda r: failure(), deadline=1000, breaker_threshold=100)
    async with client:
        with pytest.raises(BrightpearlUnavailable):
            await client.get("order-service/order/1")
    assert rec.count == client.max_attempts
    assert len(clock.sleeps) == client.max_attempts - 1
    for n, gap in enumerate(clock.sleeps):
        assert 0 <= gap <= min(client.backoff_cap, client.backoff_base * 2**n)


@pytest.mark.anyio
async def test_read_recovers_after_transient_failures():
    client, rec, _ = make_client(sequence(brightpearl_response(502, None), httpx.ReadError("reset"), ok([7])))
    async with client:
        assert await client.get("order-service/order/1") == [7]
    assert rec.count == 3


@pytest.mark.anyio
async def test_backoff_stops_at_the_deadline():
    client, rec, clock = make_client(lambda r: brightpearl_response(500, INTERNAL), deadline=0.3)
    client.max_attempts = 50
    async with client:
        with pytest.raises(BrightpearlUnavailable):
            await client.get("order-service/order/1")
    assert sum(clock.sleeps) <= 0.3
    assert rec.count < 50


@pytest.mark.anyio
async def test_4xx_and_programmer_500s_are_not_retried():
    bad = brightpearl_response(400, {"errors": [{"code": "ORDC-005", "message": "You have not supplied an order type code"}]})
    cmnc = brightpearl_response(500, {"errors": [{"code": "CMNC-018", "message": "The filter x cannot be parsed"}]})
    client, rec, _ = make_client(sequence(bad, cmnc), breaker_threshold=1)
    async with client:
        with pytest.raises(BrightpearlBadRequest) as caught:
            await client.get("order-service/order-search")
        assert caught.value.messages == ["You have not supplied an order type code"]
        assert caught.value.codes == ["ORDC-005"]
        with pytest.raises(BrightpearlBadRequest) as caught:
            await client.get("order-service/order-search", {"orderStatusId": "abc"})
        assert caught.value.status == 500
    assert rec.count == 2
    assert client.health()["circuit"] == "closed"


@pytest.mark.anyio
async def test_failures_are_logged_with_ruid_and_message_type(caplog):
    response = brightpearl_response(500, INTERNAL, headers={"Ruid": "abc-123", "Message-Type": "get-order"})
    client, _, _ = make_client(lambda r: response)
    client.max_attempts = 1
    with caplog.at_level(logging.WARNING, logger="portal.brightpearl"):
        async with client:
            with pytest.raises(BrightpearlUnavailable):
                await client.get("order-service/order/1")
    assert "Ruid=abc-123" in caplog.text and "Message-Type=get-order" in caplog.text
    assert "secret-staff-token" not in caplog.text


# --- deadline (real time) ----------------------------------------------------------------------
@pytest.mark.anyio
async def test_hung_read_is_cut_at_the_deadline():
    async def hang(request):
        await asyncio.sleep(30)

    client = BrightpearlClient(BASE, app_ref="a", staff_token="t", transport=httpx.MockTransport(hang), deadline=0.2)
    error, seconds = await failed_get(client, "order-service/order/1")
    assert error.reason == "deadline"
    assert seconds < 2


@pytest.mark.anyio
async def test_hung_write_is_an_unknown_outcome():
    async def hang(request):
        await asyncio.sleep(30)

    client = BrightpearlClient(BASE, app_ref="a", staff_token="t", transport=httpx.MockTransport(hang), deadline=0.2)
    async with client:
        with pytest.raises(UnknownOutcome):
            await client.post("order-service/order/1/note", {"text": "x"})


# --- writes ------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_post_is_retried_after_the_throttle():
    client, rec, clock = make_client(sequence(throttled(2000), ok(20601)))
    async with client:
        assert await client.post("order-service/order/1/note", {"text": "x"}) == 20601
    assert rec.count == 2 and clock.sleeps[0] >= 2.0


@pytest.mark.anyio
async def test_write_throttled_past_the_deadline_was_not_executed():
    client, rec, _ = make_client(lambda r: throttled(50000), deadline=20)
    async with client:
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.post("order-service/order/1/note", {"text": "x"})
    assert not isinstance(caught.value, UnknownOutcome) and caught.value.reason == "throttled"
    assert rec.count == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (lambda: httpx.ReadError("lost"), UnknownOutcome),
        (lambda: httpx.RemoteProtocolError("reset"), UnknownOutcome),
        (lambda: httpx.ReadTimeout("slow"), UnknownOutcome),
        (lambda: brightpearl_response(504, None), UnknownOutcome),
        (lambda: httpx.Response(200, text="<html>"), UnknownOutcome),
        (lambda: httpx.ConnectError("refused"), BrightpearlUnavailable),
        (lambda: brightpearl_response(503, {"response": "Service Unavailable"}), BrightpearlUnavailable),
        (lambda: brightpearl_response(500, INTERNAL), BrightpearlUnavailable),
    ],
    ids=["read-error", "reset", "read-timeout", "504", "2xx-garbled", "connect-error", "503-outage", "500"],
)
async def test_write_failures_say_whether_the_write_may_have_happened(failure, expected):
    """One attempt each: none of these failures is retried."""
    client, rec, _ = make_client(lambda r: failure())
    async with client:
        with pytest.raises(expected):
            await client.post("order-service/sales-order", {"externalRef": "k1"})
    assert rec.count == 1


@pytest.mark.anyio
async def test_write_validation_error_carries_brightpearl_messages():
    body = {"errors": [{"code": "ORDC-022", "message": "Suppllier ID Required."}, {"code": "ORDC-005", "message": "x"}]}
    client, _, _ = make_client(lambda r: brightpearl_response(400, body))
    async with client:
        with pytest.raises(BrightpearlBadRequest) as caught:
            await client.post("order-service/order/", {"orderTypeCode": "PO"})
    assert caught.value.messages == ["Suppllier ID Required.", "x"]
    assert "ORDC-022" in str(caught.value)


# --- circuit breaker ---------------------------------------------------------------------------
@pytest.mark.anyio
async def test_circuit_breaker_counts_calls_pauses_one_family_probes_and_closes():
    metrics = Metrics()
    healthy = False

    def respond(request):
        if "contact-service" in request.url.path:
            return ok([{"contactId": 1}])
        return ok([1]) if healthy else httpx.ConnectError("refused")

    client, rec, clock = make_client(
        respond, metrics=metrics, breaker_threshold=5, breaker_window=30, breaker_cooldown=30, deadline=1000
    )
    async with client:
        for _ in range(4):  # 4 calls of 4 attempts each: 4 failures, not 16
            with pytest.raises(BrightpearlUnavailable) as caught:
                await client.get("order-service/order/1")
            assert caught.value.reason == "connection"
        assert client.health()["circuit"] == "closed"
        with pytest.raises(BrightpearlUnavailable):
            await client.get("order-service/order/1")  # the 5th failed call opens it
        assert rec.count == 20
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.get("order-service/order/2")
        assert caught.value.reason == "circuit_open" and rec.count == 20
        health = client.health()
        assert health["circuit"] == "degraded" and health["open_families"] == ["order-service/order"]
        assert metrics.circuit_open._value.get() == 1
        assert await client.get("contact-service/contact/1") == [{"contactId": 1}]  # another family goes on
        assert rec.count == 21
        for _ in range(10):  # open: zero outbound calls to that family
            with pytest.raises(BrightpearlUnavailable):
                await client.get("order-service/order/1")
        assert rec.count == 21
        clock.advance(30)
        assert client.health()["open_families"] == ["order-service/order"]  # half open, waiting for a probe
        healthy = True
        assert await client.get("order-service/order/1") == [1]  # the probe
        assert rec.count == 22
        assert client.health()["circuit"] == "closed"
        assert metrics.circuit_open._value.get() == 0


@pytest.mark.anyio
async def test_half_open_allows_one_probe_of_one_attempt_and_a_failed_probe_reopens():
    gate = asyncio.Event()

    async def respond(request):
        await gate.wait()
        return httpx.ConnectError("still down")

    client, rec, clock = make_client(lambda r: httpx.ConnectError("down"), breaker_threshold=1, breaker_cooldown=30)
    async with client:
        with pytest.raises(BrightpearlUnavailable):
            await client.get("order-service/order/1")
        assert client.health()["open_families"] == ["order-service/order"]
        assert rec.count == 4
        clock.advance(30)
        rec.respond = respond
        probe = asyncio.create_task(client.get("order-service/order/1"))
        await asyncio.sleep(0.01)
        with pytest.raises(BrightpearlUnavailable) as caught:  # only one probe at a time
            await client.get("order-service/order/2")
        assert caught.value.reason == "circuit_open"
        gate.set()
        with pytest.raises(BrightpearlUnavailable):
            await probe
        assert client.health()["open_families"] == ["order-service/order"]
        assert client.health()["circuit_retry_after"] == 30
        assert rec.count == 5  # the probe was one attempt, not four


@pytest.mark.anyio
async def test_failures_of_three_families_are_an_outage_that_pauses_every_call_until_one_probe_succeeds():
    down = True

    def respond(request):
        return httpx.ConnectError("down") if down else ok([1])

    client, rec, clock = make_client(respond, breaker_threshold=5, breaker_spread=3, breaker_cooldown=30, deadline=1000)
    client.max_attempts = 1
    async with client:
        for path in ("order-service/order/1", "warehouse-service/shipping-method/", "contact-service/contact/1"):
            with pytest.raises(BrightpearlUnavailable):
                await client.get(path)  # one failed call each: no family is paused on its own
        assert client.health()["open_families"] == []
        assert client.health()["circuit"] == "open"
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.get("product-service/price-list/")  # never failed itself
        assert caught.value.reason == "circuit_open"
        assert rec.count == 3
        clock.advance(30)
        down = False
        assert await client.get("product-service/price-list/") == [1]  # the one probe, for all
        assert client.health()["circuit"] == "closed"
        assert await client.get("order-service/order/1") == [1]
        assert rec.count == 5


@pytest.mark.anyio
async def test_one_family_failing_again_and_again_is_not_an_outage():
    def respond(request):
        return httpx.ConnectError("down") if "shipping-method" in request.url.path else ok([1])

    client, rec, _ = make_client(respond, breaker_threshold=2, breaker_spread=3, deadline=1000)
    async with client:
        for _ in range(6):
            with pytest.raises(BrightpearlUnavailable):
                await client.get("warehouse-service/shipping-method/")
        assert client.health()["circuit"] == "degraded"
        assert await client.get("order-service/order/1") == [1]
    assert rec.count == 2 * 4 + 1  # two failed calls of 4 attempts opened it; then only the order


@pytest.mark.anyio
async def test_failures_outside_the_window_do_not_open_the_breaker():
    client, rec, clock = make_client(sequence(brightpearl_response(500, INTERNAL)), breaker_threshold=3, breaker_window=30)
    client.max_attempts = 1
    async with client:
        for _ in range(5):
            with pytest.raises(BrightpearlUnavailable):
                await client.get("order-service/order/1")
            clock.advance(20)
    assert client.health()["circuit"] == "closed"
    assert rec.count == 5


@pytest.mark.anyio
async def test_4xx_do_not_count_as_breaker_failures():
    client, rec, _ = make_client(lambda r: brightpearl_response(404, {"errors": [{"code": "CMNC-404", "message": "No"}]}), breaker_threshold=1)
    async with client:
        for _ in range(3):
            with pytest.raises(BrightpearlNotFound):
                await client.get("contact-service/contact/1")
    assert client.health()["circuit"] == "closed" and rec.count == 3


# --- metrics -----------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_every_attempt_is_counted_with_a_low_cardinality_resource():
    metrics = Metrics()
    client, _, _ = make_client(sequence(httpx.ReadError("x"), brightpearl_response(500, INTERNAL), ok([])), metrics=metrics)
    async with client:
        await client.get("order-service/order/51234,51301")
    counter = metrics.brightpearl_requests
    assert counter.labels("GET", "order-service/order", "error")._value.get() == 1
    assert counter.labels("GET", "order-service/order", "500")._value.get() == 1
    assert counter.labels("GET", "order-service/order", "200")._value.get() == 1
    assert metrics.brightpearl_call_count() == 3
    text = metrics.render().decode()
    assert 'portal_brightpearl_requests_total{method="GET",resource="order-service/order",status="200"} 1.0' in text
