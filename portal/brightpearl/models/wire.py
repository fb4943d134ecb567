"""Tolerant readers of Brightpearl's wire JSON, and the `@model` decorator the models are built with.

Every reader accepts whatever Brightpearl (or a hostile or buggy stub) sends: missing fields
become defaults ("" for text, 0 for ids, Decimal 0 for money, None for dates), ids given as
strings become ints, money becomes `Decimal`, moments (createdOn, placedOn, a note's addedOn)
become timezone-aware `datetime`s and date-only fields (taxDate, dueDate, deliveryDate) become
calendar `date`s (see `as_calendar_date`). Nothing here raises KeyError; a value of the wrong
type is treated as missing.

A model declares each plain field once, with where it sits on the wire:

    @model
    class ShippingMethod:
        id: int = wire("id")
        name: str = wire("name")

`@model` makes it a frozen dataclass whose `read(data, **computed)` fills every `wire` field
with the reader of its type, and gives it `from_wire = read` unless it writes its own.

Models are shared by every request through the cache, so they hold no mutable containers:
sequences are tuples and mappings are read-only (`portal.core.immutable`).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from types import MappingProxyType, UnionType
from typing import Any, TypeVar, dataclass_transform

ZERO = Decimal("0")

T = TypeVar("T")


# --- readers ---------------------------------------------------------------------------------
def dig(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]…, or None as soon as a step is missing or not a dict."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def as_int(value: Any, default: int = 0) -> int:
    """An id or count: ints, digit strings ("42", " 42 ", "42.0") and whole floats; else default."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = as_decimal(value, None)
    if number is None or not number.is_finite() or number != number.to_integral_value():
        return default
    return int(number)


def as_decimal(value: Any, default: Decimal | None = ZERO) -> Decimal | None:
    """Money or a quantity: strings ("9.09") and numbers; floats via their repr. Else default."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return default
    return number if number.is_finite() else default


def as_str(value: Any) -> str:
    """Text; None -> ""; numbers as written."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def as_bool(value: Any) -> bool:
    """true/false, 1/0, "true"/"1"/"yes" (acknowledged is 0/1 on the wire)."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "y"}
    if isinstance(value, (int, float)):
        return value != 0
    return bool(value) if isinstance(value, bool) else False


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 with an offset (`2024-05-14T09:32:10.000+01:00`), `Z`,
    a date alone, or epoch milliseconds. Naive values are taken as UTC. Else None."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def as_calendar_date(value: Any) -> date | None:
    """The calendar day of a date-only field (taxDate, dueDate, deliveryDate, journalDate), or None.

    Brightpearl keeps these at UTC midnight and sends them in the account's offset, so on a
    -06:00 account 30 April arrives as `2024-04-29T18:00:00.000-06:00`; real orders also carry
    values at local midnight (`2024-04-30T00:00:00.000-06:00`). The rule (API-ADDENDUM I.1):
    local time 00:00 -> the local date; else UTC time 00:00 -> the UTC date. A value that is
    neither (a moment of the day, as older bodies or other clients write) is taken at its local
    date: the day the account itself shows. A plain `yyyy-MM-dd` is that day; epoch
    milliseconds are the UTC day; anything else is None."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            try:
                return date.fromisoformat(text)
            except ValueError:
                return None
    moment = as_datetime(value)
    if moment is None:
        return None
    if moment.time() == time(0, 0):
        return moment.date()
    in_utc = moment.astimezone(UTC)
    if in_utc.time() == time(0, 0):
        return in_utc.date()
    return moment.date()


def as_dict(value: Any) -> dict:
    """`value` when it is a JSON object, else {}."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """`value` when it is a JSON array, else []."""
    return value if isinstance(value, list) else []


# --- declarative models ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Wire:
    path: tuple[str, ...]
    absent_key: str | None  # read this top-level key instead when path[0] is absent


def wire(*path: str, or_key: str | None = None) -> Any:
    """Declare a model field read from `data[path[0]][path[1]]…`, converted by the field's type
    (int, str, bool, Decimal, datetime | None for moments or date | None for date-only fields). With `or_key`, a body without `path[0]` is
    read at that key instead (older shapes: `id` for `statusId`, say)."""
    return _Wire(path, or_key)


# Each plain field type: its reader and the default a missing value becomes.
_READERS: dict[Any, tuple[Callable[[Any], Any], Any]] = {
    int: (as_int, 0),
    str: (as_str, ""),
    bool: (as_bool, False),
    Decimal: (as_decimal, ZERO),
    datetime | None: (as_datetime, None),
    date | None: (as_calendar_date, None),
}


def _reader_for(hint: Any) -> tuple[Callable[[Any], Any], Any]:
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        members = typing.get_args(hint)
        hint = datetime | None if datetime in members else date | None if date in members else hint
    try:
        return _READERS[hint]
    except KeyError:
        raise TypeError(
            f"wire() fields must be int, str, bool, Decimal, datetime | None or date | None, not {hint!r}"
        ) from None


@dataclass_transform(frozen_default=True, field_specifiers=(wire, field))
def model(cls: type[T]) -> type[T]:
    """Make `cls` a frozen dataclass that reads its `wire(...)` fields from Brightpearl's JSON."""
    hints = typing.get_type_hints(cls)
    readers: list[tuple[str, _Wire, Callable[[Any], Any]]] = []
    for name in list(cls.__dict__.get("__annotations__", {})):
        declared = cls.__dict__.get(name, MISSING)
        if isinstance(declared, _Wire):
            reader, default = _reader_for(hints[name])
            setattr(cls, name, field(default=default))
            readers.append((name, declared, reader))
        elif isinstance(declared, MappingProxyType):
            # dataclasses refuse unhashable defaults; a read-only mapping is safe to share.
            setattr(cls, name, field(default_factory=lambda value=declared: value))
    built = dataclass(frozen=True)(cls)
    inherited = [spec for base in cls.__mro__[1:] for spec in getattr(base, "__wire_fields__", ())]
    built.__wire_fields__ = (*inherited, *readers)  # type: ignore[attr-defined]
    if "read" not in cls.__dict__:
        built.read = classmethod(_read)  # type: ignore[attr-defined]
    if not hasattr(cls, "from_wire"):
        built.from_wire = classmethod(_read)  # type: ignore[attr-defined]
    return built


def _read(cls: type[T], data: Any, **computed: Any) -> T:
    """An instance with every `wire` field read from `data`, and `computed` fields as given."""
    data = as_dict(data)
    values: dict[str, Any] = {}
    for name, spec, reader in cls.__wire_fields__:  # type: ignore[attr-defined]
        if name in computed:
            continue
        path = spec.path
        if spec.absent_key is not None and path[0] not in data:
            path = (spec.absent_key,)
        values[name] = reader(dig(data, *path))
    return cls(**values, **computed)


def field_names(cls: type) -> tuple[str, ...]:
    """The dataclass field names of a model (to copy one model into a subclass)."""
    return tuple(f.name for f in fields(cls))
