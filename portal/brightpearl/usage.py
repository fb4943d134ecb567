"""What the portal asked of Brightpearl, minute by minute, over the last hour (the admin's
connection health page reads it; nothing else depends on it).

The client records every HTTP attempt once (`Usage.record`, beside its metrics) and the cache
every lookup (`Usage.cache`). A minute is one bucket of a ring of 60: recording is O(1) (a
bucket whose minute has passed is emptied when its slot comes round again), reading walks the
60 buckets.

"Used by other apps" is an estimate. Brightpearl allows 200 requests a minute, measured over a
rolling minute and shared by every private app of the merchant (API.md §3.4), and answers each
request with `brightpearl-requests-remaining`. When the portal reads `remaining`, everyone
together has used `LIMIT - remaining` in the last 60 seconds; the portal itself sent the
requests it keeps the times of (`_recent`, at most a minute of them); the rest is the others'.
A minute in which no answer carried the header has no estimate (None), and the estimate kept
for a minute is the one at its busiest moment (its lowest `remaining`).

Errors are attempts without an answer (connection error, timeout) and answers 400 or over, but
404: Brightpearl answers 404 for "none found" as often as for a wrong address. Throttle answers
(503 "too many requests", 429) are errors and also counted on their own.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

LIMIT = 200  # Brightpearl's requests per rolling minute per account (API.md §3.4)
MINUTES = 60
FRESH_OUTCOME = 60.0  # seconds an outcome of the portal's own calls is taken as current


def is_error(status: int | None) -> bool:
    """No answer, or an answer that is a failure (a 404 may be "none found": not counted)."""
    return status is None or (status >= 400 and status != 404)


class _Bucket:
    __slots__ = ("minute", "requests", "errors", "throttled", "lowest_remaining", "others", "seconds",
                 "hits", "misses", "families")

    def __init__(self, minute: int) -> None:
        self.minute = minute
        self.requests = 0
        self.errors = 0
        self.throttled = 0
        self.lowest_remaining: int | None = None
        self.others: int | None = None
        self.seconds = 0.0
        self.hits = 0
        self.misses = 0
        # family -> [requests, errors, seconds]
        self.families: dict[str, list] = {}


@dataclass(frozen=True)
class Minute:
    """One minute of the window, as the page shows it."""

    start: float  # epoch seconds of the minute's start
    requests: int
    errors: int
    throttled: int
    lowest_remaining: int | None  # the lowest `remaining` Brightpearl reported in the minute
    others: int | None  # requests of other apps, estimated (None: no header that minute)
    cache_hits: int
    cache_misses: int


@dataclass(frozen=True)
class Family:
    """One endpoint family (the metrics' resource label) over the window."""

    name: str
    requests: int
    errors: int
    seconds: float  # time spent waiting for its answers, in all

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    @property
    def mean_ms(self) -> float:
        return 1000.0 * self.seconds / self.requests if self.requests else 0.0


class Outcome(NamedTuple):
    """How one attempt ended (a tuple: one is made per request)."""

    at: float  # epoch seconds
    family: str
    status: int | None  # None: no answer (connection error, timeout)
    throttled: bool = False


class Usage:
    """The per-minute record of the last hour. `clock` gives epoch seconds (injectable)."""

    def __init__(self, *, clock: Callable[[], float] = time.time, limit: int = LIMIT, minutes: int = MINUTES) -> None:
        self.limit = limit
        self.minutes = max(1, int(minutes))
        self._clock = clock
        self._buckets = [_Bucket(-1) for _ in range(self.minutes)]
        self._recent: deque[float] = deque()  # times of the portal's requests in the last 60 s
        self.last: Outcome | None = None  # the last attempt's outcome
        self.last_error: dict[str, Outcome] = {}  # the last failed attempt of each family

    def now(self) -> float:
        return self._clock()

    def _bucket(self, now: float) -> _Bucket:
        minute = int(now // 60)
        slot = minute % self.minutes
        bucket = self._buckets[slot]
        if bucket.minute != minute:
            bucket = self._buckets[slot] = _Bucket(minute)
        return bucket

    def record(self, family: str, status: int | None, remaining: int | None = None, seconds: float = 0.0,
               *, throttled: bool = False) -> None:
        """One HTTP attempt to `family` ended with `status` (None: no answer), Brightpearl
        reporting `remaining` requests left (None: no header), after `seconds`."""
        now = self._clock()
        bucket = self._bucket(now)
        bucket.requests += 1
        bucket.seconds += seconds
        counts = bucket.families.get(family)
        if counts is None:
            counts = bucket.families[family] = [0, 0, 0.0]
        counts[0] += 1
        counts[2] += seconds
        outcome = Outcome(now, family, status, throttled)
        if is_error(status):
            bucket.errors += 1
            counts[1] += 1
            self.last_error[family] = outcome
        if throttled:
            bucket.throttled += 1
        self.last = outcome
        recent = self._recent
        recent.append(now)
        while recent and now - recent[0] >= 60.0:
            recent.popleft()
        if remaining is not None and (bucket.lowest_remaining is None or remaining < bucket.lowest_remaining):
            bucket.lowest_remaining = remaining
            bucket.others = max(0, self.limit - remaining - len(recent))

    def cache(self, hits: int, misses: int) -> None:
        """One cache lookup: `hits` keys served from memory, `misses` that needed Brightpearl."""
        bucket = self._bucket(self._clock())
        bucket.hits += hits
        bucket.misses += misses

    # --- reading ----------------------------------------------------------------------------
    def window(self) -> list[Minute]:
        """The last `minutes` minutes, oldest first, the current (unfinished) one last; minutes
        without any request are there with zeros."""
        current = int(self._clock() // 60)
        shown = []
        for minute in range(current - self.minutes + 1, current + 1):
            bucket = self._buckets[minute % self.minutes]
            if bucket.minute != minute:
                shown.append(Minute(minute * 60.0, 0, 0, 0, None, None, 0, 0))
                continue
            shown.append(Minute(minute * 60.0, bucket.requests, bucket.errors, bucket.throttled,
                                bucket.lowest_remaining, bucket.others, bucket.hits, bucket.misses))
        return shown

    def families(self) -> list[Family]:
        """Each endpoint family called in the window, most errors first, then most requests."""
        oldest = int(self._clock() // 60) - self.minutes + 1
        totals: dict[str, list] = {}
        for bucket in self._buckets:
            if bucket.minute < oldest:
                continue
            for name, (requests, errors, seconds) in bucket.families.items():
                total = totals.setdefault(name, [0, 0, 0.0])
                total[0] += requests
                total[1] += errors
                total[2] += seconds
        found = [Family(name, r, e, s) for name, (r, e, s) in totals.items()]
        return sorted(found, key=lambda f: (-f.errors, -f.requests, f.name))

    def fresh_outcome(self, max_age: float = FRESH_OUTCOME) -> Outcome | None:
        """The last attempt's outcome if it is at most `max_age` seconds old."""
        last = self.last
        if last is None or self._clock() - last.at > max_age:
            return None
        return last

    def requests_last_minute(self) -> int:
        """The portal's requests in the last 60 seconds."""
        now = self._clock()
        return sum(1 for at in self._recent if now - at < 60.0)
