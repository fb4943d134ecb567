"""product-service: products, product search, prices, price lists, channels (API.md §10)."""

from __future__ import annotations

import copy
from typing import Any

from portal.sandbox import idset
from portal.sandbox import reference as ref
from portal.sandbox.errors import not_found
from portal.sandbox.routing import Request, Response, Router, existing, ok, options_uris, path_ids, select
from portal.sandbox.search import run_search
from portal.sandbox.search_columns import PRODUCT_SEARCH

routes = Router()


@routes.route("GET", "/product-service/product/{ids}", "get-product")
def get_products(req: Request, ids: str) -> Response:
    """product/{ID-SET}: existing products in no particular order.

    API note: the answer when none exist is UNCONFIRMED; like Order GET, 200 [].
    """
    return ok(existing(req.data.products, ids))


@routes.route("OPTIONS", "/product-service/product/{ids}", "options-product")
def options_products(req: Request, ids: str) -> Response:
    return options_uris("product", req.data.products, ids)


@routes.search("/product-service/product-search", PRODUCT_SEARCH)
def product_search(req: Request) -> Response:
    data = req.data
    records = []
    for product_id, product in data.products.items():
        identity = product["identity"]
        channel = product["salesChannels"][0]
        records.append({
            "productId": product_id,
            "productName": channel["productName"],
            "SKU": identity["sku"],
            "barcode": identity.get("barcode"),
            "EAN": identity.get("ean"),
            "UPC": identity.get("upc"),
            "ISBN": identity.get("isbn"),
            "MPN": identity.get("mpn"),
            "stockTracked": product["stock"]["stockTracked"],
            "salesChannelName": channel["salesChannelName"],
            "createdOn": product["createdOn"],
            "updatedOn": product["updatedOn"],
            "brightpearlCategoryCode": int(channel["categories"][0]["categoryCode"]),
            "productGroupId": product["productGroupId"],
            "brandId": product["brandId"],
            "productTypeId": product["productTypeId"],
            "productStatus": product["status"],
            "primarySupplierId": data.product_suppliers.get(product_id),
        })

    def categories(product_id: int) -> list[int] | None:
        product = data.products.get(product_id)
        if product is None:
            return None
        return [int(c["categoryCode"]) for c in product["salesChannels"][0]["categories"]]

    return run_search(PRODUCT_SEARCH, records, req.query, {"productCategoryMembership": categories}, zone=req.data.zone)


@routes.route("GET", "/product-service/product-price/{ids}[/price-list/{lists}]", "get-product-price")
def get_product_prices(req: Request, ids: str, lists: str | None = None) -> Response:
    """product-price/{PRODUCT-ID-SET|*}[/price-list/{ID-SET}]; nothing found -> 404."""
    data = req.data
    wanted = path_ids(ids, allow_wildcard=True)
    products = list(data.products) if wanted is None else [i for i in wanted if i in data.products]
    list_ids = set(path_ids(lists) or []) if lists is not None else None
    body: list[dict[str, Any]] = []
    for product_id in idset.scramble(products):
        prices = []
        for price_list_id, breaks in sorted(data.product_prices.get(product_id, {}).items()):
            if list_ids is not None and price_list_id not in list_ids:
                continue
            price_list = ref.PRICE_LIST_BY_ID[price_list_id]
            prices.append({
                "priceListId": price_list_id,
                "currencyCode": price_list["currencyCode"],
                "currencyId": price_list["currencyId"],
                "sku": data.products[product_id]["identity"]["sku"],
                "quantityPrice": dict(breaks),
            })
        if prices:
            body.append({"productId": product_id, "priceLists": prices})
    if not body:
        raise not_found("No Product Prices Found")
    return ok(body)


@routes.route("GET", "/product-service/price-list[/{ids}]", "get-price-list")
def get_price_lists(req: Request, ids: str | None = None) -> Response:
    found = select(copy.deepcopy(ref.PRICE_LISTS), "id", ids)
    if not found:
        raise not_found("No Price Lists Found")
    return ok(found)


@routes.route("GET", "/product-service/channel[/{ids}]", "get-channel")
def get_channels(req: Request, ids: str | None = None) -> Response:
    """channel/[{ID-SET}]: sorted by id (documented)."""
    return ok(select(copy.deepcopy(ref.CHANNELS), "id", ids, keep_order=True))
