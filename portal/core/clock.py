"""The wall clock pages ask for "now" and "today": one object, so tests can fix the time."""

from __future__ import annotations

from datetime import UTC, date, datetime


class Clock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date where the portal runs (due dates and statement periods count from it)."""
        return date.today()
