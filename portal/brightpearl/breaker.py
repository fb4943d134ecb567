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
that do not need it go on working. When `spread` different families fail within the window,
Brightpearl as a whole is failing: a breaker for the whole opens, every call fails fast for the
cooldown, and then one probe decides for all.
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
        self.changed_at: float | None = None  # clock time of the last change of state (health page)

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

    def trip(self) -> None:
        """Open now, whatever the count (another rule found Brightpearl failing)."""
        self._probe_out = False
        self._open(self._clock())

    def _open(self, now: float) -> None:
        self._opened_at = now
        self._failures.clear()
        self._set(OPEN)

    def _set(self, state: str) -> None:
        if state == self._state:
            return
        log.warning("circuit breaker of %s: %s -> %s", self.name, self._state, state)
        self._state = state
        self.changed_at = self._clock()
        if self._on_change is not None:
            self._on_change(state)


class Ticket:
    """Leave to make one call, from `Breakers.allow`; report how the call ended exactly once:
    `success()` (Brightpearl answered), `failure()` (5xx, timeout, connection) or `release()`
    (it ended without telling anything: throttled, cancelled)."""

    __slots__ = ("_breakers", "family", "_family_ticket", "_whole_ticket")

    def __init__(self, breakers: Breakers, family: str, family_ticket: str, whole_ticket: str) -> None:
        self._breakers = breakers
        self.family = family
        self._family_ticket = family_ticket
        self._whole_ticket = whole_ticket

    @property
    def probe(self) -> bool:
        """True when the call is a half-open probe (of its family or of Brightpearl as a whole):
        it should be one attempt, not several."""
        return PROBE in (self._family_ticket, self._whole_ticket)

    def success(self) -> None:
        self._breakers._success(self.family)

    def failure(self) -> None:
        self._breakers._failure(self.family, whole_probe=self._whole_ticket == PROBE)

    def release(self) -> None:
        self._breakers.family(self.family).release(self._family_ticket)
        self._breakers.whole.release(self._whole_ticket)


class Breakers:
    """One CircuitBreaker per endpoint family, and one for Brightpearl as a whole that opens when
    `spread` different families fail within the window (an outage: every call fails fast
    until one probe gets an answer)."""

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
        self._clock = clock
        self._window = window
        self._on_change = on_change
        self._families: dict[str, CircuitBreaker] = {}
        self._recent: deque[tuple[float, str]] = deque()  # (when, family) of failed calls
        self.whole = CircuitBreaker(
            **self._settings, name="Brightpearl as a whole", on_change=lambda _state: self._changed()
        )
        self._was_failing = False

    def family(self, name: str) -> CircuitBreaker:
        """The breaker of one endpoint family (made on first use; families are few)."""
        breaker = self._families.get(name)
        if breaker is None:
            breaker = self._families[name] = CircuitBreaker(
                **self._settings, name=name, on_change=lambda _state: self._changed()
            )
        return breaker

    def allow(self, name: str) -> Ticket | None:
        """A ticket for one call to family `name`, or None to fail fast: Brightpearl as a whole
        is failing, or this family is."""
        whole = self.whole.allow()
        if whole is None:
            return None
        own = self.family(name).allow()
        if own is None:
            self.whole.release(whole)
            return None
        return Ticket(self, name, own, whole)

    def families(self) -> dict[str, CircuitBreaker]:
        """The breaker of every endpoint family called so far (a copy, for the health page)."""
        return dict(self._families)

    def open_families(self) -> list[str]:
        """The families whose breaker is open (or half open, waiting for its probe)."""
        return sorted(name for name, breaker in self._families.items() if breaker.state != CLOSED)

    def outage(self) -> bool:
        """True while Brightpearl as a whole is taken to be failing."""
        return self.whole.state != CLOSED

    def state(self) -> str:
        """open (an outage), degraded (some families paused) or closed."""
        if self.outage():
            return OPEN
        return "degraded" if self.open_families() else CLOSED

    def retry_after(self, name: str | None = None) -> float:
        """Seconds until a call to family `name` (any family, without a name) may go out."""
        breakers = [self.whole, self.family(name)] if name else [self.whole, *self._families.values()]
        return max((b.retry_after() for b in breakers), default=0.0)

    def _success(self, name: str) -> None:
        self.family(name).success()
        self.whole.success()

    def _failure(self, name: str, *, whole_probe: bool) -> None:
        self.family(name).failure()
        if whole_probe:
            self.whole.failure()  # the outage goes on: open again for a cooldown
            return
        now = self._clock()
        self._recent.append((now, name))
        while self._recent and now - self._recent[0][0] > self._window:
            self._recent.popleft()
        if len({family for _, family in self._recent}) >= self.spread:
            self._recent.clear()
            self.whole.trip()

    def _changed(self) -> None:
        failing = self.outage() or bool(self.open_families())
        if failing != self._was_failing:
            self._was_failing = failing
            if self._on_change is not None:
                self._on_change(failing)
