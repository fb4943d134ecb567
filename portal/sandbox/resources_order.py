"""order-service: orders, statuses, notes, searches, sales-order POST (API.md §7, §12)."""

from __future__ import annotations

import copy
from datetime import date, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.sandbox import idset
from portal.sandbox import reference as ref
from portal.sandbox.errors import ApiError, bad_patch, invalid
from portal.sandbox.formats import parse_wire_datetime, wire_date, wire_datetime, wire_day
from portal.sandbox.orders import Line, OrderDraft, add_row, party, store_order, tax_rate
from portal.sandbox.routing import Request, Response, Router, empty_ok, existing, ok, options_uris, path_int, select
from portal.sandbox.search import run_search
from portal.sandbox.search_columns import NOTE_SEARCH, ORDER_SEARCH
from portal.sandbox.store import CUSTOM_FIELD_CODES, DataStore, OrderMeta, order_contact_id

ORDER_REFERENCES = {
    "orderTypeNames": ref.ORDER_TYPE_NAMES.get,
    "orderStatusNames": lambda sid: ref.STATUS_BY_ID[sid].name if sid in ref.STATUS_BY_ID else None,
    "orderStockStatusNames": ref.STOCK_STATUS_NAMES.get,
    "orderPaymentStatusNames": ref.PAYMENT_STATUS_NAMES.get,
    "orderShippingStatusNames": ref.SHIPPING_STATUS_NAMES.get,
}

routes = Router()


# ------------------------------------------------------------------------------- helpers
def _order(data: DataStore, text: str) -> dict[str, Any]:
    """The order named in the path, or the recorded ORDC-003 error."""
    order = data.orders.get(int(text)) if text.isdigit() else None
    if order is None:
        raise ApiError(400, "ORDC-003", f"You have supplied an invalid order id: {text}")
    return order


def _order_record(data: DataStore, order: dict[str, Any]) -> dict[str, Any]:
    meta = data.order_meta.get(order["id"]) or OrderMeta()
    invoice = order["invoices"][0] if order.get("invoices") else {}
    return {
        "orderId": order["id"],
        "orderTypeId": ref.ORDER_TYPE_ID[order["orderTypeCode"]],
        "contactId": order_contact_id(order),
        "orderStatusId": order["orderStatus"]["orderStatusId"],
        "orderStockStatusId": ref.STOCK_STATUSES.get(order["stockStatusCode"], (13, ""))[0],
        "createdOn": order["createdOn"],
        "createdById": order["createdById"],
        # API note: an empty reference is returned as null in search rows (rows may hold nulls).
        "customerRef": order.get("reference") or None,
        "orderPaymentStatusId": ref.PAYMENT_STATUS_ID.get(order["orderPaymentStatus"]),
        "updatedOn": order["updatedOn"],
        "parentOrderId": order["parentOrderId"],
        "orderShippingStatusId": ref.SHIPPING_STATUS_ID.get(order["shippingStatusCode"]),
        "externalRef": meta.external_ref,
        "installedIntegrationInstanceId": meta.installed_integration_instance_id,
        "warehouseId": order["warehouseId"],
        "staffOwnerContactId": order["assignment"]["current"]["staffOwnerContactId"],
        # API note: taxDate is set on invoicing and on orders given one before (API-ADDENDUM I.3).
        "taxDate": invoice.get("taxDate") if invoice.get("invoiceReference") or meta.tax_date_set else None,
        "departmentId": meta.department_id,
        "deliveryDate": order["delivery"].get("deliveryDate"),
    }


def _with_optional(data: DataStore, order: dict[str, Any], optional: set[str]) -> dict[str, Any]:
    if not optional & {"customFields", "nullCustomFields"}:
        return order
    fields = data.order_meta[order["id"]].custom_fields
    body = dict(order)
    if "customFields" in optional and fields:
        body["customFields"] = dict(fields)
    missing = [code for code in CUSTOM_FIELD_CODES if code not in fields]
    # Omitted when empty, as in examples/order-get.json (requested but absent).
    if "nullCustomFields" in optional and missing:
        body["nullCustomFields"] = missing
    return body


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(f"{field} must be a number") from None
    if not number.is_finite():
        raise invalid(f"{field} must be a number")
    return number


