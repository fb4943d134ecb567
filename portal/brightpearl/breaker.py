"""Circuit breakers (REL-04): stop calling Brightpearl for a while when it keeps failing.

closed     calls go through; failures (5xx, timeouts, connection errors) are remembered.
open       after `threshold` failures within `window` seconds: every call fails fast for
           `cooldown` seconds, without touching the network.
half_open  after the cooldown exactly one call (the probe) goes through; its success closes
           the breaker, its failure opens it again for another cooldown.

Throttling and 4xx are not failures: Brightpearl answered, it is not down. A failure is one
failed *call* (its retries included), not one failed attempt.

`Breakers` keeps one breaker per endpoint family (the resource name without ids, e.g.
`warehouse-service/shipping-method`): one broken endpoint stops only its own calls, so the pages
that do not need it go on working. When `spread` families are open at once Brightpearl as a
whole is failing, and calls to the other families fail fast too, until the families' probes
close them again.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

log = logging.getLogger("portal.brightpearl")

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"

# Tickets handed out by `allow()`.
CALL = "call"
PROBE = "probe"


class CircuitBreaker:
    def __init__(
        self,
        *,
        threshold: int,
        window: float,
        cooldown: float,
        clock: Callable[[], float],
        on_change: Callable[[str], None] | None = None,
        name: str = "Brightpearl",
    ) -> None:
        self.name = name
        self.threshold = max(1, int(threshold))
        self.window = window
        self.cooldown = cooldown
        self._clock = clock
        self._on_change = on_change
        self._failures: deque[float] = deque()
        self._state = CLOSED
        self._opened_at = 0.0
        self._probe_out = False

    @property
    def state(self) -> str:
        """closed, open or half_open (an open breaker past its cooldown reads half_open)."""
        if self._state == OPEN and self._clock() - self._opened_at >= self.cooldown:
            return HALF_OPEN
        return self._state

    def retry_after(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when not open)."""
        if self._state != OPEN:
            return 0.0
        return max(0.0, self.cooldown - (self._clock() - self._opened_at))

    def allow(self) -> str | None:
        """May a call go out now? None = no (fail fast); CALL = yes; PROBE = yes, as the one
        half-open probe, which must then report `success()`, `failure()` or `release()`."""
        state = self.state
        if state == CLOSED:
            return CALL
        if state == OPEN or self._probe_out:
            return None
        self._set(HALF_OPEN)
        self._probe_out = True
        return PROBE

    def success(self) -> None:
        """Brightpearl answered (any status that is not a failure)."""
        self._probe_out = False
        self._failures.clear()
        if self._state != CLOSED:
            self._set(CLOSED)

    def failure(self) -> None:
        """A 5xx, timeout or connection error."""
        now = self._clock()
        if self._state == HALF_OPEN:
            self._probe_out = False
            self._open(now)
            return
        self._failures.append(now)
        while self._failures and now - self._failures[0] > self.window:
            self._failures.popleft()
        if self._state == CLOSED and len(self._failures) >= self.threshold:
            self._open(now)

    def release(self, ticket: str | None) -> None:
        """The call holding `ticket` ended without telling anything (throttled, cancelled):
        if it was the probe, let another call probe."""
        if ticket == PROBE:
            self._probe_out = False

    def _open(self, now: float) -> None:
        self._opened_at = now
        self._failures.clear()
        self._set(OPEN)

    def _set(self, state: str) -> None:
        if state == self._state:
            return
        log.warning("circuit breaker of %s: %s -> %s", self.name, self._state, state)
        self._state = state
        if self._on_change is not None:
            self._on_change(state)


class Breakers:
    """One CircuitBreaker per endpoint family, and the rule that many open ones mean an outage."""

    def __init__(
        self,
        *,
        threshold: int,
        window: float,
        cooldown: float,
        clock: Callable[[], float],
        spread: int = 3,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        self._settings = {"threshold": threshold, "window": window, "cooldown": cooldown, "clock": clock}
        self.spread = max(1, int(spread))
        self._on_change = on_change
        self._families: dict[str, CircuitBreaker] = {}
        self._was_failing = False

    def family(self, name: str) -> CircuitBreaker:
        """The breaker of one endpoint family (made on first use; families are few)."""
        breaker = self._families.get(name)
        if breaker is None:
            breaker = self._families[name] = CircuitBreaker(
                **self._settings, name=name, on_change=lambda _state: self._changed()
            )
        return breaker

    def allow(self, name: str) -> str | None:
        """A ticket for one call to family `name` (see CircuitBreaker.allow), or None to fail fast:
        its own breaker is open, or Brightpearl as a whole is failing."""
        ticket = self.family(name).allow()
        if ticket == CALL and self.outage():
            return None
        return ticket

    def open_families(self) -> list[str]:
        """The families whose breaker is open (or half open, waiting for its probe)."""
        return sorted(name for name, breaker in self._families.items() if breaker.state != CLOSED)

    def outage(self) -> bool:
        """True while `spread` or more families are open: Brightpearl itself is failing."""
        return len(self.open_families()) >= self.spread

    def state(self) -> str:
        """open (an outage), degraded (some families open) or closed."""
        if self.outage():
            return OPEN
        return "degraded" if self.open_families() else CLOSED

    def retry_after(self, name: str | None = None) -> float:
        """Seconds until family `name` (or, without a name, the last open family) may probe."""
        breakers = [self.family(name)] if name else list(self._families.values())
        return max((b.retry_after() for b in breakers), default=0.0)

    def _changed(self) -> None:
        failing = bool(self.open_families())
        if failing != self._was_failing:
            self._was_failing = failing
            if self._on_change is not None:
                self._on_change(failing)
