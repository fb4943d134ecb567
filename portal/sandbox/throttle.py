"""Brightpearl's request throttle: N requests per rolling window for the account's pool.

Every response carries `brightpearl-requests-remaining` (requests left in the window) and
`brightpearl-next-throttle-period` (milliseconds until the oldest request in the window leaves
it, i.e. until one more request becomes possible).  Rejected requests are not counted, so a
client that waits as told always gets through.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Throttle:
    """A rolling-window request counter (one per sandbox: all private apps share a pool)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._hits: deque[float] = deque()

    def _expire(self, window: float, now: float) -> None:
        while self._hits and self._hits[0] <= now - window:
            self._hits.popleft()

    def state(self, limit: int, window: float) -> tuple[int, int]:
        """(remaining, next_period_ms) without counting a request."""
        now = self._clock()
        self._expire(window, now)
        remaining = max(0, limit - len(self._hits))
        if self._hits:
            next_ms = max(0, round((self._hits[0] + window - now) * 1000))
        else:
            next_ms = round(window * 1000)
        return remaining, next_ms

    def hit(self, limit: int, window: float) -> bool:
        """Count one request; False (and nothing counted) when the window is full."""
        now = self._clock()
        self._expire(window, now)
        if len(self._hits) >= limit:
            return False
        self._hits.append(now)
        return True

    def reset(self) -> None:
        self._hits.clear()