def _day(value: Any, field: str, zone: tzinfo) -> date:
    """The calendar day of a date-only value a client sent (`yyyy-MM-dd`, or a date-time read
    like Brightpearl's own: local or UTC midnight)."""
    try:
        return wire_day(str(value), zone)
    except ValueError:
        raise invalid(f"{field} must be a date (yyyy-MM-dd or ISO 8601)") from None


# ------------------------------------------------------------------------------- handlers
@routes.route("GET", "/order-service/order/{ids}", "get-order")
def get_orders(req: Request, ids: str) -> Response:
    """GET order/{ID-SET}: existing orders in no particular order; missing ids are skipped."""
    optional = req.include_optional()
    return ok([_with_optional(req.data, order, optional) for order in existing(req.data.orders, ids)])


@routes.route("OPTIONS", "/order-service/order/{ids}", "options-order")
def options_orders(req: Request, ids: str) -> Response:
    """OPTIONS order/{ID-SET}: GET URIs covering only existing ids, ≤200 per URI (§4.4)."""
    return options_uris("order", req.data.orders, ids)


@routes.route("PATCH", "/order-service/order/{order_id}", "patch-order")
def patch_order(req: Request, order_id: str) -> Response:
    """PATCH order/{id} with JSON Patch; answers the updated order wrapped in a list."""
    data = req.data
    order = _order(data, order_id)
    operations = req.json_list()
    invoiced = bool(order["invoices"] and order["invoices"][0].get("invoiceReference"))
    changes: list[tuple[str, Any]] = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise bad_patch(None, None)
        op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
        if path == "/reference" and op in ("replace", "remove"):
            text = "" if op == "remove" else str(value if value is not None else "")
            if len(text) > 64:
                raise invalid("reference must be at most 64 characters")
            changes.append((path, text))
        elif path == "/warehouseId" and op == "replace":
            if not any(w["id"] == value for w in ref.WAREHOUSES):
                raise invalid(f"Invalid warehouse id: {value}")
            if order["allocationStatusCode"] in ("AAA", "APA"):
                raise invalid("The warehouse cannot be changed once stock is allocated")
            changes.append((path, value))
        elif path == "/delivery/shippingMethodId" and op in ("replace", "remove"):
            method = 0 if op == "remove" else value
            if method != 0 and method not in ref.SHIPPING_METHOD_BY_ID:
                raise invalid(f"Invalid shipping method id: {value}")
            changes.append((path, method))
        elif path == "/delivery/deliveryDate" and op == "replace":
            text = str(value)
            try:
                moment = parse_wire_datetime(text, data.zone)
            except ValueError:
                raise invalid("deliveryDate must be yyyy-MM-dd or an ISO 8601 date-time") from None
            # A day is kept at its UTC midnight and sent back in the account's offset (addendum E.4).
            day_only = len(text.strip()) == 10
            changes.append((path, wire_date(moment.date(), data.zone) if day_only else wire_datetime(moment, data.zone)))
        elif path in ("/parties/customer/contactId", "/parties/billing/contactId") and op == "replace":
            if order["orderTypeCode"] not in ("SO", "SC"):
                raise bad_patch(op, path)
            if invoiced:
                raise invalid("The customer cannot be changed on an invoiced order")
            if not isinstance(value, int) or value not in data.contacts:
                raise invalid(f"Invalid contact id: {value}")
            changes.append((path, value))
        else:
            raise bad_patch(op, path)
    for path, value in changes:
        if path == "/reference":
            order["reference"] = value
        elif path == "/warehouseId":
            order["warehouseId"] = value
        elif path == "/delivery/shippingMethodId":
            order["delivery"]["shippingMethodId"] = value
        elif path == "/delivery/deliveryDate":
            order["delivery"] = {"deliveryDate": value, "shippingMethodId": order["delivery"]["shippingMethodId"]}
        else:
            key = path.split("/")[2]
            contact = data.contacts[value]
            address = data.addresses[contact["postAddressIds"]["DEF" if key == "customer" else "BIL"]]
            order["parties"][key] = party(data, value, address, with_contact_id=True)
    data.touch_order(order["id"], req.now)
    return ok([order])


