"""Brightpearl ID sets (API.md §4.1): `5`, `1-100`, `5,9,12`, `1-2,5,8,10-41` and `*`.

Ranges are inclusive and ascending.  The parser keeps the ids in a set-like order (duplicates
dropped) and reports how many distinct ids were asked for so callers can enforce the
per-resource limits of §4.2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WILDCARD = "*"

_TOKEN = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")

# A range like 1-999999999 must not be expanded into memory before the limit check fires.
_EXPANSION_CAP = 100_000


class IdSetSyntaxError(ValueError):
    """The text is not an ID set."""


class IdSetTooLarge(ValueError):
    """The ID set names more ids than the resource accepts."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"The ID set contains {count} ids; the maximum is {limit}")
        self.count = count
        self.limit = limit


def parse(text: str, limit: int | None = None, allow_wildcard: bool = False) -> list[int] | None:
    """Return the distinct ids named by `text`, or None for the wildcard `*`.

    Raises IdSetSyntaxError for malformed text (including descending ranges and a wildcard
    where none is allowed) and IdSetTooLarge when more than `limit` ids are named.
    """
    text = text.strip()
    if text == WILDCARD:
        if allow_wildcard:
            return None
        raise IdSetSyntaxError("a wildcard is not accepted here")
    if not text:
        raise IdSetSyntaxError("empty ID set")
    seen: dict[int, None] = {}
    count = 0
    for token in text.split(","):
        match = _TOKEN.match(token)
        if not match:
            raise IdSetSyntaxError(f"not an id or range: {token!r}")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise IdSetSyntaxError(f"descending range: {token!r}")
        if first <= 0:
            raise IdSetSyntaxError("ids are positive integers")
        count += last - first + 1
        if limit is not None and count > limit:
            raise IdSetTooLarge(count, limit)
        if count > _EXPANSION_CAP:
            raise IdSetTooLarge(count, _EXPANSION_CAP)
        for value in range(first, last + 1):
            seen[value] = None
    if limit is not None and len(seen) > limit:
        raise IdSetTooLarge(len(seen), limit)
    return list(seen)


def compact(ids: Iterable[int]) -> str:
    """Return the shortest ID-set text for `ids`: sorted, consecutive runs as ranges."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    index = 0
    while index < len(ordered):
        start = ordered[index]
        end = start
        while index + 1 < len(ordered) and ordered[index + 1] == end + 1:
            index += 1
            end = ordered[index]
        parts.append(str(start) if start == end else f"{start}-{end}")
        index += 1
    return ",".join(parts)


def chunks(ids: Iterable[int], size: int) -> list[str]:
    """Split `ids` (sorted) into compact ID-set texts of at most `size` ids each (OPTIONS)."""
    ordered = sorted(set(ids))
    return [compact(ordered[start : start + size]) for start in range(0, len(ordered), size)]


def scramble(ids: Iterable[int], salt: int = 0) -> list[int]:
    """Return `ids` in a deterministic but non-sorted order.

    Brightpearl returns ID-set GETs "in no particular order"; the sandbox makes that visible
    so clients cannot come to rely on an accidental ordering.
    """
    return sorted(ids, key=lambda value: ((value ^ salt) * 2654435761) % 4294967296)
