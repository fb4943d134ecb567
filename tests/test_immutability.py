"""What the cache shares between users cannot be changed by the page that reads it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

import pytest

from portal.brightpearl.reads import Kind

HTMX = {"HX-Request": "true"}
PAGES = ("/", "/orders", "/documents", "/documents?q=SI", "/statement", "/account", "/addresses")
TILES = ("balance", "overdue", "open-orders", "quotes", "latest-orders", "shipments")
IMMUTABLE_LEAVES = (str, int, float, bool, Decimal, type(None), bytes)


def mutable_parts(value, path: str = "value") -> list[str]:
    """Where inside `value` a list, dict, set or other changeable container sits."""
    if isinstance(value, IMMUTABLE_LEAVES) or hasattr(value, "isoformat"):
        return []
    if isinstance(value, MappingProxyType):
        return [p for key, item in value.items() for p in mutable_parts(item, f"{path}[{key!r}]")]
    if isinstance(value, tuple):
        return [p for index, item in enumerate(value) for p in mutable_parts(item, f"{path}[{index}]")]
    if dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen:
        return [
            p for field in dataclasses.fields(value) for p in mutable_parts(getattr(value, field.name), f"{path}.{field.name}")
        ]
    return [f"{path}: {type(value).__name__}"]


def load_every_page(client) -> None:
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    order_id = re.search(r'href="/orders/(\d+)"', client.get("/orders").text).group(1)
    assert client.get(f"/orders/{order_id}").status_code == 200
    for name in TILES:
        assert client.get(f"/tiles/{name}", headers=HTMX).status_code == 200, name


def cached_values(app) -> list[tuple[tuple, object]]:
    cache = app.state["components"].cache
    return [(key, entry.value) for key, entry in cache._entries.items()]


def test_everything_the_cache_holds_is_immutable(alice):
    load_every_page(alice)
    values = cached_values(alice.app)
    assert {key[0] for key, _ in values} >= {
        Kind.ORDER_STATUSES, Kind.ORDER_INDEX, Kind.ORDER, Kind.ORDER_NOTES, Kind.GOODS_OUT_NOTES,
        Kind.SHIPPING_METHODS, Kind.CONTACT, Kind.PRICE_LISTS, Kind.CONTACT_BALANCE, Kind.STATEMENT,
    }
    problems = [p for key, value in values for p in mutable_parts(value, f"{key[0]}{key[1]!r}")]
    assert problems == []


def test_a_page_cannot_change_what_another_user_sees(alice):
    load_every_page(alice)
    cache = alice.app.state["components"].cache
    order = next(value for key, value in cached_values(alice.app) if key[0] == Kind.ORDER)
    statuses = cache.peek(Kind.ORDER_STATUSES, "all")
    with pytest.raises(AttributeError):
        order.rows.append(order.rows[0])  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        order.custom_fields["PCF_PORTALUSR"] = "someone else"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.total = Decimal("0")  # type: ignore[misc]
    with pytest.raises(TypeError):
        statuses[999] = statuses[next(iter(statuses))]  # type: ignore[index]
    assert isinstance(statuses, Mapping)
