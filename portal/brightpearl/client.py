"""The one place in the portal that speaks HTTP to Brightpearl (or to the sandbox).

`BrightpearlClient` adds, around httpx:
- auth headers (staff token, or system/account token) and JSON in and out;
- the request budget shared by all callers (budget.py) and the throttle 503 pause;
- retries with capped exponential backoff and full jitter, for reads only;
- an overall deadline per call (retries and waits included);
- circuit breakers per endpoint family (breaker.py), told once per call, and a health
  summary for the admin status page;
- ID-set chunking (`get_many`) and search paging (`search`);
- metrics for every HTTP attempt and a log line (with Ruid / Message-Type) for every failure.

One client per process: every task that shares it shares its budget and breaker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from .breaker import Breakers
from .budget import RequestBudget
from .errors import (
    BrightpearlAuthError,
    BrightpearlBadRequest,
    BrightpearlError,
    BrightpearlNotFound,
    BrightpearlUnavailable,
    UnknownOutcome,
    is_none_found,
)
from .idset import format_idset
from .priority import current_priority
from .usage import Usage

if TYPE_CHECKING:
    from portal.core.metrics import Metrics

log = logging.getLogger("portal.brightpearl")

# 500s that Brightpearl uses for the caller's mistakes (API.md §3.2): retrying cannot help.
PROGRAMMER_ERROR_CODES = frozenset({"CMNC-018", "CMNC-044"})

# Transport errors raised before any byte of the request left: a write was certainly not executed.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

# API note: Brightpearl's docs do not say whether a write answered by a 5xx was executed. We
# assume a 502/504 comes from a gateway that lost Brightpearl's answer (outcome unknown) and any
# other 5xx from Brightpearl itself refusing or failing the request (not executed).
_LOST_ANSWER_STATUSES = frozenset({502, 504})

# Characters left readable in query values: Brightpearl reads `/` in PERIOD filters and `,`
# in ID sets literally (API.md §15); everything else (`#`, `+`, spaces, `&`) is encoded.
_QUERY_SAFE = "/:,*"

_ID_SEGMENT = re.compile(r"^[0-9*][0-9,*\-]*$")
_CURRENCY_SEGMENT = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class SearchResult:
    """Rows of a `-search` resource, each a dict keyed by column name."""

    rows: list[dict[str, Any]]
    reference: dict[str, Any] = field(default_factory=dict)  # merged over all pages read
    total: int = 0  # resultsAvailable: all matching rows, also those not fetched
    columns: list[str] = field(default_factory=list)


def resource_name(path: str) -> str:
    """Low-cardinality metric label for a path: ids, ID sets, currency codes and the query
    are dropped, e.g. `order-service/order/1-5,9?x=1` -> `order-service/order`."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    kept = [s for s in segments if s and not _ID_SEGMENT.match(s) and not _CURRENCY_SEGMENT.match(s)]
    return "/".join(kept) or "/"


def build_path(path: str, params: Mapping[str, Any] | None = None) -> str:
    """`path` relative to the base URL, with `params` encoded the way Brightpearl reads them.
    None values are left out; booleans become true/false; lists become comma lists."""
    path = path.lstrip("/")
    if not params:
        return path
    pairs = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            text = ",".join(str(v) for v in value)
        else:
            text = str(value)
        pairs.append(f"{quote(str(name), safe='')}={quote(text, safe=_QUERY_SAFE)}")
    if not pairs:
        return path
    return f"{path}{'&' if '?' in path else '?'}{'&'.join(pairs)}"


class _Call:
    """Book-keeping of one logical call (possibly several HTTP attempts)."""

    def __init__(self, method: str, path: str, resource: str, deadline_at: float) -> None:
        self.method = method
        self.path = path
        self.resource = resource
        self.deadline_at = deadline_at
        self.write = method != "GET"
        self.in_flight = False  # an attempt is on the wire (a write's outcome is then unknown)
        self.failures = 0  # failed attempts so far (drives the backoff)
        self.max_attempts = 1  # set by the client: reads retry, writes and breaker probes do not
        self.throttles = 0


