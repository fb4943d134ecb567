"""warehouse-service: goods-out notes, shipping methods, warehouses, availability (API.md §9)."""

from __future__ import annotations

from typing import Any

from portal.sandbox import idset
from portal.sandbox import reference as ref
from portal.sandbox.routing import Request, Response, Router, ok, path_ids, select
from portal.sandbox.search import run_search
from portal.sandbox.search_columns import GOODS_OUT_SEARCH

GOODS_OUT_LIMIT = 500  # documented for goods-out note ID sets (§4.2)

routes = Router()


@routes.route("GET", "/warehouse-service/order/{orders}/goods-note/goods-out[/{notes}]", "get-goods-out-note")
def get_goods_out(req: Request, orders: str, notes: str | None = None) -> Response:
    """order/{ORDER-ID-SET|*}/goods-note/goods-out/[{GON-ID-SET}] -> map keyed by note id.

    API note: orders without notes give 200 with an empty map (a 404 CMNC-404 is also
    plausible; clients should treat both as "no notes").
    """
    data = req.data
    order_ids = path_ids(orders, GOODS_OUT_LIMIT, allow_wildcard=True)
    note_ids = set(path_ids(notes, GOODS_OUT_LIMIT) or []) if notes is not None else None
    if order_ids is None:
        candidates = list(data.goods_out) if note_ids is None else [i for i in note_ids if i in data.goods_out]
    else:
        candidates = [nid for oid in order_ids for nid in data.goods_out_for(oid)]
    if note_ids is not None:
        candidates = [nid for nid in candidates if nid in note_ids]
    return ok({str(nid): data.goods_out[nid] for nid in idset.scramble(candidates)})


@routes.search("/warehouse-service/goods-note/goods-out-search", GOODS_OUT_SEARCH)
def goods_out_search(req: Request) -> Response:
    records = []
    for note_id, note in req.data.goods_out.items():
        status = note["status"]
        records.append({
            "goodsOutNoteId": note_id,
            "printed": status["printed"],
            "picked": status["picked"],
            "packed": status["packed"],
            "shipped": status["shipped"],
            "shippedOn": status.get("shippedOn"),
            "orderId": note["orderId"],
            "shippingMethodId": note["shipping"]["shippingMethodId"],
            "warehouseId": note["warehouseId"],
            "priority": note["priority"],
            "createdOn": note["createdOn"],
            "releaseDate": note["releaseDate"],
            "createdBy": note["createdBy"],
        })
    return run_search(GOODS_OUT_SEARCH, records, req.query, zone=req.data.zone)


@routes.route("GET", "/warehouse-service/shipping-method[/{ids}]", "get-shipping-method")
def get_shipping_methods(req: Request, ids: str | None = None) -> Response:
    return ok(select([m.wire() for m in ref.SHIPPING_METHODS], "id", ids))


@routes.route("GET", "/warehouse-service/warehouse[/{ids}]", "get-warehouse")
def get_warehouses(req: Request, ids: str | None = None) -> Response:
    return ok(select(list(ref.WAREHOUSES), "id", ids))


@routes.route("GET", "/warehouse-service/product-availability/{ids}", "get-product-availability")
def get_availability(req: Request, ids: str) -> Response:
    """product-availability/{PRODUCT-ID-SET} -> map keyed by product id (total + per warehouse)."""
    data = req.data
    wanted = path_ids(ids) or []
    body: dict[str, Any] = {}
    for product_id in idset.scramble(wanted):
        warehouses = data.availability.get(product_id)
        if warehouses is None:
            continue
        total = {key: sum(w[key] for w in warehouses.values()) for key in ("inStock", "onHand", "allocated", "inTransit")}
        body[str(product_id)] = {"total": total, "warehouses": {str(k): dict(v) for k, v in warehouses.items()}}
    return ok(body)
