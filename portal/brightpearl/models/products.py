"""Price lists (product-service, API.md §10.3) and sales channels (§10.5) as read-only typed views."""

from __future__ import annotations

from typing import Any

from .wire import as_dict, as_int, as_list, as_str, model, wire


@model
class PriceList:
    """A price list (API.md §10.3). `currency_code` is ISO 4217, e.g. "GBP"."""

    id: int = wire("id")
    name: str = ""
    code: str = wire("code")
    currency_code: str = ""
    currency_id: int = wire("currencyId")
    type_code: str = ""  # BUY | SELL
    gross: bool = wire("gross")  # prices include tax

    @classmethod
    def from_wire(cls, data: Any) -> PriceList:
        data = as_dict(data)
        name = data.get("name")
        # API note: the name is a {languageCode, text, format} object in the docs; a plain
        # string is accepted too.
        text = as_str(as_dict(name).get("text")) if isinstance(name, dict) else as_str(name)
        return cls.read(
            data,
            name=text,
            currency_code=as_str(data.get("currencyCode")).strip().upper(),
            type_code=as_str(data.get("priceListTypeCode")).upper(),
        )


@model
class Channel:
    """A sales channel (product-service/channel, examples/channel-get.json): the warehouse and
    price list orders of the channel use unless told otherwise. `warehouse_ids` are the
    warehouses the channel may ship from (its default among them)."""

    id: int = wire("id")
    name: str = wire("name")
    channel_type_id: int = wire("channelTypeId")
    default_warehouse_id: int = wire("defaultWarehouseId")
    default_price_list_id: int = wire("defaultPriceListId")
    warehouse_ids: tuple[int, ...] = ()

    @classmethod
    def from_wire(cls, data: Any) -> Channel:
        data = as_dict(data)
        ids = tuple(i for i in (as_int(v) for v in as_list(data.get("warehouseIds"))) if i > 0)
        return cls.read(data, warehouse_ids=ids)
