"""Wire formats Brightpearl uses for money, quantities and dates.

Brightpearl sends money and quantities on orders as strings with a fixed number of decimals
(`"95.0000"` for prices, `"57.00"` for row tax, `"1.000000"` for exchange rates) and every date
as ISO 8601 with milliseconds in the account's UTC offset (`2024-05-14T09:32:10.000+01:00`).
The account's time zone is a sandbox option (`SandboxConfig.zone`, default Europe/London, the
demo account's): every function here that writes or reads a date takes it.

Date-only fields (taxDate, dueDate, deliveryDate, journal dates) are kept at UTC midnight of
their day and, like every date, sent in the account's offset: on a -06:00 account 30 April goes
out as `2024-04-29T18:00:00.000-06:00` (API-ADDENDUM I.1). Real orders also carry some at local
midnight (`wire_date(..., at_local_midnight=True)`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/London"

_QUANTS = {places: Decimal(1).scaleb(-places) for places in range(0, 7)}
_FIXED_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def account_zone(text: str) -> tzinfo:
    """The account's time zone from an IANA name (`America/Chicago`) or a fixed UTC offset
    (`-06:00`, `+0900`, `Z`). Raises ValueError for anything else."""
    text = (text or "").strip()
    if text in ("Z", "z"):
        return UTC
    fixed = _FIXED_OFFSET.match(text)
    if fixed:
        sign, hours, minutes = fixed.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        if offset > timedelta(hours=14) or int(minutes) >= 60:
            raise ValueError(f"not a UTC offset: {text!r}")
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not a time zone name or UTC offset: {text!r}") from None


def money(value: Decimal | int | str, places: int = 2) -> str:
    """Return `value` rounded half-up to `places` decimals, as Brightpearl's string form."""
    return str(Decimal(value).quantize(_QUANTS[places], rounding=ROUND_HALF_UP))


def cents(value: Decimal | int | str) -> Decimal:
    """Return `value` rounded half-up to 2 decimals (the precision totals are kept in)."""
    return Decimal(value).quantize(_QUANTS[2], rounding=ROUND_HALF_UP)


def wire_datetime(moment: datetime, zone: tzinfo) -> str:
    """Return `moment` in the account's offset as `YYYY-MM-DDTHH:MM:SS.mmm+HH:MM`."""
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def wire_date(day: date, zone: tzinfo, *, at_local_midnight: bool = False) -> str:
    """Return a date-only value as Brightpearl sends it: UTC midnight of `day` in the account's
    offset, or (`at_local_midnight`, as some real orders carry) the account's own midnight."""
    if at_local_midnight:
        return wire_datetime(local_datetime(day, zone=zone), zone)
    return wire_datetime(datetime.combine(day, time(0, 0), tzinfo=UTC), zone)


def wire_day(text: str, zone: tzinfo) -> date:
    """The calendar day of a stored date-only value (the reading rule of API-ADDENDUM I.1:
    local 00:00 -> local date, else UTC 00:00 -> UTC date, else the local date)."""
    moment = parse_wire_datetime(text, zone)
    if moment.time() == time(0, 0):
        return moment.date()
    in_utc = moment.astimezone(UTC)
    return in_utc.date() if in_utc.time() == time(0, 0) else moment.date()


def local_datetime(day: date, hour: int = 0, minute: int = 0, second: int = 0, *, zone: tzinfo) -> datetime:
    """Return an aware datetime on `day` at the given wall-clock time of the account."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=zone)


def parse_wire_datetime(text: str, zone: tzinfo) -> datetime:
    """Parse a date or date-time as clients send it, in the account's zone; naive values (and
    a date alone, at its start) are taken as the account's local time.

    Accepts `2024-05-14`, `2024-05-14T09:32:10`, `...+01:00`, `...Z` and millisecond forms.
    Raises ValueError for anything else.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    if len(text) == 10:
        return local_datetime(date.fromisoformat(text), zone=zone)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """Return the last millisecond of `day` in the account's time (inclusive PERIOD ends)."""
    return local_datetime(day, zone=zone) + timedelta(days=1) - timedelta(milliseconds=1)