class BrightpearlClient:
    """Async Brightpearl API client. Use as `async with BrightpearlClient(...) as bp:`
    or call `await bp.aclose()` at shutdown."""

    # Read retries: attempts in all (first try included), and the full-jitter backoff curve.
    max_attempts = 4
    backoff_base = 0.25
    backoff_cap = 4.0
    # Throttle: waits longer than this are cut (Brightpearl's period is at most 60 s).
    throttle_cap = 60.0
    throttle_jitter = 1.0
    max_throttle_retries = 5
    # Default wait after a throttle 503 that did not say how long.
    default_throttle_wait = 5.0
    # A budget wait gets up to this much jitter so waiting tasks do not all fire at once.
    budget_jitter = 0.5
    # ID-set GETs of one `get_many` running at once.
    max_parallel_chunks = 4

    def __init__(
        self,
        base_url: str,
        *,
        app_ref: str,
        staff_token: str = "",
        account_token: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        metrics: Metrics | None = None,
        headroom: int = 40,
        deadline: float = 20.0,
        timeout: float = 30.0,
        breaker_threshold: int = 5,
        breaker_window: float = 30.0,
        breaker_cooldown: float = 30.0,
        breaker_spread: int = 3,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        usage: Usage | None = None,
    ) -> None:
        headers = {"brightpearl-app-ref": app_ref, "Accept": "application/json"}
        if staff_token:
            headers["brightpearl-staff-token"] = staff_token
        elif account_token:
            headers["brightpearl-account-token"] = account_token
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )
        self._metrics = metrics
        # Minute by minute over the last hour, for the admin's connection health page.
        self.usage = usage or Usage()
        self._deadline = float(deadline)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._budget = RequestBudget(headroom)
        self._breakers = Breakers(
            threshold=breaker_threshold,
            window=breaker_window,
            cooldown=breaker_cooldown,
            clock=clock,
            spread=breaker_spread,
            on_change=self._breakers_changed,
        )
        self._last_remaining: int | None = None
        self.credentials_rejected = False  # Brightpearl's last answer was a 401/403
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None
        self._last_success_at: datetime | None = None
        if metrics is not None:
            metrics.circuit_open.set(0)

    # --- lifecycle ----------------------------------------------------------------------------
    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> BrightpearlClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # --- reads --------------------------------------------------------------------------------
    async def get(self, path: str, params: Mapping[str, Any] | None = None, *, priority: str | None = None) -> Any:
        """GET `path` (relative to the base URL) and return the `response` value of the body."""
        body = await self._call("GET", path, params=params, priority=priority)
        return body.get("response") if isinstance(body, dict) else None

    async def get_with_reference(
        self, path: str, params: Mapping[str, Any] | None = None, *, priority: str | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """GET and return `(response, reference)`: searches put id->name maps in a top-level
        `reference` beside `response`; `{}` when absent."""
        body = await self._call("GET", path, params=params, priority=priority)
        if not isinstance(body, dict):
            return None, {}
        reference = body.get("reference")
        return body.get("response"), reference if isinstance(reference, dict) else {}

    async def search(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_rows: int | None = None,
        page_size: int = 500,
        priority: str | None = None,
    ) -> SearchResult:
        """Run a `-search` and return its rows keyed by column name (API.md §5).

        Follows `firstResult` paging while Brightpearl says more pages exist and fewer than
        `max_rows` rows (None = all) have been read. `page_size` is capped at 500."""
        page_size = max(1, min(int(page_size), 500))
        if max_rows is not None:
            page_size = max(1, min(page_size, int(max_rows)))
        rows: list[dict[str, Any]] = []
        reference: dict[str, Any] = {}
        columns: list[str] = []
        total = 0
        first = 1
        while True:
            query = {**(params or {}), "pageSize": page_size, "firstResult": first}
            response, page_reference = await self.get_with_reference(path, query, priority=priority)
            _merge_reference(reference, page_reference)
            response = response if isinstance(response, dict) else {}
            meta = response.get("metaData") if isinstance(response.get("metaData"), dict) else {}
            columns = _column_names(meta) or columns
            results = response.get("results") if isinstance(response.get("results"), list) else []
            for row in results:
                if isinstance(row, list):
                    rows.append({name: (row[i] if i < len(row) else None) for i, name in enumerate(columns)})
            total = _as_int(meta.get("resultsAvailable"), len(rows))
            last = _as_int(meta.get("lastResult"), first + len(results) - 1)
            more = bool(meta.get("morePagesAvailable")) or (0 < last < total)
            wanted = max_rows is None or len(rows) < max_rows
            if not (more and wanted and results) or last + 1 <= first:
                break
            first = last + 1
        if max_rows is not None:
            rows = rows[:max_rows]
        return SearchResult(rows=rows, reference=reference, total=max(total, len(rows)), columns=columns)

    async def get_many(
        self,
        path_template: str,
        ids: Iterable[int],
        *,
        chunk: int = 200,
        id_key: str = "id",
        priority: str | None = None,
    ) -> list[dict[str, Any]]:
        """GET resources by ID set, `chunk` ids per request (Brightpearl's limit is 200 for
        most resources, 500 for goods-out notes). `path_template` holds `{ids}`, e.g.
        `order-service/order/{ids}`.

        Returns the found resources in the order of `ids`; ids Brightpearl does not return (and
        ids <= 0) are skipped (200 `[]` and 404 CMNC-404 both mean "none found"). A response keyed by id
        (goods-out notes) is accepted: each value gets its key as `id_key` when it lacks one."""
        if "{ids}" not in path_template:
            raise ValueError("path_template must contain {ids}")
        # Brightpearl ids are positive: anything else cannot exist and would break the ID set.
        wanted = [i for i in dict.fromkeys(int(i) for i in ids) if i > 0]
        if not wanted:
            return []
        size = max(1, int(chunk))
        chunks = [wanted[i : i + size] for i in range(0, len(wanted), size)]
        gate = asyncio.Semaphore(self.max_parallel_chunks)
        found: dict[int, dict[str, Any]] = {}

        async def fetch(part: list[int]) -> None:
            async with gate:
                path = path_template.replace("{ids}", format_idset(part))
                try:
                    value = await self.get(path, priority=priority)
                except BrightpearlNotFound as exc:
                    if not is_none_found(exc):
                        raise
                    return
                for item in _items(value, id_key):
                    item_id = _as_int(item.get(id_key), 0)
                    if item_id:
                        found.setdefault(item_id, item)

        try:
            async with asyncio.TaskGroup() as group:
                for part in chunks:
                    group.create_task(fetch(part))
        except BaseExceptionGroup as failed:
            # Callers handle Brightpearl errors, not groups: raise the first one.
            raise _first_error(failed) from None
        return [found[i] for i in wanted if i in found]

    async def check_credentials(self) -> None:
        """One cheap call that proves the base URL and credentials work.
        Raises BrightpearlAuthError (401/403, with Brightpearl's message) or another
        BrightpearlError."""
        await self.get("order-service/order-status")

    # --- writes (never retried, except after the throttle 503) --------------------------------
    async def post(self, path: str, json: Any = None, *, priority: str | None = None) -> Any:
        """POST JSON; return the `response` value (usually the new id).
        Raises UnknownOutcome when the request was sent but the answer was lost."""
        return await self._write("POST", path, json, priority)

    async def put(self, path: str, json: Any = None, *, priority: str | None = None) -> Any:
        """PUT JSON; return the `response` value (often None: Brightpearl answers `{}`)."""
        return await self._write("PUT", path, json, priority)

    async def patch(self, path: str, json: Any = None, *, priority: str | None = None) -> Any:
        """PATCH with a JSON-Patch list; return the `response` value (the updated resource)."""
        return await self._write("PATCH", path, json, priority)

    async def delete(self, path: str, *, priority: str | None = None) -> Any:
        """DELETE; return the `response` value."""
        return await self._write("DELETE", path, None, priority)

    async def _write(self, method: str, path: str, payload: Any, priority: str | None) -> Any:
        body = await self._call(method, path, payload=payload, priority=priority)
        return body.get("response") if isinstance(body, dict) else None

    # --- health -------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """State for the admin status page (REL-04/REL-14)."""
        now = self._clock()
        return {
            # closed, degraded (some endpoint families paused) or open (Brightpearl is failing)
            "circuit": self._breakers.state(),
            "circuit_retry_after": round(self._breakers.retry_after(), 1),
            "open_families": self._breakers.open_families(),
            "requests_remaining": self._last_remaining,
            "headroom": self._budget.headroom,
            "paused_for": round(max(0.0, self._budget.paused_until - now), 1),
            "last_throttle_wait": self._budget.last_throttle_wait,
            "credentials_rejected": self.credentials_rejected,
            "last_error": self._last_error,
            "last_error_at": self._last_error_at,
            "last_success_at": self._last_success_at,
        }

    def breaker_states(self) -> list[dict[str, Any]]:
        """Each circuit breaker, Brightpearl as a whole first, then the endpoint families called
        so far: its state (closed, open, half_open), seconds since it last changed (None: never
        did) and seconds until an open one lets a probe through."""
        now = self._clock()
        named = [("Brightpearl as a whole", self._breakers.whole), *sorted(self._breakers.families().items())]
        return [
            {
                "family": name,
                "state": breaker.state,
                "for_seconds": None if breaker.changed_at is None else now - breaker.changed_at,
                "retry_after": breaker.retry_after(),
            }
            for name, breaker in named
        ]

    # --- the call pipeline --------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
        priority: str | None = None,
    ) -> Any:
        """Run one logical call within the deadline; return the parsed body.

        The breaker of the call's endpoint family is asked once before it and told once after
        it how it ended: retries are part of one call, so one failing endpoint needs
        `breaker_threshold` failed calls (not attempts) to be paused, and failures of
        `breaker_spread` different endpoints pause them all (an outage)."""
        target = build_path(path, params)
        call = _Call(method, target, resource_name(path), self._clock() + self._deadline)
        ticket = self._breakers.allow(call.resource)
        if ticket is None:
            raise BrightpearlUnavailable(
                f"Brightpearl is failing ({call.resource}); calls paused for "
                f"{self._breakers.retry_after(call.resource):.0f}s",
                reason="circuit_open",
            )
        # A half-open probe is one attempt: it only asks whether the endpoint is back.
        call.max_attempts = 1 if call.write or ticket.probe else self.max_attempts
        try:
            async with asyncio.timeout(self._deadline):
                body = await self._attempts(call, payload, priority or current_priority())
        except TimeoutError:
            message = f"Brightpearl gave no answer within {self._deadline:g}s ({method} {call.resource})"
            self._note_error(message)
            log.warning("Brightpearl %s", message)
            if call.in_flight or call.failures:
                ticket.failure()  # a hung request is a timeout like any other
                if call.write and call.in_flight:
                    raise UnknownOutcome(message) from None
            else:
                ticket.release()  # it only waited for the budget
            raise BrightpearlUnavailable(message, reason="deadline") from None
        except BrightpearlUnavailable as exc:
            if exc.reason == "throttled":
                ticket.release()  # Brightpearl is busy, not failing
            else:
                ticket.failure()
            raise
        except UnknownOutcome:
            ticket.failure()
            raise
        except BrightpearlError:
            ticket.success()  # a 4xx: Brightpearl answered, the request is what is wrong
            raise
        except BaseException:
            ticket.release()  # cancelled: the call tells nothing
            raise
        ticket.success()
        return body

    async def _attempts(self, call: _Call, payload: Any, priority: str) -> Any:
        while True:
            await self._wait_for_budget(call, priority)
            try:
                response = await self._send(call, payload)
            except httpx.TransportError as exc:
                failure = self._transport_failure(call, exc)
            else:
                if _is_throttle(response):
                    await self._throttled(call, response)
                    continue
                body, failure = self._judge(call, response)
                if failure is None:
                    return body
            await self._backoff(call, failure)

    async def _send(self, call: _Call, payload: Any) -> httpx.Response:
        """One HTTP attempt, counted in the budget and the metrics."""
        content = None
        headers = None
        if call.write and payload is not None:
            content = json.dumps(payload, default=_json_default).encode()
            headers = {"Content-Type": "application/json"}
        request = self._http.build_request(call.method, call.path, content=content, headers=headers)
        self._budget.spend()
        call.in_flight = True
        started = self._clock()
        try:
            response = await self._http.send(request)
        except httpx.TransportError:
            call.in_flight = False
            self._count(call, "error")
            self.usage.record(call.resource, None, None, self._clock() - started)
            raise
        except BaseException:
            # Cancelled (by the deadline or the caller) mid-request: `in_flight` stays True.
            self._count(call, "error")
            self.usage.record(call.resource, None, None, self._clock() - started)
            raise
        call.in_flight = False
        status = response.status_code
        self._count(call, str(status))
        now = self._clock()
        remaining = self._budget.observe(response.headers, now)
        throttled = status == 429 or (status == 503 and _is_throttle(response))
        self.usage.record(call.resource, status, remaining, now - started, throttled=throttled)
        if remaining is not None:
            self._last_remaining = remaining
            if self._metrics is not None:
                self._metrics.requests_remaining.set(remaining)
        return response

    def _judge(self, call: _Call, response: httpx.Response) -> tuple[Any, BrightpearlUnavailable | None]:
        """Classify a (non-throttle) response. Returns (body, None) on success, (None, failure)
        for a failure a read may retry; raises anything final."""
        status = response.status_code
        if 200 <= status < 300:
            try:
                body = _json_body(response)
            except ValueError:
                message = "Brightpearl sent a response that is not JSON"
                self._log_failure(call, response, message)
                if call.write:
                    # A 2xx: the write happened, we just cannot read what it returned.
                    raise UnknownOutcome(message, status=status, ruid=_ruid(response)) from None
                return None, BrightpearlUnavailable(message, reason="bad_response", status=status)
            self._last_success_at = datetime.now(UTC)
            self._credentials_rejected(False)
            return body, None
        message, errors = _error_parts(response)
        self._log_failure(call, response, message)
        details = {"status": status, "errors": errors, "ruid": _ruid(response)}
        codes = {str(e.get("code")) for e in errors}
        if status >= 500 and not codes & PROGRAMMER_ERROR_CODES:
            if call.write and status in _LOST_ANSWER_STATUSES:
                raise UnknownOutcome(message, **details)
            return None, BrightpearlUnavailable(message, reason="server_error", **details)
        # Brightpearl answered: it is up; the request itself (or the credentials) is wrong.
        kind: type[BrightpearlError]
        if status in (401, 403):
            kind = BrightpearlAuthError
            self._credentials_rejected(True)
            log.error(
                "Brightpearl rejects the portal's credentials (%s on %s %s): check the account, app "
                "reference and token settings (PORTAL_BRIGHTPEARL_*). Brightpearl said: %r",
                status, call.method, call.resource, message,
            )
        elif status == 404:
            kind = BrightpearlNotFound
        else:
            kind = BrightpearlBadRequest
        raise kind(message, **details)

    def _transport_failure(self, call: _Call, exc: httpx.TransportError) -> BrightpearlUnavailable:
        reason = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
        message = f"{call.method} {call.resource}: {type(exc).__name__} {exc}".strip()
        self._note_error(message)
        log.warning("Brightpearl %s", message)
        if call.write:
            if isinstance(exc, _NOT_SENT_ERRORS):
                raise BrightpearlUnavailable(message, reason=reason) from exc
            raise UnknownOutcome(message) from exc
        return BrightpearlUnavailable(message, reason=reason)

    async def _backoff(self, call: _Call, failure: BrightpearlUnavailable) -> None:
        """Wait before retrying a read, or raise `failure` when retrying is not allowed."""
        call.failures += 1
        if call.failures >= call.max_attempts:
            raise failure
        delay = self._rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (call.failures - 1)))
        if self._clock() + delay > call.deadline_at:
            raise failure
        await self._sleep(delay)

    async def _throttled(self, call: _Call, response: httpx.Response) -> None:
        """Throttle 503: the request was not executed. Pause every call for the period Brightpearl
        names (+ jitter, capped), then let the caller's loop send it again."""
        self._log_failure(call, response, "throttled: too many requests")
        period = self._budget.throttle_period(response.headers)
        wait = self.default_throttle_wait if period is None else period
        wait = min(self.throttle_cap, wait + self._rng.uniform(0, self.throttle_jitter))
        now = self._clock()
        self._budget.pause(wait, now)
        self._note_error(f"throttled by Brightpearl; paused {wait:.1f}s")
        call.throttles += 1
        if call.throttles > self.max_throttle_retries or now + wait > call.deadline_at:
            raise BrightpearlUnavailable(
                f"Brightpearl is throttling; next request in {wait:.0f}s",
                reason="throttled",
                status=503,
                ruid=_ruid(response),
            )

    async def _wait_for_budget(self, call: _Call, priority: str) -> None:
        while True:
            now = self._clock()
            wait = self._budget.wait_needed(priority, now)
            if wait <= 0:
                return
            if self._budget.paused_until <= now:
                wait += self._rng.uniform(0, self.budget_jitter)
            if now + wait > call.deadline_at:
                raise BrightpearlUnavailable(
                    f"Brightpearl request budget is used up for {wait:.0f}s", reason="throttled"
                )
            await self._sleep(wait)

    # --- book-keeping -------------------------------------------------------------------------
    def _count(self, call: _Call, status: str) -> None:
        if self._metrics is not None:
            self._metrics.brightpearl_requests.labels(call.method, call.resource, status).inc()

    def _log_failure(self, call: _Call, response: httpx.Response, message: str) -> None:
        self._note_error(f"{call.method} {call.resource}: {response.status_code} {message}")
        log.warning(
            "Brightpearl %s %s -> %s (Ruid=%s Message-Type=%s): %r",
            call.method,
            call.resource,
            response.status_code,
            _ruid(response),
            response.headers.get("Message-Type"),
            message,
        )

    def _note_error(self, message: str) -> None:
        self._last_error = message
        self._last_error_at = datetime.now(UTC)

    def _credentials_rejected(self, rejected: bool) -> None:
        self.credentials_rejected = rejected
        if self._metrics is not None:
            self._metrics.credentials_rejected.set(1 if rejected else 0)

    def _breakers_changed(self, failing: bool) -> None:
        if self._metrics is not None:
            self._metrics.circuit_open.set(1 if failing else 0)
        if failing:
            self._note_error(f"circuit breaker opened for {', '.join(self._breakers.open_families())}")


