"""In-memory cache in front of Brightpearl. Disposable: losing it costs calls, never data.

For each lookup the caller names a `kind` (e.g. "order") and a key, and gives a loader plus
two durations:

- `ttl`:       the value is fresh for this long: served without any call.
- `stale_ttl`: for this long *after* ttl the value is served at once while one background
               refresh runs (stale-while-revalidate, RFC 5861 §3).
After that the caller waits for a load. If the load fails because Brightpearl is unavailable
(5xx, outage, deadline, throttle, open breaker, revoked credentials) and an older value exists
(up to `max_stale_age`, 24 h by default), that value is served instead (stale-if-error,
RFC 5861 §4) and the request's `StaleTracker` is told how old it is. Errors are never stored.

Loads are single-flight (REL-06): however many tasks miss the same key at once, one loader
call runs and all of them get its result or its exception.

Staleness reaches the page through a context variable:

    with track_staleness() as tracker:
        ... render, calling the gateway ...
        if tracker.oldest: show "data as of {tracker.oldest:%H:%M}"

The tracker is shared by tasks created inside the block (they copy the context).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import BrightpearlAuthError, BrightpearlUnavailable
from .priority import background_priority

if TYPE_CHECKING:
    from portal.core.metrics import Metrics

    from .usage import Usage

log = logging.getLogger("portal.brightpearl")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# Failures that mean "Brightpearl cannot answer now" rather than "this data is wrong": an old
# value is better than an error page. (A revoked token is the portal's problem, not the
# visitor's, so it counts too.)
STALE_ON_ERRORS: tuple[type[BaseException], ...] = (BrightpearlUnavailable, BrightpearlAuthError)


# --- staleness reporting ---------------------------------------------------------------------
@dataclass
class StaleTracker:
    """Collects, for one web request, how old the oldest stale value served was."""

    oldest: datetime | None = None  # aware UTC time the oldest stale value was fetched
    kinds: set[str] = field(default_factory=set)

    def note(self, fetched_at: datetime, kind: str = "") -> None:
        if self.oldest is None or fetched_at < self.oldest:
            self.oldest = fetched_at
        if kind:
            self.kinds.add(kind)

    @property
    def stale(self) -> bool:
        return self.oldest is not None


_tracker: ContextVar[StaleTracker | None] = ContextVar("portal_stale_tracker", default=None)


@contextmanager
def track_staleness() -> Iterator[StaleTracker]:
    """Start collecting staleness for the code inside the block (one web request)."""
    tracker = StaleTracker()
    token = _tracker.set(tracker)
    try:
        yield tracker
    finally:
        _tracker.reset(token)


def start_staleness_tracking() -> StaleTracker:
    """Give the current context a fresh tracker and return it, without a block: for a
    before-request hook. Every request must call it (or use `track_staleness`), so no request
    sees the previous one's tracker; the context dies with the request's task."""
    tracker = StaleTracker()
    _tracker.set(tracker)
    return tracker


def current_tracker() -> StaleTracker | None:
    """The tracker of the current request, or None outside `track_staleness()`."""
    return _tracker.get()


# --- the cache -------------------------------------------------------------------------------
@dataclass
class _Entry:
    value: Any
    fetched_at: float  # clock()
    fetched_wall: datetime  # for "data as of hh:mm"
    refresh_failed: bool = False
    # Invalidated: never served as fresh again, but still better than an error page when
    # Brightpearl is down (stale-if-error), until replaced or evicted.
    expired: bool = False


class _Flight:
    """A load in progress for one key."""

    __slots__ = ("future", "discard")

    def __init__(self, future: asyncio.Future) -> None:
        self.future = future
        self.discard = False  # invalidated while loading: do not store the result


class Cache:
    """Bounded (LRU) in-memory cache with single flight, stale-while-revalidate and
    stale-if-error. See the module docstring."""

    def __init__(
        self,
        max_entries: int = 10000,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_stale_age: float = 24 * 3600.0,
        usage: Usage | None = None,
    ) -> None:
        self.max_entries = max(1, int(max_entries))
        self.max_stale_age = max_stale_age
        self._metrics = metrics
        self._usage = usage  # the hit rate of the last hour, for the admin's health page
        self._clock = clock
        self._wall_clock = wall_clock
        self._entries: OrderedDict[tuple[str, Hashable], _Entry] = OrderedDict()
        self._flights: dict[tuple[str, Hashable], _Flight] = {}
        self._tasks: set[asyncio.Task] = set()  # strong references to running loads

    def __len__(self) -> int:
        return len(self._entries)

    async def get(
        self, kind: str, key: Hashable, loader: Callable[[], Awaitable[T]], *, ttl: float, stale_ttl: float
    ) -> T:
        """The value for (kind, key): cached, or `await loader()`. Raises what the loader
        raised when nothing usable is cached."""

        async def load_one(keys: list[Hashable]) -> dict[Hashable, Any]:
            return {key: await loader()}

        found = await self._lookup(kind, [key], load_one, ttl, stale_ttl)
        return found[key]

    async def get_many(
        self,
        kind: str,
        keys: Iterable[K],
        loader: Callable[[list[K]], Awaitable[Mapping[K, T]]],
        *,
        ttl: float,
        stale_ttl: float,
    ) -> dict[K, T]:
        """Values for many keys of one kind; the keys not usable from the cache are loaded by
        ONE `loader(keys)` call, which returns a mapping key -> value. Keys the loader leaves
        out are remembered as missing (for ttl) and left out of the result."""
        found = await self._lookup(kind, list(dict.fromkeys(keys)), loader, ttl, stale_ttl)
        return {k: v for k, v in found.items() if v is not None}

    def peek(self, kind: str, key: Hashable) -> Any:
        """The cached value, however old (even invalidated), or None. Never loads."""
        entry = self._entries.get((kind, key))
        return None if entry is None else entry.value

    def invalidate(self, kind: str, key: Hashable | None = None) -> None:
        """Forget one key of `kind`, or the whole kind when key is None: the next lookup loads.
        A load already running for it still answers its waiters but is not stored. The old
        value is kept only as a last resort for stale-if-error."""
        self.invalidate_where(kind, None if key is None else (lambda k: k == key))

    def invalidate_where(self, kind: str, predicate: Callable[[Any], bool] | None) -> None:
        """Forget every key of `kind` for which `predicate(key)` is true (None = all)."""

        def matches(cache_key: tuple[str, Hashable]) -> bool:
            return cache_key[0] == kind and (predicate is None or predicate(cache_key[1]))

        for cache_key, entry in self._entries.items():
            if matches(cache_key):
                entry.expired = True
        for cache_key in [ck for ck in self._flights if matches(ck)]:
            self._flights.pop(cache_key).discard = True

    def clear(self) -> None:
        self._entries.clear()
        for flight in self._flights.values():
            flight.discard = True
        self._flights.clear()

    async def aclose(self) -> None:
        """Cancel background refreshes (at shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- internals ----------------------------------------------------------------------------
    async def _lookup(
        self,
        kind: str,
        keys: list[Any],
        loader: Callable[[list[Any]], Awaitable[Mapping[Any, Any]]],
        ttl: float,
        stale_ttl: float,
    ) -> dict[Any, Any]:
        now = self._clock()
        result: dict[Any, Any] = {}
        refresh: list[Any] = []
        missing: list[Any] = []
        for key in keys:
            entry = self._entries.get((kind, key))
            age = None if entry is None else now - entry.fetched_at
            if entry is not None and age is not None and not entry.expired and age < ttl + stale_ttl:
                self._entries.move_to_end((kind, key))
                result[key] = entry.value
                if age >= ttl:
                    refresh.append(key)
                    if entry.refresh_failed:
                        # The last refresh failed: what we show is older than it should be.
                        self._note_stale(kind, entry)
            else:
                missing.append(key)
        if self._metrics is not None:
            # Counted once per lookup, not per key: a list page looks up dozens of keys.
            if result:
                self._metrics.cache_hits.inc(len(result))
            if missing:
                self._metrics.cache_misses.inc(len(missing))
        if self._usage is not None:
            self._usage.cache(len(result), len(missing))
        if refresh:
            self._start(kind, refresh, loader, background=True)
        if not missing:
            return result
        self._start(kind, missing, loader, background=False)
        # Every missing key now has a load in flight (ours or an earlier caller's).
        flights = {key: self._flights[(kind, key)] for key in missing}
        for key in missing:
            try:
                result[key] = await asyncio.shield(flights[key].future)
            except STALE_ON_ERRORS:
                entry = self._entries.get((kind, key))
                if entry is None or self._clock() - entry.fetched_at > self.max_stale_age:
                    raise
                result[key] = entry.value
                self._note_stale(kind, entry)
                if self._metrics is not None:
                    self._metrics.cache_stale_served.inc()
        return result

    def _start(
        self,
        kind: str,
        keys: list[Any],
        loader: Callable[[list[Any]], Awaitable[Mapping[Any, Any]]],
        *,
        background: bool,
    ) -> None:
        """Start one load for those `keys` that have none running (single flight)."""
        loop = asyncio.get_running_loop()
        flights: dict[Any, _Flight] = {}
        for key in keys:
            if (kind, key) in self._flights:
                continue
            future = loop.create_future()
            # Nobody may be left to read a failed background load: mark it read.
            future.add_done_callback(_consume)
            flights[key] = self._flights[(kind, key)] = _Flight(future)
        if flights:
            task = asyncio.create_task(self._run(kind, flights, loader, background))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(
        self,
        kind: str,
        flights: dict[Any, _Flight],
        loader: Callable[[list[Any]], Awaitable[Mapping[Any, Any]]],
        background: bool,
    ) -> None:
        try:
            # A refresh nobody waits for must not eat into the budget kept for visitors.
            with background_priority() if background else nullcontext():
                values = await loader(list(flights))
            if not isinstance(values, Mapping):
                raise TypeError(f"cache loader for {kind!r} returned {type(values).__name__}, not a mapping")
        except BaseException as exc:
            self._finish_failed(kind, flights, exc, background)
            if not isinstance(exc, Exception):
                raise
            return
        fetched_at, fetched_wall = self._clock(), self._wall_clock()
        for key, flight in flights.items():
            value = values.get(key)
            if not flight.discard:
                self._store(kind, key, _Entry(value, fetched_at, fetched_wall))
            self._drop_flight(kind, key, flight)
            if not flight.future.done():
                flight.future.set_result(value)

    def _finish_failed(self, kind: str, flights: dict[Any, _Flight], exc: BaseException, background: bool) -> None:
        if background:
            log.warning("background refresh of %s failed: %r", kind, str(exc))
        for key, flight in flights.items():
            entry = self._entries.get((kind, key))
            if entry is not None:
                entry.refresh_failed = True
            self._drop_flight(kind, key, flight)
            if not flight.future.done():
                if isinstance(exc, asyncio.CancelledError):
                    flight.future.cancel()
                else:
                    flight.future.set_exception(exc)

    def _drop_flight(self, kind: str, key: Any, flight: _Flight) -> None:
        if self._flights.get((kind, key)) is flight:
            del self._flights[(kind, key)]

    def _store(self, kind: str, key: Any, entry: _Entry) -> None:
        self._entries[(kind, key)] = entry
        self._entries.move_to_end((kind, key))
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _note_stale(self, kind: str, entry: _Entry) -> None:
        tracker = _tracker.get()
        if tracker is not None:
            tracker.note(entry.fetched_wall, kind)


def _consume(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
