"""How the portal writes money, quantities and dates for people: one set of rules shared by the
Jinja filters, the PDFs and the CSV files.

Two kinds of dates: a calendar day (`date`: a tax date, a due date, a delivery date) is shown as
it is, wherever anyone is; a moment (`datetime`: placed, shipped, a comment) is shown in the
merchant's time zone (`Settings.zone`), which `local` applies. A moment without a zone to show
it in is a programming error (ValueError), never a silent guess."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


def money(amount: Decimal | int | float | str | None, currency: str | None = None) -> str:
    """Format an amount for people: `£1,234.50`, `-€3.00`, or an en dash when unknown."""
    if amount is None or amount == "":
        return "–"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return "–"
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    text = f"{abs(value):,.2f}"
    sign = "-" if value < 0 else ""
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{text} {code}".strip()


def local(value: datetime, zone: tzinfo | None) -> datetime:
    """The moment `value` on the merchant's clock (`zone`); naive moments are taken as UTC."""
    if zone is None:
        raise ValueError("a moment is shown in the merchant's time zone: pass the zone")
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(zone)


def calendar_day(value: datetime | date, zone: tzinfo | None = None) -> date:
    """The day people see: a calendar date as it is, a moment's date in the merchant's zone."""
    return local(value, zone).date() if isinstance(value, datetime) else value


def day(value: datetime | date | None, zone: tzinfo | None = None) -> str:
    """Format a day as `14 May 2024` (a moment: its day in `zone`), or an en dash."""
    if value is None:
        return "–"
    shown = calendar_day(value, zone)
    return f"{shown.day} {shown:%b %Y}"


def day_time(value: datetime | None, zone: tzinfo | None = None) -> str:
    """Format a moment as `14 May 2024, 09:32` on the merchant's clock (`zone`), or an en dash."""
    if value is None:
        return "–"
    shown = local(value, zone)
    return f"{shown.day} {shown:%b %Y, %H:%M}"


def normalize(value: Decimal | int | str | None) -> str:
    """Show a quantity without trailing zeros: `3.0000` -> `3`, `1.5000` -> `1.5`."""
    if value in (None, ""):
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def iso(value: datetime | date | None, zone: tzinfo | None = None) -> str:
    """Machine-readable form for <time datetime=…>: `2024-05-14` for a day, a moment with its
    offset (in `zone` when given, so it agrees with the text beside it)."""
    if not value:
        return ""
    if isinstance(value, datetime) and zone is not None:
        return local(value, zone).isoformat()
    return value.isoformat()


def age(value: datetime | None) -> str:
    """Say how long ago `value` was, in words: `4 minutes ago`."""
    if value is None:
        return ""
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 90:
        return "a minute ago"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 36:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"