# --- helpers ------------------------------------------------------------------------------------
def _is_throttle(response: httpx.Response) -> bool:
    # The Java client's rule (API.md §3.4): a 503 whose body mentions "too many requests".
    return response.status_code == 503 and "too many requests" in response.text.lower()


def _json_body(response: httpx.Response) -> Any:
    """The parsed body; {} for an empty one. Raises ValueError for malformed JSON."""
    if not response.content.strip():
        return {}
    return response.json()


def _error_parts(response: httpx.Response) -> tuple[str, list[dict[str, Any]]]:
    """(one readable message, the `errors` list) of a failed response."""
    try:
        body = _json_body(response)
    except ValueError:
        body = None
    errors: list[dict[str, Any]] = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        errors = [e for e in body["errors"] if isinstance(e, dict)]
    if errors:
        message = "; ".join(
            f"{e.get('code')}: {e.get('message', '')}" if e.get("code") else str(e.get("message", ""))
            for e in errors
        )
    elif isinstance(body, dict) and isinstance(body.get("response"), str):
        # Gateway failures (401, 503) carry plain text in `response` (API.md §3.1).
        message = body["response"]
    else:
        message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    return message, errors


def _ruid(response: httpx.Response) -> str | None:
    return response.headers.get("Ruid")


def _items(value: Any, id_key: str) -> list[dict[str, Any]]:
    """Resources of an ID-set GET: a list, or a map keyed by id."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(item, dict):
                if id_key not in item and str(key).isdigit():
                    item = {id_key: int(key), **item}
                items.append(item)
        return items
    return []


def _column_names(meta: dict[str, Any]) -> list[str]:
    columns = meta.get("columns")
    if not isinstance(columns, list):
        return []
    return [str(c.get("name")) if isinstance(c, dict) else str(c) for c in columns]


def _merge_reference(into: dict[str, Any], page: dict[str, Any]) -> None:
    for name, value in page.items():
        if isinstance(value, dict) and isinstance(into.get(name), dict):
            into[name].update(value)
        elif isinstance(value, dict):
            into[name] = dict(value)
        else:
            into[name] = value


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _first_error(group: BaseExceptionGroup) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def _json_default(value: Any) -> Any:
    # Money travels as JSON numbers in Brightpearl's examples (API.md §7.3, §8.2).
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):  # the read-only mappings the portal keeps its data in
        return dict(value)
    raise TypeError(f"cannot send {type(value).__name__} to Brightpearl")