@routes.route("GET", "/order-service/order-status[/{ids}]", "get-order-status")
def get_statuses(req: Request, ids: str | None = None) -> Response:
    """order-status[/{ID-SET}]: grouped by order type, sorted by sortOrder (as recorded)."""
    return ok(select([s.wire() for s in ref.ORDER_STATUSES], "statusId", ids, keep_order=True))


@routes.route("GET", "/order-service/order-shipping-status", "get-order-shipping-status")
def get_shipping_statuses(req: Request) -> Response:
    return ok(copy.deepcopy(ref.SHIPPING_STATUSES))


@routes.route("GET", "/order-service/order-type", "get-order-type")
def get_order_types(req: Request) -> Response:
    return ok(copy.deepcopy(ref.ORDER_TYPES))


@routes.route("PUT", "/order-service/order/{order_id}/status", "put-order-status")
def put_status(req: Request, order_id: str) -> Response:
    """PUT order/{id}/status: change status and always add a note (§7.4)."""
    data = req.data
    order = _order(data, order_id)
    body = req.json_object()
    status_id = body.get("orderStatusId")
    status = ref.STATUS_BY_ID.get(status_id) if isinstance(status_id, int) else None
    if status is None or status.disabled:
        raise invalid(f"Order status {status_id} does not exist")
    if status.type_code != order["orderTypeCode"]:
        raise invalid(f"Order status {status_id} is not available to {order['orderTypeCode']} orders")
    note = body.get("orderNote")
    if note is not None and (not isinstance(note, dict) or not str(note.get("text") or "").strip()):
        raise invalid("orderNote.text is required")
    if status.id == ref.STATUS_CANCELLED:
        if data.goods_out_for(order["id"]):
            raise invalid("An order with goods-out notes cannot be cancelled")
        if order["orderStatus"]["orderStatusId"] == ref.STATUS_INVOICED:
            raise invalid("An invoiced order cannot be cancelled")
        if data.amount_paid(order["id"]) != 0:
            raise invalid("An order with payments cannot be cancelled")
        order["orderPaymentStatus"] = "NOT_APPLICABLE"
        order["allocationStatusCode"] = "ANA"
    elif order["orderPaymentStatus"] == "NOT_APPLICABLE" and status.id != ref.STATUS_QUOTE:
        order["orderPaymentStatus"] = "UNPAID"  # a quote that becomes an order has to be paid
    data.set_order_status(order["id"], status.id, req.now)
    if note is None:
        data.add_note(order["id"], f"Order status changed to {status.name}", False,
                      req.api_user_id, req.api_user_id, req.now)
    else:
        data.add_note(order["id"], str(note["text"]), bool(note.get("isPublic", False)),
                      order_contact_id(order), req.api_user_id, req.now, note.get("fileId"))
    return empty_ok()


@routes.route("PUT", "/order-service/order/{order_id}/acknowledgement", "put-order-acknowledgement")
def put_acknowledgement(req: Request, order_id: str) -> Response:
    """PUT order/{id}/acknowledgement: purchase orders only (§12)."""
    data = req.data
    order = _order(data, order_id)
    body = req.json_object()
    if order["orderTypeCode"] != "PO":
        raise invalid("Only purchase orders can be acknowledged")
    acknowledged = body.get("acknowledged", True)
    if not isinstance(acknowledged, bool):
        raise invalid("acknowledged must be true or false")
    reference = body.get("reference")
    if reference is not None and (not isinstance(reference, str) or len(reference) > 64):
        raise invalid("reference must be a string of at most 64 characters")
    order["acknowledged"] = 1 if acknowledged else 0
    if reference is not None:
        # API note: where Brightpearl keeps the supplier's reference is UNCONFIRMED; the
        # sandbox keeps it out of the order body (data.order_meta[id].acknowledgement_reference).
        data.order_meta[order["id"]].acknowledgement_reference = reference
    data.touch_order(order["id"], req.now)
    return empty_ok()


@routes.route("GET", "/order-service/order/{order_id}/note[/{ids}]", "get-order-note")
def get_notes(req: Request, order_id: str, ids: str | None = None) -> Response:
    """order/{id}/note[/{NOTE-ID-SET}]: the order's notes in no particular order.

    API note: notes of an unknown order are answered 200 [] (UNCONFIRMED; tolerant choice).
    """
    order_key = path_int(order_id)
    notes = select(req.data.notes_for(order_key), "noteId", ids, keep_order=True)
    order_of = {n["noteId"]: n for n in notes}
    return ok([order_of[i] for i in idset.scramble(order_of)])


