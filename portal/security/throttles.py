"""Login throttles, in memory (one process, see README): per client address and per account."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

# Per-account login throttle (LoginAttempts below limits each client address).
ACCOUNT_FAILURES = 8
ACCOUNT_WINDOW = 15 * 60
# Emails remembered at most (each costs well under 1 KB): anyone may try any number of
# emails, and memory must not grow with them.
ACCOUNTS_KEPT = 10_000


class FailedLogins:
    """Failed attempts per email in the last window, for at most `max_accounts` emails (also
    used to count other events per email: reset and registration mails, `limit` per `window`).

    Emails are kept in the order of their latest failure, so the ones whose window has passed
    are dropped from the front as time goes on, and when more than `max_accounts` emails failed
    within one window the one that failed longest ago is forgotten first. (Forgetting it needs
    `max_accounts` other emails to fail after it; the per-address limit slows that down.)
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_accounts: int = ACCOUNTS_KEPT,
        limit: int = ACCOUNT_FAILURES,
        window: float = ACCOUNT_WINDOW,
    ) -> None:
        self._clock = clock
        self.max_accounts = max_accounts
        self.limit = limit
        self.window = window
        # email -> times of its last ACCOUNT_FAILURES failures, oldest email first.
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        """How many emails are remembered."""
        return len(self._times)

    def _expire(self, now: float) -> None:
        cutoff = now - self.window
        while self._times:
            email, times = next(iter(self._times.items()))
            if times[-1] >= cutoff:
                return
            del self._times[email]

    def blocked(self, email: str) -> bool:
        now = self._clock()
        self._expire(now)
        times = self._times.get(email)
        if not times:
            return False
        cutoff = now - self.window
        return sum(1 for t in times if t >= cutoff) >= self.limit

    def add(self, email: str) -> None:
        now = self._clock()
        self._expire(now)
        times = self._times.pop(email, None) or deque(maxlen=self.limit)
        times.append(now)
        self._times[email] = times  # now the newest
        while len(self._times) > self.max_accounts:
            self._times.popitem(last=False)

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
