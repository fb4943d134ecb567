"""Brightpearl ID sets (API.md §4.1): `51234`, `1-5`, `51234,51301`, `1-2,5,8,10-41`.

`format_idset` writes the compact form for request paths; `parse_idset` reads the form that
webhook callbacks deliver (`"70551,70552"`, `"70551-70560"`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A webhook body is untrusted input: refuse ID sets that would expand to absurd lists.
DEFAULT_PARSE_LIMIT = 10_000
_DIGITS = re.compile(r"[0-9]{1,12}")


def format_idset(ids: Iterable[int]) -> str:
    """Return `ids` (deduplicated, ascending) as a compact ID set: runs of 3+ become ranges.

    >>> format_idset([9, 1, 2, 3, 4, 5, 7, 8, 11])
    '1-5,7-9,11'
    """
    unique = sorted({_positive(i) for i in ids})
    parts: list[str] = []
    start = 0
    while start < len(unique):
        end = start
        while end + 1 < len(unique) and unique[end + 1] == unique[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{unique[start]}-{unique[end]}")
        else:
            parts.extend(str(i) for i in unique[start : end + 1])
        start = end + 1
    return ",".join(parts)


def parse_idset(text: str, *, limit: int = DEFAULT_PARSE_LIMIT) -> list[int]:
    """Return the ids of an ID set in their written order, without duplicates.

    Ranges are inclusive and must ascend. Raises ValueError for anything else (including the
    `*` wildcard, which names no ids) or when the set holds more than `limit` ids.
    """
    text = str(text)
    if not text.strip():
        return []
    ids: dict[int, None] = {}
    for raw in text.split(","):
        part = raw.strip()
        low_text, sep, high_text = part.partition("-")
        low = _parse_int(low_text, text)
        high = _parse_int(high_text, text) if sep else low
        if high < low:
            raise ValueError(f"descending range {part!r} in ID set {text!r}")
        if len(ids) + (high - low + 1) > limit:
            raise ValueError(f"ID set {text[:40]!r} holds more than {limit} ids")
        for i in range(low, high + 1):
            ids[i] = None
    return list(ids)


def _parse_int(value: str, text: str) -> int:
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        raise ValueError(f"not an ID set: {text!r}")
    return _positive(int(value))


def _positive(value: int) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"Brightpearl ids are positive integers, not {value!r}")
    return number
