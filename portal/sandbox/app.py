"""The sandbox ASGI app: Brightpearl's URI layout, auth, throttling, envelopes and fault knobs.

    sandbox = Sandbox(SandboxConfig())
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=sandbox.base_url,
                                 headers=sandbox.auth_headers) as client:
        await client.get("/order-service/order/60001")

Order of checks for an API request (each answers before the next runs):
latency -> outage (503) -> error_rate (500 CMNU-003) -> per-path faults (status or timeout) ->
auth (401) -> throttle (503) -> unknown URI (404) -> fail_writes (503, not committed) -> handler
-> journal -> lose_responses.
Every API response carries the throttle headers, `Message-Type`, `Ruid` and the JSON
content type Brightpearl sends.
"""

from __future__ import annotations

import json
import logging
import random
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import anyio
import httpx

from portal.sandbox import reference as ref
from portal.sandbox import (
    resources_accounting,
    resources_contact,
    resources_multimessage,
    resources_order,
    resources_product,
    resources_warehouse,
)
from portal.sandbox.errors import ApiError, internal_error, not_found
from portal.sandbox.formats import DEFAULT_ZONE, account_zone
from portal.sandbox.generate import generate
from portal.sandbox.journal import Journal
from portal.sandbox.routing import WRITE_METHODS, Match, Request, Response, Router
from portal.sandbox.store import DataStore
from portal.sandbox.throttle import Throttle

log = logging.getLogger(__name__)

NOT_AUTHENTICATED = "Not authenticated. You must provide a valid authentication token."
THROTTLED = "You have sent too many requests. Please wait before sending another request"
UNAVAILABLE = "Service Temporarily Unavailable"
JSON_TYPE = b"application/json;charset=UTF-8"

