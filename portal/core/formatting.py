"""How the portal writes money, quantities and dates for people: one set of rules shared by the
Jinja filters, the PDFs and the CSV files."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def day(value: datetime | date | None) -> str:
    """Format a date as `14 May 2024` (in the date's own offset), or an en dash."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y}"


def day_time(value: datetime | None) -> str:
    """Format a moment as `14 May 2024, 09:32` in its own offset, or an en dash."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y, %H:%M}"


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


def iso(value: datetime | date | None) -> str:
    """Machine-readable form for <time datetime=…>."""
    return value.isoformat() if value else ""


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
