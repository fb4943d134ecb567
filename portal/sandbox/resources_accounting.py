"""accounting-service: balance, statement, customer payments, payment methods, tax codes (§6.5, §8)."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.sandbox import reference as ref
from portal.sandbox.errors import invalid, not_found
from portal.sandbox.formats import money, parse_wire_datetime
from portal.sandbox.routing import Request, Response, Router, empty_ok, ok, path_int, select
from portal.sandbox.search import run_search
from portal.sandbox.search_columns import PAYMENT_SEARCH, STATEMENT_SEARCH

PAYMENT_TYPES = ("RECEIPT", "PAYMENT", "AUTH", "CAPTURE", "VOID")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

routes = Router()


@routes.route("GET", "/accounting-service/contact/{contact_id}/currency/{currency}/balance", "get-contact-balance")
def get_balance(req: Request, contact_id: str, currency: str) -> Response:
    """contact/{id}/currency/{ISO}/balance -> bare decimal string, or null (no validation)."""
    bounds: list[date | None] = []
    for key in ("dateFrom", "dateTo"):
        text = req.query.get(key, "")
        if text and not _ISO_DATE.match(text):
            raise invalid(f"{key} must be yyyy-mm-dd")
        bounds.append(date.fromisoformat(text) if text else None)
    balance = None
    if contact_id.isdigit():
        balance = req.data.balance(int(contact_id), currency, bounds[0], bounds[1])
    return ok(money(balance) if balance is not None else None)


@routes.search("/accounting-service/statement/all-transaction-search", STATEMENT_SEARCH)
def statement_search(req: Request) -> Response:
    contact = req.query.get("contactId", "")
    # Narrow before searching when possible; the engine still validates the filter value.
    lines = req.data.statement_lines(int(contact) if contact.isdigit() else None)
    return run_search(STATEMENT_SEARCH, lines, req.query, zone=req.data.zone)


@routes.search("/accounting-service/customer-payment-search", PAYMENT_SEARCH)
def payment_search(req: Request) -> Response:
    columns = {c.name for c in PAYMENT_SEARCH.columns}
    records = [{k: v for k, v in p.items() if k in columns} for p in req.data.payments.values()]
    return run_search(PAYMENT_SEARCH, records, req.query, zone=req.data.zone)


def _amount(body: dict[str, Any], key: str) -> Decimal:
    value = body.get(key, 0)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(f"{key} must be a number") from None
    if not amount.is_finite() or amount < 0:
        raise invalid(f"{key} must be a positive number")
    return amount


@routes.route("POST", "/accounting-service/customer-payment", "post-customer-payment")
def post_payment(req: Request) -> Response:
    """POST customer-payment -> payment id (§8.2).

    API note: a duplicate transactionRef + paymentMethodCode is rejected with 400 (the pair is
    documented as unique; the real error code was not captured).
    """
    data = req.data
    body = req.json_object()
    errors: list[str] = []
    method = body.get("paymentMethodCode")
    if not isinstance(method, str) or not method or len(method) > 36:
        errors.append("paymentMethodCode is required (max 36 characters)")
    payment_type = body.get("paymentType")
    if payment_type not in PAYMENT_TYPES:
        errors.append(f"paymentType must be one of {', '.join(PAYMENT_TYPES)}")
    order_id = body.get("orderId")
    if not isinstance(order_id, int) or order_id not in data.orders:
        errors.append(f"orderId {order_id} is not a valid order")
    currency = body.get("currencyIsoCode")
    if not isinstance(currency, str) or len(currency) != 3 or currency.upper() not in ref.CURRENCIES:
        errors.append("currencyIsoCode must be a 3-letter currency code")
    transaction_ref = str(body.get("transactionRef") or "")
    if len(transaction_ref) > 64:
        errors.append("transactionRef must be at most 64 characters")
    if "exchangeRate" in body:
        try:
            if Decimal(str(body["exchangeRate"])) <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append("exchangeRate must be greater than 0")
    if payment_type == "AUTH" and not body.get("authorizationExpiry"):
        errors.append("authorizationExpiry is required for AUTH")
    if errors:
        raise invalid(*errors)
    amount_paid = _amount(body, "amountPaid")
    amount_authorized = _amount(body, "amountAuthorized")
    if transaction_ref and any(
        p["transactionRef"] == transaction_ref and p["paymentMethodCode"] == method for p in data.payments.values()
    ):
        raise invalid(f"A payment with transactionRef {transaction_ref} already exists for {method}")
    try:
        zone = req.data.zone
        paid_on = parse_wire_datetime(str(body["paymentDate"]), zone) if body.get("paymentDate") else req.now
        expires = parse_wire_datetime(str(body["authorizationExpiry"]), zone) if body.get("authorizationExpiry") else None
    except ValueError:
        raise invalid("paymentDate/authorizationExpiry must be ISO 8601 dates") from None
    payment_id = data.add_payment(
        order_id, payment_type, amount_paid, method, paid_on, req.now, transaction_ref,
        str(body.get("transactionCode") or ""), str(body.get("journalRef") or ""), currency.upper(),
        amount_authorized, expires,
    )
    data.touch_order(order_id, req.now)
    return ok(payment_id)


@routes.route("DELETE", "/accounting-service/customer-payment/{payment_id}", "delete-customer-payment")
def delete_payment(req: Request, payment_id: str) -> Response:
    key = path_int(payment_id)
    if key not in req.data.payments:
        raise not_found(f"Cannot find customer payment: {key}")
    order_id = req.data.payments[key]["orderId"]
    req.data.delete_payment(key)
    req.data.touch_order(order_id, req.now)
    return empty_ok()


@routes.route("GET", "/accounting-service/payment-method[/{method_id}]", "get-payment-method")
def get_payment_methods(req: Request, method_id: str | None = None) -> Response:
    methods = copy.deepcopy(ref.PAYMENT_METHODS)
    if method_id is not None:
        key = path_int(method_id)
        methods = [m for m in methods if any(b["paymentMethodId"] == key for b in m["bankAccounts"])]
    return ok(methods)


@routes.route("GET", "/accounting-service/tax-code[/{ids}]", "get-tax-code")
def get_tax_codes(req: Request, ids: str | None = None) -> Response:
    return ok(select(copy.deepcopy(ref.TAX_CODES), "id", ids))
