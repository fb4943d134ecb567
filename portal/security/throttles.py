"""Login throttles, in memory (one process, see README): per client address and per account."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

# Per-account login throttle (LoginAttempts below limits each client address).
ACCOUNT_FAILURES = 8
ACCOUNT_WINDOW = 15 * 60


class FailedLogins:
    """Failed attempts per email in the last window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._times: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, email: str) -> deque[float]:
        times = self._times[email]
        cutoff = self._clock() - ACCOUNT_WINDOW
        while times and times[0] < cutoff:
            times.popleft()
        if not times:
            self._times.pop(email, None)
        return times

    def blocked(self, email: str) -> bool:
        return len(self._recent(email)) >= ACCOUNT_FAILURES

    def add(self, email: str) -> None:
        self._recent(email)
        self._times[email].append(self._clock())

    def clear(self, email: str) -> None:
        self._times.pop(email, None)


class LoginAttempts:
    """Login posts per client address in the current minute (a fixed window, in memory).

    Done here rather than with Litestar's RateLimitMiddleware, which would run on every request
    of the site to count only one route.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._window = 0
        self._counts: dict[str, int] = {}

    def allow(self, address: str) -> bool:
        """Count one attempt from `address`; False once it exceeds the limit this minute."""
        window = int(self._clock() // 60)
        if window != self._window:
            self._window, self._counts = window, {}
        self._counts[address] = self._counts.get(address, 0) + 1
        return self._counts[address] <= self.per_minute
