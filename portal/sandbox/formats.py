"""Wire formats Brightpearl uses for money, quantities and dates.

Brightpearl sends money and quantities on orders as strings with a fixed number of decimals
(`"95.0000"` for prices, `"57.00"` for row tax, `"1.000000"` for exchange rates) and dates as
ISO 8601 with the account's local offset and milliseconds (`2024-05-14T09:32:10.000+01:00`).
The demo account is in the UK, so dates carry Europe/London offsets (+00:00 or +01:00).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

_QUANTS = {places: Decimal(1).scaleb(-places) for places in range(0, 7)}


def money(value: Decimal | int | str, places: int = 2) -> str:
    """Return `value` rounded half-up to `places` decimals, as Brightpearl's string form."""
    return str(Decimal(value).quantize(_QUANTS[places], rounding=ROUND_HALF_UP))


def cents(value: Decimal | int | str) -> Decimal:
    """Return `value` rounded half-up to 2 decimals (the precision totals are kept in)."""
    return Decimal(value).quantize(_QUANTS[2], rounding=ROUND_HALF_UP)


def wire_datetime(moment: datetime) -> str:
    """Return `moment` in London local time as `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM`."""
    return moment.astimezone(LONDON).isoformat(timespec="milliseconds")


def wire_date(day: date) -> str:
    """Return local midnight of `day`, the way Brightpearl sends date-only fields."""
    return wire_datetime(datetime.combine(day, time(0, 0), tzinfo=LONDON))


def local_datetime(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """Return an aware London datetime on `day` at the given wall-clock time."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=LONDON)


def parse_wire_datetime(text: str) -> datetime:
    """Parse a date or date-time as clients send it; naive values are taken as London time.

    Accepts `2024-05-14`, `2024-05-14T09:32:10`, `...+01:00`, `...Z` and millisecond forms.
    Raises ValueError for anything else.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=LONDON)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


def end_of_day(day: date) -> datetime:
    """Return the last millisecond of `day` in London time (inclusive PERIOD ends)."""
    return local_datetime(day) + timedelta(days=1) - timedelta(milliseconds=1)
