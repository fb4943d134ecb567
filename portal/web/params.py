"""Reading values from URLs the same way on every page."""

from __future__ import annotations

from litestar.exceptions import NotFoundException

MAX_ID = 2**31  # Brightpearl ids are positive 32-bit integers


def valid_id(value: int) -> int:
    """A Brightpearl id from the URL; out of range is a 404, like a missing id."""
    if not 0 < value < MAX_ID:
        raise NotFoundException()
    return value
