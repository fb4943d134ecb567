"""A new sales order placed from a quote, exactly once, and the quote marked converted (write
kind `sales_order`; target: the quote's order id; payload: see `sales_order_payload`).

Two steps, each recorded as soon as it is done:

1. `POST order-service/sales-order` (API addendum C.1): header and rows in one call, with the
   chosen delivery address and `externalRef` = the checkout's portal reference -> the order id
   (`save({"order_id"})`). Before it, the quote is re-read and refused, outcome
   "quote_changed", when its status, lines or total differ from what the customer confirmed.
2. When the payload has an `order_note` (the payment method, delivery instructions), a public
   note on the new order with the marker (`POST order/{id}/note`, `save({"noted": True})`):
   a sales-order POST has no field for either.
3. `PUT order-service/order/{quote}/status` to the "converted" status with the public note
   "Converted to order N" and the marker (`save({"converted": True})`).

A retry without a saved order id first searches `order-search?externalRef=` (addendum C.3) and
compares client-side: STRING filter exactness is UNCONFIRMED, and so is whether Brightpearl
refuses a second order with the same externalRef, so it is never relied on. A hit is adopted
and the POST is not sent again. A retry of step 2 or 3 looks for its note (the marker) first.

API note (UNCONFIRMED, addendum C.3.4): that `externalRef` is kept and searchable without an
`installedIntegrationInstanceId` (a staff private app has none). The sandbox keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..client import BrightpearlClient
from ..errors import UnknownOutcome
from ..models import Order, OrderSearchRow, as_int
from ..models.quotes import QuoteFingerprint, canonical
from .attempt import WriteAttempt
from .quote_acceptance import check_unchanged, find_note, marker, read_quote, with_marker

KIND = "sales_order"

# The wire fields of a delivery address on a sales-order POST (addendum C.1).
DELIVERY_ADDRESS_FIELDS = (
    "addressFullName", "companyName", "addressLine1", "addressLine2", "addressLine3", "addressLine4",
    "postalCode", "countryIsoCode", "telephone", "mobileTelephone", "email",
)


def order_rows(quote: Order) -> list[dict[str, Any]]:
    """The quote's lines as sales-order rows: productId (or name for a free-text line),
    quantity as a string, taxCode, and the line's net and tax as the quote has them."""
    rows = []
    for row in quote.rows:
        wire: dict[str, Any] = {"productId": row.product_id} if row.product_id else {"name": row.name}
        wire.update(quantity=canonical(row.quantity), taxCode=row.tax_code, net=canonical(row.net), tax=canonical(row.tax))
        rows.append(wire)
    return rows


def sales_order_payload(
    *,
    quote: Order,
    ref: str,
    customer_id: int,
    status_id: int | None,
    converted_status_id: int,
    author: str,
    delivery_address: Mapping[str, str] | None = None,
    shipping_method_id: int | None = None,
    po_reference: str = "",
    channel_id: int | None = None,
    warehouse_id: int | None = None,
    price_list_id: int | None = None,
    lead_source_id: int | None = None,
    project_id: int | None = None,
    fingerprint: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The outbox payload of an order placed from `quote` (as the checkout showed it).

    `order` is the sales-order POST body; unset (None) fields are left out so Brightpearl
    chooses. The quote's price list, price mode and currency carry over (the contact's price
    list `price_list_id` only when the quote names none)."""
    body: dict[str, Any] = {
        "customer": {"id": int(customer_id)},
        "externalRef": ref,
        "ref": po_reference.strip(),
        "statusId": status_id,
        "channelId": channel_id,
        "warehouseId": warehouse_id,
        "priceListId": quote.price_list_id or price_list_id,
        "priceModeCode": quote.price_mode or None,
        "currency": {"code": quote.currency_code} if quote.currency_code else None,
        "leadSourceId": lead_source_id,
        "projectId": project_id,
        "rows": order_rows(quote),
    }
    delivery: dict[str, Any] = {}
    if shipping_method_id:
        delivery["shippingMethodId"] = int(shipping_method_id)
    if delivery_address:
        delivery["address"] = {key: str(delivery_address.get(key) or "") for key in DELIVERY_ADDRESS_FIELDS}
    if delivery:
        body["delivery"] = delivery
    return {
        "quote_id": quote.id,
        "fingerprint": dict(fingerprint) if fingerprint is not None else QuoteFingerprint.of(quote).as_json(),
        "ref": ref,
        "order": {key: value for key, value in body.items() if value is not None and value != ""},
        "converted_status_id": int(converted_status_id),
        "author": author,
    }


def converted_note(order_id: int) -> str:
    return f"Converted to order {order_id} (placed online through the portal)."


async def deliver(client: BrightpearlClient, attempt: WriteAttempt, save: Callable[[dict], None]) -> dict:
    """Place the order (once) and move the quote to the converted status (once); return
    {"order_id", "quote_id", "converted"}."""
    payload = attempt.payload
    quote_id = int(payload["quote_id"])
    ref = str(payload["ref"])
    result: dict[str, Any] = {"quote_id": quote_id}
    order_id = as_int(attempt.result.get("order_id"))
    if not order_id and attempt.retry:
        order_id = await find_order(client, ref)
        if order_id:
            result["adopted"] = True
            save({"order_id": order_id, "adopted": True})
    if not order_id:
        quote = await read_quote(client, quote_id, attempt.contact_id, save)
        check_unchanged(quote, payload.get("fingerprint"), save)
        body = dict(payload["order"])
        body["externalRef"] = ref
        created = await client.post("order-service/sales-order", body)
        order_id = as_int(created)
        if not order_id:
            # Committed or not, we cannot tell: the next attempt searches before posting again.
            raise UnknownOutcome(f"sales-order POST answered {created!r} instead of an id")
        save({"order_id": order_id})
    result["order_id"] = order_id
    if payload.get("order_note") and not attempt.result.get("noted"):
        await add_order_note(client, order_id, str(payload["order_note"]), ref, retry=attempt.retry,
                             added_on=attempt.created_at)
        save({"noted": True})
    if attempt.result.get("converted"):
        return {**result, "converted": True}
    text = with_marker(converted_note(order_id), ref)
    if attempt.retry:
        note = await find_note(client, quote_id, marker(ref))
        if note is not None:
            save({"converted": True, "note_id": note.id})
            return {**result, "converted": True, "note_id": note.id}
    await client.put(
        f"order-service/order/{quote_id}/status",
        {"orderStatusId": int(payload["converted_status_id"]), "orderNote": {"text": text, "isPublic": True}},
    )
    save({"converted": True})
    return {**result, "converted": True}


async def add_order_note(
    client: BrightpearlClient, order_id: int, text: str, ref: str, *, retry: bool, added_on: datetime
) -> None:
    """The public note on the new order (once: a retry adopts a note carrying the marker)."""
    if retry and await find_note(client, order_id, marker(ref)) is not None:
        return
    await client.post(
        f"order-service/order/{order_id}/note",
        {"text": with_marker(text, ref), "isPublic": True, "addedOn": added_on.isoformat(timespec="seconds")},
    )


async def find_order(client: BrightpearlClient, ref: str) -> int:
    """The lowest id of a sales order whose externalRef is exactly `ref`, or 0."""
    found = await client.search("order-service/order-search", {"externalRef": ref})
    ids = sorted(
        row.order_id
        for row in (OrderSearchRow.from_wire(r) for r in found.rows)
        if row.order_id and row.external_ref == ref
    )
    return ids[0] if ids else 0
