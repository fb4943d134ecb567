"""The wall clock pages ask for "now" and "today": one object, so tests can fix the time."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Europe/London")  # Settings.timezone's default


class Clock:
    """The real wall clock, in the merchant's time zone (`Settings.zone`)."""

    def __init__(self, zone: tzinfo = DEFAULT_ZONE) -> None:
        self.zone = zone

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """The merchant's today (due dates and statement periods count from it), whatever the
        time zone of the server the portal runs on."""
        return self.now().astimezone(self.zone).date()