_API_PATH = re.compile(r"^/public-api/([^/]+)(/.*)?$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class SandboxConfig:
    """How to build a sandbox.  Same seed + same `today` + same `zone` => identical demo data.

    `customers` counts customer contacts including the demo ones (alice, her colleague, bob);
    `orders` counts all orders (SO, SC, PO) including the demo contacts' ones.  `today`
    anchors every generated date (default: the current date).
    """

    seed: int = 7
    customers: int = 40
    orders: int = 600
    account: str = "demo"
    app_ref: str = "demo_portal"
    staff_token: str = "sandbox-staff-token"  # noqa: S105 - public sandbox credential
    account_token: str | None = None
    latency_ms: int = 0
    error_rate: float = 0.0
    throttle_limit: int = 200
    throttle_window_s: float = 60.0
    journal_path: Path | None = None
    today: date | None = None
    # The account's time zone: an IANA name ("America/Chicago") or a fixed UTC offset ("-06:00",
    # "+09:00", "Z"). Every date goes out in its offset; date-only fields sit at UTC midnight.
    zone: str = DEFAULT_ZONE

    def account_today(self) -> date:
        """`today`, or the current date in the account's zone."""
        return self.today or datetime.now(account_zone(self.zone)).date()


@dataclass
class Fault:
    """One injected fault: requests whose path (after `/public-api/{account}`, without the
    query) matches the regular expression `pattern` get `status` with Brightpearl's body for
    it (404 CMNC-404 "Cannot find the resource", 5xx CMNU-003 or the proxy's 503), or, with
    `status="timeout"`, no answer at all. `times` counts how many requests it still fails
    (None: until cleared); `method` limits it to one HTTP method."""

    pattern: str
    status: int | str = 500
    times: int | None = None
    method: str | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return re.search(self.pattern, path) is not None


@dataclass
class Knobs:
    """Fault injection, read on every request (change them at any time)."""

    latency_ms: int = 0
    error_rate: float = 0.0
    outage: bool = False
    throttle_limit: int = 200
    throttle_window_s: float = 60.0
    lose_responses: int = 0
    fail_writes: int = 0
    faults: list[Fault] = field(default_factory=list)
    # How long a timeout fault keeps a real client (over a socket) waiting before a 504.
    hang_s: float = 120.0


class SandboxTimeout(Exception):
    """A timeout fault: the in-process transport turns it into `httpx.ReadTimeout`; over a
    real server the request hangs for `Knobs.hang_s` and then gets a gateway 504."""


class SandboxConnectionLost(Exception):
    """A write was committed but its response is dropped (knob `lose_responses`).

    The in-process transport turns it into `httpx.ReadError`; over a real server the
    connection is closed without a response.
    """


@dataclass
class _Outcome:
    status: int
    body: Any
    message_type: str
    lost: bool = False
    hang: bool = False
    extra_headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class _Transport(httpx.AsyncBaseTransport):
    """httpx transport into the app; a lost response surfaces as `httpx.ReadError`."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except SandboxConnectionLost as exc:
            raise httpx.ReadError("Server closed the connection without a response", request=request) from exc
        except SandboxTimeout as exc:
            raise httpx.ReadTimeout("The sandbox did not answer (timeout fault)", request=request) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()


def build_router() -> Router:
    router = Router()
    for module in (resources_order, resources_contact, resources_warehouse, resources_accounting, resources_product):
        router.include(module.routes)
    resources_multimessage.register(router)  # it dispatches into the whole router
    return router


class Sandbox:
    """A Brightpearl look-alike with demo data.  See the module docstring for usage."""

    def __init__(self, config: SandboxConfig | None = None, *, data: DataStore | None = None) -> None:
        """`data`: the account to serve, already generated from this config (tests reuse one
        generation); by default it is generated here."""
        self.config = config or SandboxConfig()
        cfg = self.config
        self.knobs = Knobs(
            latency_ms=cfg.latency_ms, error_rate=cfg.error_rate,
            throttle_limit=cfg.throttle_limit, throttle_window_s=cfg.throttle_window_s,
        )
        self.data: DataStore = (
            data if data is not None else generate(cfg.seed, cfg.customers, cfg.orders, cfg.account_today(), cfg.zone)
        )
        self.calls: list[tuple[str, str, int]] = []
        self.throttle = Throttle()
        self.router = build_router()
        self.journal = Journal(cfg.journal_path) if cfg.journal_path is not None else None
        # Fault decisions and request ids come from their own RNG: reproducible test runs.
        self._rng = random.Random(f"{cfg.seed}:faults")
        if self.journal is not None:
            self._replay(self.journal)

        # A plain coroutine function (not a bound method): servers such as uvicorn detect
        # ASGI 3 with inspect.isfunction/iscoroutinefunction.
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await self._asgi(scope, receive, send)

        self.app: Callable[[Scope, Receive, Send], Awaitable[None]] = app
        """The ASGI application."""

    # ------------------------------------------------------------------ conveniences
    @property
    def base_url(self) -> str:
        """Base URL for clients using `transport()` (in-process)."""
        return f"http://sandbox/public-api/{self.config.account}"

    @property
    def auth_headers(self) -> dict[str, str]:
        """Headers of the staff private app the sandbox accepts."""
        return {"brightpearl-app-ref": self.config.app_ref, "brightpearl-staff-token": self.config.staff_token}

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that calls the app in-process."""
        return _Transport(self.app)

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An authenticated AsyncClient on `base_url` over `transport()`."""
        kwargs.setdefault("headers", self.auth_headers)
        return httpx.AsyncClient(transport=self.transport(), base_url=self.base_url, **kwargs)

    def reset_calls(self) -> None:
        self.calls.clear()

    def reset_throttle(self) -> None:
        self.throttle.reset()

    def fail(self, pattern: str, status: int | str = 500, *, times: int | None = None, method: str | None = None) -> Fault:
        """Answer requests whose path matches `pattern` (a regular expression) with `status`
        (404, 500, 503, … or "timeout"), `times` times or until `clear_faults()`."""
        if status != "timeout" and not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError(f"a fault is an HTTP error status or 'timeout', not {status!r}")
        re.compile(pattern)
        fault = Fault(pattern, status, times, method)
        self.knobs.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.knobs.faults.clear()

    # -------------------------------------------------------------------------- ASGI
    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/healthz":
            await _respond(send, 200, b"ok", [(b"content-type", b"text/plain; charset=utf-8")])
            return
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        outcome = await self._api(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), headers, bytes(body),
        )
        if outcome.lost:
            await _drop_connection(send)
            return
        if outcome.hang:
            await _hang(send, self.knobs.hang_s)
            return
        payload = b"" if outcome.body is None else json.dumps(outcome.body, ensure_ascii=False, separators=(",", ":")).encode()
        await _respond(send, outcome.status, payload, [(b"content-type", JSON_TYPE), *outcome.extra_headers])

    async def _api(self, method: str, full_path: str, query: str, headers: dict[str, str], body: bytes) -> _Outcome:
        found = _API_PATH.match(full_path)
        if found is None:
            return _Outcome(404, not_found(f"Cannot find the resource {full_path}").body(), "api-proxy")
        account, path = found.group(1), found.group(2) or "/"
        knobs = self.knobs
        if knobs.latency_ms > 0:
            await anyio.sleep(knobs.latency_ms / 1000)
        outcome = self._gate(method, account, path, headers)
        if outcome is None:
            outcome = self._dispatch(method, path, query, body)
        remaining, next_ms = self.throttle.state(knobs.throttle_limit, knobs.throttle_window_s)
        outcome.extra_headers = [
            (b"brightpearl-requests-remaining", str(remaining).encode()),
            (b"brightpearl-next-throttle-period", str(next_ms).encode()),
            (b"message-type", outcome.message_type.encode()),
            (b"ruid", str(uuid.UUID(int=self._rng.getrandbits(128), version=4)).encode()),
        ]
        self.calls.append((method, path, outcome.status))
        return outcome

    def _gate(self, method: str, account: str, path: str, headers: dict[str, str]) -> _Outcome | None:
        """Outage, injected errors, auth and throttle; None when the request may proceed."""
        knobs, cfg = self.knobs, self.config
        if knobs.outage:
            return _Outcome(503, {"response": UNAVAILABLE}, "api-proxy")
        if knobs.error_rate > 0 and self._rng.random() < knobs.error_rate:
            return _Outcome(500, internal_error().body(), "api-proxy")
        fault = next((f for f in knobs.faults if f.matches(method, path)), None)
        if fault is not None:
            return _fault_outcome(fault, path)
        token_ok = headers.get("brightpearl-staff-token") == cfg.staff_token or (
            cfg.account_token is not None and headers.get("brightpearl-account-token") == cfg.account_token
        )
        # API note: a token is valid for one account only, so an unknown account code in the
        # path is answered like a bad token (401), not 404 (UNCONFIRMED).
        if headers.get("brightpearl-app-ref") != cfg.app_ref or not token_ok or account != cfg.account:
            return _Outcome(401, {"response": NOT_AUTHENTICATED}, "api-proxy")
        if not self.throttle.hit(knobs.throttle_limit, knobs.throttle_window_s):
            return _Outcome(503, {"response": THROTTLED}, "api-proxy")
        return None

    def _dispatch(self, method: str, path: str, query: str, body: bytes) -> _Outcome:
        matched = self.router.match(method, path)
        if matched is None:
            return _Outcome(404, not_found(f"Cannot find the resource {path}").body(), "api-proxy")
        is_write = method in WRITE_METHODS
        knobs = self.knobs
        if is_write and knobs.fail_writes > 0:
            knobs.fail_writes -= 1
            return _Outcome(503, {"response": UNAVAILABLE}, "api-proxy")
        now = _now(self.data.zone)
        response = self._run(matched, method, path, query, body, now)
        outcome = _Outcome(response.status, response.body, matched.route.message_type)
        if is_write and 200 <= response.status < 300:
            if self.journal is not None:
                self.journal.append(now.isoformat(), method, path, query, body)
            if knobs.lose_responses > 0:
                knobs.lose_responses -= 1
                outcome.lost = True
        return outcome

    def _run(self, matched: Match, method: str, path: str, query: str, body: bytes, now: datetime) -> Response:
        request = Request(method, path, query, body, now, self.data, ref.API_USER_ID)
        try:
            return matched.route.handler(request, **matched.params)
        except ApiError as exc:
            return Response(exc.status, exc.body())
        except Exception:
            # Brightpearl answers its own bugs with CMNU-003; log ours loudly.
            log.exception("sandbox handler failed: %s %s", method, path)
            return Response(500, internal_error().body())

    def _replay(self, journal: Journal) -> None:
        """Re-apply recorded writes to the freshly generated data (ids and times repeat)."""
        applied = 0
        for entry in journal.entries():
            method = str(entry.get("method", ""))
            matched = self.router.match(method, str(entry.get("path", "")))
            if matched is None or method not in WRITE_METHODS:
                continue
            try:
                now = datetime.fromisoformat(str(entry["at"])).astimezone(self.data.zone)
            except (KeyError, ValueError):
                continue
            response = self._run(matched, method, entry["path"], str(entry.get("query", "")),
                                 str(entry.get("body", "")).encode(), now)
            if 200 <= response.status < 300:
                applied += 1
            else:
                log.warning("sandbox journal: %s %s no longer applies (%s)", method, entry["path"], response.status)
        log.info("sandbox journal: replayed %d writes from %s", applied, journal.path)


def _now(zone: tzinfo) -> datetime:
    # Milliseconds only: what the wire shows is exactly what the journal replays.
    moment = datetime.now(zone)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _fault_outcome(fault: Fault, path: str) -> _Outcome:
    fault.hits += 1
    if fault.times is not None:
        fault.times -= 1
    if fault.status == "timeout":
        return _Outcome(504, None, "api-proxy", hang=True)
    status = int(fault.status)
    if status == 404:
        return _Outcome(404, not_found(f"Cannot find the resource {path}").body(), "api-proxy")
    if status == 503:
        return _Outcome(503, {"response": UNAVAILABLE}, "api-proxy")
    if status >= 500:
        return _Outcome(status, internal_error().body(), "api-proxy")
    return _Outcome(status, {"errors": [{"code": "CMNC-400", "message": "Injected fault"}]}, "api-proxy")


async def _hang(send: Send, seconds: float) -> None:
    """A timeout fault: in-process, raise SandboxTimeout (httpx.ReadTimeout for the client);
    under a real server keep the client waiting, then answer 504 as a gateway would."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise SandboxTimeout("timeout fault")
    await anyio.sleep(seconds)
    await _respond(send, 504, b"", [(b"content-type", JSON_TYPE)])


async def _respond(send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [*headers, (b"content-length", str(len(payload)).encode())],
    })
    await send({"type": "http.response.body", "body": payload})


async def _drop_connection(send: Send) -> None:
    """Lose the response of a committed write.

    Under uvicorn the ASGI `send` is a bound method of the request cycle, which holds the
    asyncio transport: aborting it closes the socket with no response at all, which is what a
    client sees when a connection dies.  Elsewhere (httpx's ASGITransport) raise
    SandboxConnectionLost, which `Sandbox.transport()` turns into httpx.ReadError.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise SandboxConnectionLost("response lost after the write was committed")
    transport.abort()
    # Let the server notice the disconnect so it does not try to answer on its own.
    await anyio.sleep(0)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
