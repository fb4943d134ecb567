"""Argon2id password hashing, run off the event loop.

argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4) cost ~150 ms of CPU
and 64 MiB per hash, so hashes run in worker threads behind a limiter sized for two cores: a
burst of logins cannot stall the event loop or exhaust memory.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST

MIN_LENGTH = 8
MAX_LENGTH = 1024

_limiter: anyio.CapacityLimiter | None = None


def _capacity() -> anyio.CapacityLimiter:
    # Created lazily: a CapacityLimiter must be made inside a running event loop.
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(2)
    return _limiter


class Passwords:
    """Hash and verify passwords; `fast=True` (tests only) uses argon2's cheapest profile."""

    def __init__(self, *, fast: bool = False) -> None:
        self._hasher = PasswordHasher.from_parameters(CHEAPEST) if fast else PasswordHasher()
        # Verified against when the email is unknown, so both paths cost the same time.
        self._dummy_hash = self._hasher.hash("not a real password, only a timing equaliser")

    def hash_sync(self, password: str) -> str:
        """Return the argon2id hash of `password` (blocking; for the CLI and seeding)."""
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        """Return the argon2id hash of `password`, computed in a worker thread."""
        return await anyio.to_thread.run_sync(self._hasher.hash, password, limiter=_capacity())

    async def verify(self, stored_hash: str | None, password: str) -> tuple[bool, str | None]:
        """Check `password`; return (ok, new_hash_if_parameters_changed).

        With `stored_hash=None` (unknown user) a dummy hash is verified so the answer takes
        as long as for a real account, and the result is always (False, None).
        """

        def work() -> tuple[bool, str | None]:
            target = stored_hash or self._dummy_hash
            try:
                self._hasher.verify(target, password)
            except (VerificationError, InvalidHashError):
                return False, None
            if stored_hash is None:
                return False, None
            if self._hasher.check_needs_rehash(stored_hash):
                return True, self._hasher.hash(password)
            return True, None

        return await anyio.to_thread.run_sync(work, limiter=_capacity())


def password_problem(password: str) -> str | None:
    """Return why `password` is not acceptable as a new password, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    return None


# Per-account login throttle (LoginAttempts below limits each client address).
ACCOUNT_FAILURES = 8
ACCOUNT_WINDOW = 15 * 60


class FailedLogins:
    """Failed attempts per email in the last window, in memory (one process, see README)."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, email: str) -> deque[float]:
        times = self._times[email]
        cutoff = time.monotonic() - ACCOUNT_WINDOW
        while times and times[0] < cutoff:
            times.popleft()
        if not times:
            self._times.pop(email, None)
        return times

    def blocked(self, email: str) -> bool:
        return len(self._recent(email)) >= ACCOUNT_FAILURES

    def add(self, email: str) -> None:
        self._recent(email)
        self._times[email].append(time.monotonic())

    def clear(self, email: str) -> None:
        self._times.pop(email, None)


class LoginAttempts:
    """Login posts per client address in the current minute (a fixed window, in memory).

    Done here rather than with Litestar's RateLimitMiddleware, which would run on every request
    of the site to count only one route.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._window = 0
        self._counts: dict[str, int] = {}

    def allow(self, address: str) -> bool:
        """Count one attempt from `address`; False once it exceeds the limit this minute."""
        window = int(time.monotonic() // 60)
        if window != self._window:
            self._window, self._counts = window, {}
        self._counts[address] = self._counts.get(address, 0) + 1
        return self._counts[address] <= self.per_minute