@routes.route("POST", "/order-service/order/{order_id}/note", "post-order-note")
def post_note(req: Request, order_id: str) -> Response:
    """POST order/{id}/note: `{text, isPublic?, fileId?, addedOn?}` -> new note id.

    API note: contactId of an API-posted note is the order's customer/supplier and addedBy is
    the staff member behind the token, as in examples/order-note-get.json (UNCONFIRMED).
    """
    data = req.data
    order = _order(data, order_id)
    body = req.json_object()
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise invalid("text is required")
    is_public = body.get("isPublic", False)
    if not isinstance(is_public, bool):
        raise invalid("isPublic must be true or false")
    added_on = req.now
    if body.get("addedOn"):
        try:
            added_on = parse_wire_datetime(str(body["addedOn"]), data.zone)
        except ValueError:
            raise invalid("addedOn must be an ISO 8601 date-time") from None
    file_id = body.get("fileId")
    note_id = data.add_note(order["id"], text, is_public, order_contact_id(order), req.api_user_id,
                            added_on, file_id if isinstance(file_id, int) else None)
    return ok(note_id)


@routes.search("/order-service/order-search", ORDER_SEARCH)
def order_search(req: Request) -> Response:
    records = [_order_record(req.data, o) for o in req.data.orders.values()]
    return run_search(ORDER_SEARCH, records, req.query, ORDER_REFERENCES, zone=req.data.zone)


@routes.search("/order-service/order-note-search", NOTE_SEARCH)
def note_search(req: Request) -> Response:
    data = req.data
    records = [
        {
            "orderId": data.note_order[note_id],
            "noteId": note_id,
            "contactId": note["contactId"],
            "noteText": note["text"],
            "isPublic": note["isPublic"],
            "dateAdded": note["addedOn"],
            "addedBy": note["addedBy"],
            "orderStatusId": note["orderStatusId"],
        }
        for note_id, note in data.notes.items()
    ]
    return run_search(NOTE_SEARCH, records, req.query, zone=req.data.zone)


