"""Reading values from URLs the same way on every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar.exceptions import NotFoundException

MAX_ID = 2**31  # Brightpearl ids are positive 32-bit integers


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
