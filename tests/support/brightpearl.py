"""Helpers for tests of code that talks to Brightpearl.

- `FakeClock`: a monotonic clock plus an async `sleep` that advances it at once, so backoff,
  throttle and circuit-breaker timings can be asserted without waiting.
- `client_on_clock(...)`: a BrightpearlClient that waits on a FakeClock, with seeded jitter.
- `failed_get(client, path)`: the BrightpearlUnavailable a GET ends with, and how long it took.
- `load_example(name)`: a Brightpearl example (`{description, request, response}`) from
  tests/fixtures/brightpearl/, copies of the project's reference examples (docs/brightpearl.md
  says how to compare them when the reference changes).
- `brightpearl_response(...)`: an httpx.Response shaped like Brightpearl's, for MockTransport.
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal.brightpearl.client import BrightpearlClient
from portal.brightpearl.errors import BrightpearlUnavailable

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "brightpearl"


class FakeClock:
    """`clock()` returns fake monotonic seconds; `await clock.sleep(s)` records s, moves the
    clock on by s and yields to the event loop once."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def client_on_clock(
    base_url: str, transport: httpx.AsyncBaseTransport, clock: FakeClock, *, seed: int, **kwargs: Any
) -> BrightpearlClient:
    """A BrightpearlClient on `transport` that sleeps and reads the time on `clock`, its jitter
    drawn from `random.Random(seed)` (the same waits on every run)."""
    return BrightpearlClient(
        base_url, transport=transport, sleep=clock.sleep, clock=clock, rng=random.Random(seed), **kwargs
    )


async def failed_get(client: BrightpearlClient, path: str) -> tuple[BrightpearlUnavailable, float]:
    """GET `path` (then close `client`), which must fail with BrightpearlUnavailable: the error
    and the seconds it took on the event loop's (real) clock."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with client:
        with pytest.raises(BrightpearlUnavailable) as caught:
            await client.get(path)
    return caught.value, loop.time() - started


def load_example(name: str) -> dict[str, Any]:
    """The parsed example file `name` (with or without `.json`)."""
    file = EXAMPLES / (name if name.endswith(".json") else f"{name}.json")
    return json.loads(file.read_text(encoding="utf-8"))


def brightpearl_response(
    status: int = 200,
    body: Any = None,
    *,
    remaining: int | None = 180,
    period_ms: int | None = 30000,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A response with Brightpearl's throttle headers (left out when None)."""
    all_headers = dict(headers or {})
    if remaining is not None:
        all_headers["brightpearl-requests-remaining"] = str(remaining)
    if period_ms is not None:
        all_headers["brightpearl-next-throttle-period"] = str(period_ms)
    if body is None:
        return httpx.Response(status, headers=all_headers)
    return httpx.Response(status, json=body, headers=all_headers)


def example_response(name: str, **kwargs: Any) -> httpx.Response:
    """The response of example `name` (status, body and its headers when it has them)."""
    response = load_example(name)["response"]
    headers = {k: str(v) for k, v in (response.get("headers") or {}).items()}
    kwargs.setdefault("remaining", None)
    kwargs.setdefault("period_ms", None)
    return brightpearl_response(int(response["status"]), response.get("body"), headers=headers, **kwargs)