@routes.route("POST", "/order-service/sales-order", "post-sales-order")
def post_sales_order(req: Request) -> Response:
    """POST sales-order: header and rows in one call -> new order id (§7.3).

    API note: field names of rows/delivery/currency follow the SNOW model (UNCONFIRMED).  The
    sandbox rejects a second order with the same externalRef + installedIntegrationInstanceId
    (documented as a unique key); the error code is invented (CMNC-400).
    """
    data = req.data
    body = req.json_object()
    customer = body.get("customer") if isinstance(body.get("customer"), dict) else {}
    contact_id = customer.get("id", body.get("customerId"))
    contact = data.contacts.get(contact_id) if isinstance(contact_id, int) else None
    if contact is None:
        raise invalid("customer.id must be the id of an existing contact")
    if contact["relationshipToAccount"]["isSupplier"] or contact["relationshipToAccount"]["isStaff"]:
        raise invalid(f"Contact {contact_id} is not a customer")
    financial = contact["financialDetails"]
    billing_id = (body.get("billing") or {}).get("contactId", contact_id)
    if billing_id not in data.contacts:
        raise invalid("billing.contactId must be the id of an existing contact")
    status_id = body.get("statusId", ref.STATUS_NEW_WEB)
    status = ref.STATUS_BY_ID.get(status_id)
    if status is None or status.type_code != "SO":
        raise invalid(f"Invalid sales order status: {status_id}")
    currency = (body.get("currency") or {}).get("code") or ref.CURRENCY_BY_ID.get(financial["currencyId"], "GBP")
    if currency not in ref.CURRENCIES:
        raise invalid(f"Unknown currency {currency}")
    price_list_id = body.get("priceListId", financial["priceListId"])
    if price_list_id not in ref.PRICE_LIST_BY_ID:
        raise invalid(f"Invalid price list id: {price_list_id}")
    price_mode = body.get("priceModeCode", "EXC")
    if price_mode not in ("EXC", "INC"):
        raise invalid("priceModeCode must be INC or EXC")
    warehouse_id = body.get("warehouseId", ref.DEFAULT_WAREHOUSE)
    if not any(w["id"] == warehouse_id for w in ref.WAREHOUSES):
        raise invalid(f"Invalid warehouse id: {warehouse_id}")
    delivery = body.get("delivery") if isinstance(body.get("delivery"), dict) else {}
    method = delivery.get("shippingMethodId", 0)
    if method and method not in ref.SHIPPING_METHOD_BY_ID:
        raise invalid(f"Invalid shipping method id: {method}")
    reference = str(body.get("ref") or "")
    if len(reference) > 64:
        raise invalid("ref must be at most 64 characters")
    external_ref = body.get("externalRef")
    instance_id = body.get("installedIntegrationInstanceId", 0)
    if external_ref is not None:
        existing = data.order_by_external_ref(str(external_ref), int(instance_id or 0))
        if existing is not None:
            raise invalid(f"An order with externalRef {external_ref} already exists: {existing['id']}")
    parent_id = body.get("parentId", 0)
    if parent_id and parent_id not in data.orders:
        raise invalid(f"Invalid parent order id: {parent_id}")
    default_tax = "Z" if currency != "GBP" else "T20"
    lines = [_sales_line(data, row, n, price_list_id, default_tax, price_mode) for n, row in enumerate(body.get("rows") or [])]

    placed = parse_wire_datetime(str(body["placedOn"]), data.zone) if body.get("placedOn") else req.now
    tax_day = _day(body["taxDate"], "taxDate", data.zone) if body.get("taxDate") else None
    delivery_day = _day(delivery["date"], "delivery.date", data.zone) if delivery.get("date") else None
    head = data.addresses[contact["postAddressIds"]["DEF"]]
    customer_address = customer.get("address") if isinstance(customer.get("address"), dict) else head
    delivery_address = delivery.get("address") if isinstance(delivery.get("address"), dict) else data.addresses[contact["postAddressIds"]["DEL"]]
    billing_contact = data.contacts[billing_id]
    billing_address = (body.get("billing") or {}).get("address") or data.addresses[billing_contact["postAddressIds"]["BIL"]]
    for name, address in (("customer.address", customer_address), ("delivery.address", delivery_address), ("billing.address", billing_address)):
        if not isinstance(address, dict) or not address.get("addressLine1"):
            raise invalid(f"{name}.addressLine1 is required")

    meta = OrderMeta(external_ref=str(external_ref) if external_ref is not None else None,
                     installed_integration_instance_id=int(instance_id or 0))
    draft = OrderDraft(
        type_code="SO",
        contact_party=party(data, contact_id, customer_address, with_contact_id=True,
                            full_name=customer_address.get("addressFullName"), company=customer_address.get("companyName")),
        delivery_party=party(data, contact_id, delivery_address, with_contact_id=False,
                             full_name=delivery_address.get("addressFullName"), company=delivery_address.get("companyName"),
                             email=delivery_address.get("email"), telephone=delivery_address.get("telephone")),
        billing_party=party(data, billing_id, billing_address, with_contact_id=True),
        lines=lines, status_id=status_id, placed_on=placed, created_on=req.now, updated_on=req.now,
        currency=currency, reference=reference, price_list_id=price_list_id, price_mode=price_mode,
        shipping_method_id=method, delivery_date=delivery_day, warehouse_id=warehouse_id,
        channel_id=int(body.get("channelId", 0) or 0),
        staff_owner_id=int(body.get("staffOwnerId") or contact["assignment"]["current"].get("staffOwnerContactId", 0)),
        lead_source_id=int(body.get("leadSourceId", 0) or 0), created_by=req.api_user_id,
        parent_order_id=parent_id, payment_status="NOT_APPLICABLE" if status_id == ref.STATUS_QUOTE else "UNPAID",
        meta=meta,
    )
    order_id = store_order(data, draft)
    if tax_day is not None:
        data.order_meta[order_id].tax_date_set = True
        terms = timedelta(days=int(financial.get("creditTermDays", 30)))
        data.orders[order_id]["invoices"][0]["taxDate"] = wire_date(tax_day, data.zone)
        data.orders[order_id]["invoices"][0]["dueDate"] = wire_date(tax_day + terms, data.zone)
    return ok(order_id)


