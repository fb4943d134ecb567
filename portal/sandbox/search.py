"""The generic `-search` engine (API.md §5): filters, sorting, paging, column subsets.

Each search's columns are described once (`SearchSpec`, listed in search_columns.py); the resource
hands the engine one dict per record (column name -> value, plus any filter-only fields) and the
engine answers with the recorded wire shape:
`{"response": {"results": [[...]], "metaData": {...}}, "reference": {...}}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from portal.sandbox import idset
from portal.sandbox.errors import ApiError
from portal.sandbox.formats import end_of_day, parse_wire_datetime
from portal.sandbox.routing import Response

IDSET = "IDSET"
INTEGER = "INTEGER"
STRING = "STRING"
SEARCH_STRING = "SEARCH_STRING"
BOOLEAN = "BOOLEAN"
PERIOD = "PERIOD"

MAX_PAGE_SIZE = 500
# API note: the default page size is UNCONFIRMED (API.md §16.4); 200 matches the ID-set limit
# and makes clients that forget to page notice it on the demo data (600+ orders).
DEFAULT_PAGE_SIZE = 200

_CONTROL_PARAMS = frozenset({"columns", "sort", "pageSize", "firstResult", "countOnly"})
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Column:
    """One search column as listed in `metaData.columns`."""

    name: str
    type: str
    sortable: bool = True
    filterable: bool = True
    reference: str | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sortable": self.sortable,
            "filterable": self.filterable,
            "reportDataType": self.type,
            "referenceData": [self.reference] if self.reference else [],
            "isFreeTextSearchable": False,
            "required": False,
        }


@dataclass(frozen=True)
class SearchSpec:
    """Columns in wire order, the default sort, and filters that are not columns.

    `filter_only` covers parameters such as the statement search's `contactId`, which filter
    rows but are not returned (API.md §8.4).
    """

    columns: tuple[Column, ...]
    default_sort: str
    default_direction: str = "ASC"
    filter_only: tuple[Column, ...] = ()

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None

    def filter_column(self, name: str) -> Column | None:
        found = self.column(name)
        if found is not None:
            return found if found.filterable else None
        for column in self.filter_only:
            if column.name == name:
                return column
        return None

    def meta_data(self) -> Response:
        """`GET …-search/meta-data`: the column definitions without results.

        API note: the response layout is UNCONFIRMED; the sandbox returns the same column objects
        as a search's metaData.
        """
        return Response(200, {"response": {"columns": [column.wire() for column in self.columns]}})


ReferenceResolver = Callable[[Any], Any]


def _cannot_parse(name: str, value: str, kind: str) -> ApiError:
    # Recorded: 500 CMNC-018 "The filter orderStatusId=abc cannot be parsed as: INTEGER".
    return ApiError(500, "CMNC-018", f"The filter {name}={value} cannot be parsed as: {kind}")


def _invalid(message: str) -> ApiError:
    # API note: the real code for a bad `columns`/`sort` parameter was not captured; the
    # sandbox answers 400 with an errors array so clients surface it as a programming error.
    return ApiError(400, "CMNC-400", message)


def _as_datetime(value: Any, zone: tzinfo) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return parse_wire_datetime(str(value), zone)


def _period_bounds(name: str, text: str, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    # API note: PERIOD syntax `from/to` is CLIENT-confirmed only (§5.1).  Tolerances: a '+'
    # in an offset that arrived as a space (unencoded query) is restored, a date-only `to`
    # includes that whole day, and a single value without '/' means that day or instant.
    # Naive bounds are the account's local time (its days), like everything it shows.
    raw = text.replace(" ", "+")
    start_text, separator, end_text = raw.partition("/")
    if not separator:
        end_text = start_text
    try:
        start = parse_wire_datetime(start_text, zone) if start_text else None
        if not end_text:
            end = None
        elif len(end_text.strip()) == 10:
            end = end_of_day(date.fromisoformat(end_text.strip()), zone)
        else:
            end = parse_wire_datetime(end_text, zone)
    except ValueError:
        raise _cannot_parse(name, text, PERIOD) from None
    if start is None and end is None:
        raise _cannot_parse(name, text, PERIOD)
    return start, end


def _predicate(column: Column, text: str, zone: tzinfo) -> Callable[[Any], bool]:
    """Build the row test for `column=text`, or raise CMNC-018 for an unparsable value."""
    kind = column.type
    if kind == IDSET:
        try:
            wanted = set(idset.parse(text) or ())
        except ValueError:
            raise _cannot_parse(column.name, text, kind) from None
        return lambda value: value in wanted
    if kind == INTEGER:
        # API note: whether INTEGER filters accept lists is UNCONFIRMED (§16.4); a list is
        # not an integer, so the sandbox answers CMNC-018 like any other non-integer.
        if not _INTEGER.match(text.strip()):
            raise _cannot_parse(column.name, text, kind)
        number = int(text)
        return lambda value: value == number
    if kind == BOOLEAN:
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise _cannot_parse(column.name, text, kind)
        flag = lowered == "true"
        return lambda value: value is flag
    if kind == STRING:
        # API note: STRING exactness is UNCONFIRMED; the sandbox matches the whole value,
        # ignoring case (the tolerant reading of "exact").
        needle = text.casefold()
        return lambda value: value is not None and str(value).casefold() == needle
    if kind == SEARCH_STRING:
        # API note: SEARCH_STRING semantics are UNCONFIRMED; the sandbox does a
        # case-insensitive substring match.  Clients must still re-check equality.
        needle = text.casefold()
        return lambda value: value is not None and needle in str(value).casefold()
    if kind == PERIOD:
        start, end = _period_bounds(column.name, text, zone)

        def within(value: Any) -> bool:
            moment = _as_datetime(value, zone)
            if moment is None:
                return False
            if start is not None and moment < start:
                return False
            return end is None or moment <= end

        return within
    raise _cannot_parse(column.name, text, kind)


def _sort_key(column: Column, zone: tzinfo) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    name = column.name
    if column.type == PERIOD:

        def period_key(record: Mapping[str, Any]) -> tuple[int, Any]:
            moment = _as_datetime(record.get(name), zone)
            return (1, 0.0) if moment is None else (0, moment.timestamp())

        return period_key
    if column.type in (STRING, SEARCH_STRING):

        def text_key(record: Mapping[str, Any]) -> tuple[int, Any]:
            value = record.get(name)
            return (1, "") if value is None else (0, str(value).casefold())

        return text_key

    def plain_key(record: Mapping[str, Any]) -> tuple[int, Any]:
        value = record.get(name)
        return (1, 0) if value is None else (0, value)

    return plain_key


def _parse_sort(spec: SearchSpec, text: str | None) -> tuple[Column, str]:
    if not text:
        column = spec.column(spec.default_sort)
        assert column is not None
        return column, spec.default_direction
    # API note: multi-column sort syntax is UNCONFIRMED; only one `col.DIR` is accepted.
    name, _, direction = text.strip().partition(".")
    direction = (direction or "ASC").upper()
    column = spec.column(name)
    if column is None or not column.sortable or direction not in ("ASC", "DESC"):
        raise _invalid(f"Cannot sort on {text}")
    return column, direction


def _page_number(text: str | None, default: int, low: int, high: int | None) -> int:
    # Tolerant paging: unparsable values fall back to the default, out-of-range are clamped.
    if text is None or not _INTEGER.match(text.strip()):
        return default
    number = max(low, int(text))
    return min(number, high) if high is not None else number


def run_search(
    spec: SearchSpec,
    records: Iterable[Mapping[str, Any]],
    query: Mapping[str, str],
    references: Mapping[str, ReferenceResolver] | None = None,
    *,
    zone: tzinfo,
) -> Response:
    """Filter, sort and page `records` per the query; return the wire response.

    `zone` is the account's: PERIOD filters without an offset are its local time.

    `references` maps a referenceData name (e.g. `orderStatusNames`) to a function from a
    cell value to its display value (None = leave out).  Only values present on the returned
    page appear in the top-level `reference` block, keyed by the value as a string.
    """
    references = references or {}
    predicates: list[tuple[str, Callable[[Any], bool]]] = []
    for name, text in query.items():
        if name in _CONTROL_PARAMS:
            continue
        column = spec.filter_column(name)
        if column is None:
            # API note: unknown parameters are ignored (UNCONFIRMED; tolerant choice).
            continue
        predicates.append((name, _predicate(column, text, zone)))

    if query.get("columns"):
        selected: list[Column] = []
        for name in query["columns"].split(","):
            column = spec.column(name.strip())
            if column is None:
                raise _invalid(f"Unknown column {name.strip()}")
            selected.append(column)
    else:
        selected = list(spec.columns)

    sort_column, direction = _parse_sort(spec, query.get("sort"))
    matched = [r for r in records if all(test(r.get(name)) for name, test in predicates)]
    # Stable tie-break on the default sort column keeps pages deterministic.
    default_column = spec.column(spec.default_sort)
    assert default_column is not None
    matched.sort(key=_sort_key(default_column, zone))
    matched.sort(key=_sort_key(sort_column, zone), reverse=direction == "DESC")

    page_size = _page_number(query.get("pageSize"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    first = _page_number(query.get("firstResult"), 1, 1, None)
    count_only = query.get("countOnly", "").lower() == "true"
    page = [] if count_only else matched[first - 1 : first - 1 + page_size]

    rows = [[record.get(column.name) for column in selected] for record in page]
    meta: dict[str, Any] = {
        "morePagesAvailable": bool(page) and first - 1 + len(page) < len(matched),
        "resultsAvailable": len(matched),
        "resultsReturned": len(page),
    }
    if page:
        # API note: an old fixture omits firstResult/lastResult when nothing is returned;
        # the sandbox does the same so clients code defensively (API.md §5.2).
        meta["firstResult"] = first
        meta["lastResult"] = first - 1 + len(page)
    meta["columns"] = [column.wire() for column in selected]
    meta["sorting"] = [{"filterable": sort_column.wire(), "direction": direction}]

    reference: dict[str, dict[str, Any]] = {}
    for index, column in enumerate(selected):
        resolver = references.get(column.reference or "")
        if resolver is None:
            continue
        block = reference.setdefault(column.reference or "", {})
        for row in rows:
            value = row[index]
            if value is None:
                continue
            shown = resolver(value)
            if shown is not None:
                block[str(value)] = shown
        if not block:
            del reference[column.reference or ""]
    return Response(200, {"response": {"results": rows, "metaData": meta}, "reference": reference})
