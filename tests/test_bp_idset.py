"""ID-set formatting and parsing (API.md §4.1)."""

from __future__ import annotations

import pytest

from portal.brightpearl.idset import format_idset, parse_idset


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([51234], "51234"),
        ([1, 2, 3, 4, 5, 9], "1-5,9"),
        ([9, 5, 4, 3, 2, 1, 9], "1-5,9"),  # any order, duplicates dropped
        ([1, 2, 5, 8, 10, 11, 12], "1,2,5,8,10-12"),
        ([], ""),
    ],
)
def test_format_idset_is_compact(ids, expected):
    assert format_idset(ids) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("51234", [51234]),
        ("51200-51203", [51200, 51201, 51202, 51203]),
        ("51234,51301,50987", [51234, 51301, 50987]),  # written order kept
        ("1-2,5,8,10-12", [1, 2, 5, 8, 10, 11, 12]),
        (" 70551 , 70552 ", [70551, 70552]),
        ("5,5,4-6", [5, 4, 6]),
        ("", []),
    ],
)
def test_parse_idset(text, expected):
    assert parse_idset(text) == expected


@pytest.mark.parametrize("text", ["*", "1,,2", "5-1", "abc", "0", "-3", "1-", "1;2", "１２"])
def test_parse_idset_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_idset(text)


def test_parse_idset_refuses_huge_sets():
    with pytest.raises(ValueError):
        parse_idset("1-99999999")
    assert len(parse_idset("1-500", limit=500)) == 500


def test_round_trip():
    ids = [3, 4, 5, 6, 10, 20, 21, 22, 99]
    assert parse_idset(format_idset(ids)) == ids