def _sales_line(data: DataStore, row: Any, index: int, price_list_id: int, default_tax: str, price_mode: str) -> Line:
    if not isinstance(row, dict):
        raise invalid(f"rows[{index}] must be an object")
    quantity = _decimal(row.get("quantity", 1), f"rows[{index}].quantity")
    if quantity <= 0:
        raise invalid(f"rows[{index}].quantity must be positive")
    tax_code = str(row.get("taxCode") or default_tax)
    if tax_code not in ref.TAX_CODE_BY_CODE:
        raise invalid(f"rows[{index}].taxCode {tax_code} does not exist")
    product_id = row.get("productId")
    if product_id:
        product = data.products.get(product_id) if isinstance(product_id, int) else None
        if product is None:
            raise invalid(f"rows[{index}].productId {product_id} does not exist")
        name = str(row.get("name") or product["salesChannels"][0]["productName"])
        sku = product["identity"]["sku"]
        cost = Decimal(data.product_prices[product_id][ref.PRICE_LIST_COST]["1"])
        breaks = data.product_prices[product_id].get(price_list_id, {})
        best = max((int(q) for q in breaks if int(q) <= quantity), default=None)
        list_price = Decimal(breaks[str(best)]) if best is not None else Decimal(0)
    else:
        name = str(row.get("name") or "").strip()
        if not name:
            raise ApiError(400, "ORDC-026", "A free text row must have a product name")
        product_id, sku, cost, list_price = 0, "", Decimal(0), Decimal(0)
    net = _decimal(row["net"], f"rows[{index}].net") if row.get("net") is not None else None
    tax = _decimal(row["tax"], f"rows[{index}].tax") if row.get("tax") is not None else None
    if net is None:
        net = quantity * list_price
        if price_mode == "INC":
            net = net * 100 / (100 + tax_rate(tax_code))
    price = net / quantity
    return Line(product_id, name, sku, quantity, price, cost, tax_code,
                str(row.get("nominalCode") or "4000"), net=net, tax=tax)


def _first_status(type_code: str) -> int:
    return min((s for s in ref.ORDER_STATUSES if s.type_code == type_code), key=lambda s: s.sort_order).id


