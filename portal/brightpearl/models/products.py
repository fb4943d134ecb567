"""Price lists (product-service, API.md §10.3) as read-only typed views."""

from __future__ import annotations

from typing import Any

from .wire import as_dict, as_str, model, wire


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
