"""The order defaults in effect: the admin's choices (portal.core.order_defaults) checked
against Brightpearl's own lists, with Brightpearl's defaults wherever the admin chose nothing
(or chose something Brightpearl no longer has). So the demo, and a new install, place orders
sensibly with nothing set.

    lists = OrderLists(channels=await bp.products.channels(), warehouses=await bp.warehouse.warehouses(),
                       price_lists=await bp.products.price_lists(), statuses=await bp.orders.statuses())
    effective = resolve(order_defaults.current(), lists)
    effective.channel_id, effective.warehouse_id, effective.portal_order_status_id, …

Brightpearl's defaults: the first channel (lowest id); the warehouse and price list that
channel names (else the first warehouse, the first selling price list); the sales-order
statuses named "Quote approved" and "New web order". Lead source and project have no list in
Brightpearl's API: they are used as the admin typed them, or left out (None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from portal.brightpearl.models import Channel, OrderStatus, PriceList, Warehouse
from portal.core.order_defaults import OrderDefaults

# Status names Brightpearl's accounts use for these steps (case is ignored), first match wins.
QUOTE_ACCEPTED_NAMES = ("quote approved", "quote accepted")
PORTAL_ORDER_NAMES = ("new web order", "new portal order")
QUOTE_CONVERTED_NAMES = ("quote converted", "converted to order", "quote converted to order")
QUOTE_CHANGES_NAMES = ("quote changes requested", "changes requested", "quote amendment requested")
QUOTE_DECLINED_NAMES = ("quote declined", "quote rejected", "declined")
# The statuses a quote takes after the customer answers it; without one a note alone says it.
QUOTE_STATUS_FIELDS = ("quote_converted_status_id", "quote_changes_status_id", "quote_declined_status_id")
SALES_ORDER = "SO"


@dataclass(frozen=True)
class OrderLists:
    """Brightpearl's lists the defaults are chosen from, each by id."""

    channels: Mapping[int, Channel] = field(default_factory=dict)
    warehouses: Mapping[int, Warehouse] = field(default_factory=dict)
    price_lists: Mapping[int, PriceList] = field(default_factory=dict)
    statuses: Mapping[int, OrderStatus] = field(default_factory=dict)

    def sales_statuses(self) -> list[OrderStatus]:
        """The sales-order statuses, in Brightpearl's order."""
        found = [s for s in self.statuses.values() if s.order_type_code in (SALES_ORDER, "")]
        return sorted(found, key=lambda s: (s.sort_order, s.id))

    def selling_price_lists(self) -> list[PriceList]:
        """Price lists that sell (type SELL, or no type given), by id."""
        return sorted((p for p in self.price_lists.values() if p.type_code in ("SELL", "")), key=lambda p: p.id)


@dataclass(frozen=True)
class EffectiveOrderDefaults:
    """What an order placed now uses. `chosen` names the fields the admin set and Brightpearl
    still has; `gone` the ones the admin set that Brightpearl no longer has (their
    Brightpearl default is used instead, and the admin page says so)."""

    channel_id: int | None
    warehouse_id: int | None
    price_list_id: int | None
    lead_source_id: int | None
    project_id: int | None
    quote_accepted_status_id: int | None
    portal_order_status_id: int | None
    notification_email: str
    # None: Brightpearl has no such status; the converted quote then takes the accepted status,
    # and a declined quote or a request for changes is a note on the quote alone.
    quote_converted_status_id: int | None = None
    quote_changes_status_id: int | None = None
    quote_declined_status_id: int | None = None
    chosen: frozenset[str] = frozenset()
    gone: frozenset[str] = frozenset()


def _first(ids: Iterable[int]) -> int | None:
    return min(ids, default=None)


def _by_name(statuses: list[OrderStatus], names: tuple[str, ...]) -> int | None:
    for name in names:
        for status in statuses:
            if status.name.strip().casefold() == name:
                return status.id
    return None


def brightpearl_defaults(lists: OrderLists, channel_id: int | None = None) -> dict[str, int | None]:
    """What Brightpearl's lists choose for each listed field; the warehouse and price list are
    those of `channel_id` when it is a channel, else of the first channel."""
    channel = lists.channels.get(channel_id or 0) or lists.channels.get(_first(lists.channels) or 0)
    warehouse = channel.default_warehouse_id if channel else 0
    if warehouse not in lists.warehouses:
        warehouse = _first(lists.warehouses) or 0
    selling = lists.selling_price_lists()
    price_list = channel.default_price_list_id if channel else 0
    if price_list not in {p.id for p in selling}:
        price_list = selling[0].id if selling else 0
    statuses = lists.sales_statuses()
    return {
        "channel_id": _first(lists.channels),
        "warehouse_id": warehouse or None,
        "price_list_id": price_list or None,
        "quote_accepted_status_id": _by_name(statuses, QUOTE_ACCEPTED_NAMES),
        "portal_order_status_id": _by_name(statuses, PORTAL_ORDER_NAMES),
        "quote_converted_status_id": _by_name(statuses, QUOTE_CONVERTED_NAMES),
        "quote_changes_status_id": _by_name(statuses, QUOTE_CHANGES_NAMES),
        "quote_declined_status_id": _by_name(statuses, QUOTE_DECLINED_NAMES),
    }


def resolve(stored: OrderDefaults, lists: OrderLists) -> EffectiveOrderDefaults:
    """The defaults in effect for `stored` against Brightpearl's `lists`."""
    chosen: set[str] = set()
    gone: set[str] = set()
    sales_status_ids = {s.id for s in lists.sales_statuses()}
    known = {
        "channel_id": set(lists.channels),
        "warehouse_id": set(lists.warehouses),
        "price_list_id": {p.id for p in lists.selling_price_lists()},
        "quote_accepted_status_id": sales_status_ids,
        "portal_order_status_id": sales_status_ids,
        **{name: sales_status_ids for name in QUOTE_STATUS_FIELDS},
    }

    def pick(name: str) -> int | None:
        value = getattr(stored, name)
        if value is not None and value in known[name]:
            chosen.add(name)
            return value
        if value is not None:
            gone.add(name)
        return None

    channel = pick("channel_id")
    automatic = brightpearl_defaults(lists, channel)
    values = {name: pick(name) for name in known if name != "channel_id"}
    values["channel_id"] = channel
    values = {name: value if value is not None else automatic[name] for name, value in values.items()}
    if values["quote_converted_status_id"] is None:
        values["quote_converted_status_id"] = values["quote_accepted_status_id"]
    return EffectiveOrderDefaults(
        **values,
        lead_source_id=stored.lead_source_id,
        project_id=stored.project_id,
        notification_email=stored.notification_email,
        chosen=frozenset(chosen | {n for n in ("lead_source_id", "project_id") if getattr(stored, n) is not None}),
        gone=frozenset(gone),
    )
