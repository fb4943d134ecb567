"""Reading values from URLs the same way on every page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar.exceptions import NotFoundException

MAX_ID = 2**31  # Brightpearl ids are positive 32-bit integers
EARLIEST_DAY = date(2000, 1, 1)  # no portal has data older; earlier dates are typing mistakes
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def valid_id(value: int) -> int:
    """A Brightpearl id from the URL; out of range is a 404, like a missing id."""
    if not 0 < value < MAX_ID:
        raise NotFoundException()
    return value


def with_query(url: str, params: Mapping[str, Any] | None) -> str:
    """`url` with a query string of the items of `params` that have a value (None and "" are
    left out, so an empty filter does not show in the address bar)."""
    items = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    return f"{url}?{urlencode(items)}" if items else url


def parse_day(text: str, field: str, errors: dict[str, str]) -> date | None:
    """The day a date field holds (year-month-day, as `<input type=date>` sends it), or None
    when it is empty or wrong; a wrong one puts the sentence to show beside it in
    `errors[field]`."""
    if not text:
        return None
    if not _ISO_DAY.match(text):
        errors[field] = "Enter a date as year-month-day, e.g. 2025-03-31."
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors[field] = "That date does not exist."
        return None
    if value < EARLIEST_DAY:
        errors[field] = f"Choose a date from {EARLIEST_DAY.year} on."
        return None
    return value
