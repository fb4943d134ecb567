"""The request budget: Brightpearl allows 200 requests per rolling minute, shared by every
private app of the merchant (API.md §3.4). The portal must leave room for the others.

The budget learns from two headers on every response:
`brightpearl-requests-remaining` (calls left in the period) and
`brightpearl-next-throttle-period` (milliseconds until the period resets).

Policy (`wait_needed`):
- after a throttle 503 every call waits until the pause ends, whatever its priority;
- background calls wait for the period to reset when remaining <= headroom;
- interactive calls (a person is waiting) may use half of the headroom: they wait only
  when remaining <= headroom // 2.
Each call sent counts against `remaining` at once, so concurrent tasks do not all rush
through the same last few requests before the next response corrects the figure.
"""

from __future__ import annotations

from collections.abc import Mapping

from .priority import BACKGROUND

REMAINING_HEADER = "brightpearl-requests-remaining"
PERIOD_HEADER = "brightpearl-next-throttle-period"


class RequestBudget:
    """Process-wide view of the Brightpearl request budget (one per client)."""

    def __init__(self, headroom: int) -> None:
        self.headroom = max(0, int(headroom))
        self.remaining: int | None = None
        self.reset_at: float | None = None  # clock time when the current period ends
        self.paused_until: float = 0.0  # clock time until which nothing may be sent
        self.last_throttle_wait: float | None = None  # seconds, for the health page

    def floor(self, priority: str) -> int:
        """Requests that must stay unused for a call of this priority to go ahead."""
        return self.headroom if priority == BACKGROUND else self.headroom // 2

    def wait_needed(self, priority: str, now: float) -> float:
        """Seconds to wait before a call of `priority` may be sent (0 = send now)."""
        if self.paused_until > now:
            return self.paused_until - now
        if self.reset_at is not None and now >= self.reset_at:
            # The period has rolled over: the old count no longer says anything.
            self.remaining = None
            self.reset_at = None
        if self.remaining is not None and self.reset_at is not None:
            if self.remaining <= self.floor(priority):
                return self.reset_at - now
        return 0.0

    def spend(self) -> None:
        """Count a call about to be sent."""
        if self.remaining is not None:
            self.remaining -= 1

    def observe(self, headers: Mapping[str, str], now: float) -> int | None:
        """Learn from a response's headers; return the remaining count when it was given."""
        remaining = _int_header(headers, REMAINING_HEADER)
        period_ms = _int_header(headers, PERIOD_HEADER)
        if remaining is not None:
            self.remaining = remaining
        if period_ms is not None:
            self.reset_at = now + period_ms / 1000.0
        return remaining

    def pause(self, seconds: float, now: float) -> None:
        """Stop every outbound call for `seconds` (after a throttle 503)."""
        self.paused_until = max(self.paused_until, now + seconds)
        self.last_throttle_wait = seconds

    def throttle_period(self, headers: Mapping[str, str]) -> float | None:
        """Seconds until the period resets according to `headers`, if they say."""
        period_ms = _int_header(headers, PERIOD_HEADER)
        return None if period_ms is None else period_ms / 1000.0


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if value >= 0 else None