@routes.route("POST", "/order-service/order", "post-order")
def post_order(req: Request) -> Response:
    """Legacy POST order/: an order header of any type, rows added afterwards (§7.3).

    API note: without `orderStatus.orderStatusId` the first status of the type is used; the
    nesting of currency, delivery-address override and assignment is UNCONFIRMED (GET shape).
    """
    data = req.data
    body = req.json_object()
    type_code = body.get("orderTypeCode")
    if not type_code:
        raise ApiError(400, "ORDC-005", "You have not supplied an order type code")
    if type_code not in ref.ORDER_TYPE_ID:
        raise ApiError(400, "ORDC-006", "You have supplied an invalid order type code")
    parties = body.get("parties") if isinstance(body.get("parties"), dict) else {}
    party_key = "customer" if type_code in ("SO", "SC") else "supplier"
    contact_id = (parties.get(party_key) or {}).get("contactId")
    if contact_id not in data.contacts:
        if party_key == "supplier":
            raise ApiError(400, "ORDC-022", "Suppllier ID Required.")
        raise invalid("parties.customer.contactId must be the id of an existing contact")
    contact = data.contacts[contact_id]
    status_id = (body.get("orderStatus") or {}).get("orderStatusId", _first_status(type_code))
    status = ref.STATUS_BY_ID.get(status_id)
    if status is None or status.type_code != type_code:
        raise invalid(f"Invalid order status {status_id} for {type_code}")
    currency = (body.get("currency") or {}).get("orderCurrencyCode") or ref.CURRENCY_BY_ID.get(
        contact["financialDetails"]["currencyId"], "GBP")
    if currency not in ref.CURRENCIES:
        raise invalid(f"Unknown currency {currency}")
    reference = str(body.get("reference") or "")
    if len(reference) > 64:
        raise invalid("reference must be at most 64 characters")
    delivery = body.get("delivery") if isinstance(body.get("delivery"), dict) else {}
    method = delivery.get("shippingMethodId", 0)
    if method and method not in ref.SHIPPING_METHOD_BY_ID:
        raise invalid(f"Invalid shipping method id: {method}")
    price_list_id = body.get("priceListId", contact["financialDetails"]["priceListId"])
    if price_list_id not in ref.PRICE_LIST_BY_ID:
        raise invalid(f"Invalid price list id: {price_list_id}")
    billing_id = (parties.get("billing") or {}).get("contactId", contact_id)
    if billing_id not in data.contacts:
        raise invalid("parties.billing.contactId must be the id of an existing contact")
    delivery_in = parties.get("delivery") if isinstance(parties.get("delivery"), dict) else None
    delivery_address = delivery_in if delivery_in and delivery_in.get("addressLine1") else data.addresses[contact["postAddressIds"]["DEL"]]
    assignment = (body.get("assignment") or {}).get("current") or {}
    placed = parse_wire_datetime(str(body["placedOn"]), data.zone) if body.get("placedOn") else req.now
    draft = OrderDraft(
        type_code=type_code,
        contact_party=party(data, contact_id, data.addresses[contact["postAddressIds"]["DEF"]], with_contact_id=True),
        delivery_party=party(data, contact_id, delivery_address, with_contact_id=False,
                             full_name=(delivery_in or {}).get("addressFullName"), company=(delivery_in or {}).get("companyName"),
                             email=(delivery_in or {}).get("email"), telephone=(delivery_in or {}).get("telephone")),
        billing_party=party(data, billing_id, data.addresses[data.contacts[billing_id]["postAddressIds"]["BIL"]], with_contact_id=True),
        lines=[], status_id=status_id, placed_on=placed, created_on=req.now, updated_on=req.now,
        currency=currency, reference=reference, price_list_id=price_list_id,
        price_mode=str(body.get("priceModeCode") or "EXC"), shipping_method_id=method,
        delivery_date=_day(delivery["deliveryDate"], "delivery.deliveryDate", data.zone) if delivery.get("deliveryDate") else None,
        warehouse_id=int(body.get("warehouseId", ref.DEFAULT_WAREHOUSE)),
        channel_id=int(assignment.get("channelId", 0) or 0),
        staff_owner_id=int(assignment.get("staffOwnerContactId") or contact["assignment"]["current"].get("staffOwnerContactId", 0)),
        created_by=req.api_user_id, parent_order_id=int(body.get("parentOrderId", 0) or 0),
        payment_status="NOT_APPLICABLE" if status.draft and type_code == "SO" else "UNPAID",
        allocation_status="ANR" if type_code != "SO" else "ANA",
        shipping_status="NST" if type_code in ("SC", "PC") else "SNS",
    )
    return ok(store_order(data, draft))


@routes.route("POST", "/order-service/order/{order_id}/row", "post-order-row")
def post_row(req: Request, order_id: str) -> Response:
    """POST order/{id}/row: one row (product or free text) -> row id; totals follow."""
    data = req.data
    order = _order(data, order_id)
    body = req.json_object()
    if order["invoices"] and order["invoices"][0].get("invoiceReference"):
        raise invalid("Rows cannot be added to an invoiced order")
    quantity = _decimal((body.get("quantity") or {}).get("magnitude", 1), "quantity.magnitude")
    if quantity <= 0:
        raise invalid("quantity.magnitude must be positive")
    value = body.get("rowValue") if isinstance(body.get("rowValue"), dict) else {}
    tax_code = value.get("taxCode")
    if tax_code not in ref.TAX_CODE_BY_CODE:
        raise invalid("rowValue.taxCode is required and must exist")
    net = value.get("rowNet", {}).get("value") if isinstance(value.get("rowNet"), dict) else None
    tax = value.get("rowTax", {}).get("value") if isinstance(value.get("rowTax"), dict) else None
    row = {"productId": body.get("productId"), "name": body.get("productName"), "quantity": str(quantity),
           "taxCode": tax_code, "net": net, "tax": tax, "nominalCode": body.get("nominalCode")}
    line = _sales_line(data, row, 0, order["priceListId"], tax_code, order["priceModeCode"])
    row_id = add_row(data, order, line)
    data.touch_order(order["id"], req.now)
    return ok(row_id)
