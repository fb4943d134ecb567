"""accounting-service: balance, statement, customer payments, payment methods, tax codes (§6.5, §8)."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.sandbox import reference as ref
from portal.sandbox.formats import money, parse_wire_datetime
from portal.sandbox.routing import (
    ApiError,
    Request,
    Response,
    Router,
    empty_ok,
    invalid,
    not_found,
    ok,
    path_int,
    select,
)
from portal.sandbox.search import (
    IDSET,
    INTEGER,
    PERIOD,
    SEARCH_STRING,
    STRING,
    Column,
    SearchSpec,
    meta_data,
    run_search,
)

STATEMENT_SEARCH = SearchSpec(
    columns=(
        Column("journalId", INTEGER),
        Column("orderId", IDSET),
        Column("journalTypeCode", STRING),
        Column("journalDate", PERIOD),
        Column("journalDueDate", PERIOD),
        Column("reference", SEARCH_STRING),
        Column("customerReference", SEARCH_STRING),
        Column("invoiceAmount", STRING),
        Column("paidAmount", STRING),
        Column("dueAmount", STRING),
    ),
    default_sort="journalDate",
    filter_only=(Column("contactId", INTEGER), Column("currencyId", INTEGER)),
)

PAYMENT_SEARCH = SearchSpec(
    columns=(
        Column("paymentId", IDSET),
        Column("transactionRef", STRING, sortable=False),
        Column("transactionCode", STRING, sortable=False),
        Column("paymentMethodCode", STRING, sortable=False),
        Column("paymentType", STRING, sortable=False),
        Column("orderId", IDSET, sortable=False),
        Column("currencyId", IDSET, sortable=False),
        Column("currencyCode", STRING, sortable=False),
        Column("amountAuthorized", STRING, sortable=False),
        Column("amountPaid", STRING, sortable=False),
        Column("expires", PERIOD, sortable=False),
        Column("paymentDate", PERIOD),
        Column("createdOn", PERIOD),
        Column("journalId", IDSET),
    ),
    default_sort="paymentId",
)

PAYMENT_TYPES = ("RECEIPT", "PAYMENT", "AUTH", "CAPTURE", "VOID")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def statement_search(req: Request) -> Response:
    contact = req.query.get("contactId", "")
    # Narrow before searching when possible; the engine still validates the filter value.
    lines = req.data.statement_lines(int(contact) if contact.isdigit() else None)
    return run_search(STATEMENT_SEARCH, lines, req.query)


def payment_search(req: Request) -> Response:
    columns = {c.name for c in PAYMENT_SEARCH.columns}
    records = [{k: v for k, v in p.items() if k in columns} for p in req.data.payments.values()]
    return run_search(PAYMENT_SEARCH, records, req.query)


def _amount(body: dict[str, Any], key: str) -> Decimal:
    value = body.get(key, 0)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(f"{key} must be a number") from None
    if not amount.is_finite() or amount < 0:
        raise invalid(f"{key} must be a positive number")
    return amount


def post_payment(req: Request) -> Response:
    """POST customer-payment -> payment id (§8.2).

    API note: a duplicate transactionRef + paymentMethodCode is rejected with 400 (the pair is
    documented as unique; the real error code was not captured).
    """
    data = req.data
    body = req.json_object()
    errors: list[tuple[str, str]] = []
    method = body.get("paymentMethodCode")
    if not isinstance(method, str) or not method or len(method) > 36:
        errors.append(("CMNC-400", "paymentMethodCode is required (max 36 characters)"))
    payment_type = body.get("paymentType")
    if payment_type not in PAYMENT_TYPES:
        errors.append(("CMNC-400", f"paymentType must be one of {', '.join(PAYMENT_TYPES)}"))
    order_id = body.get("orderId")
    if not isinstance(order_id, int) or order_id not in data.orders:
        errors.append(("CMNC-400", f"orderId {order_id} is not a valid order"))
    currency = body.get("currencyIsoCode")
    if not isinstance(currency, str) or len(currency) != 3 or currency.upper() not in ref.CURRENCIES:
        errors.append(("CMNC-400", "currencyIsoCode must be a 3-letter currency code"))
    transaction_ref = str(body.get("transactionRef") or "")
    if len(transaction_ref) > 64:
        errors.append(("CMNC-400", "transactionRef must be at most 64 characters"))
    if "exchangeRate" in body:
        try:
            if Decimal(str(body["exchangeRate"])) <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(("CMNC-400", "exchangeRate must be greater than 0"))
    if payment_type == "AUTH" and not body.get("authorizationExpiry"):
        errors.append(("CMNC-400", "authorizationExpiry is required for AUTH"))
    if errors:
        raise ApiError(400, *errors[0], *errors[1:])
    amount_paid = _amount(body, "amountPaid")
    amount_authorized = _amount(body, "amountAuthorized")
    if transaction_ref and any(
        p["transactionRef"] == transaction_ref and p["paymentMethodCode"] == method for p in data.payments.values()
    ):
        raise invalid(f"A payment with transactionRef {transaction_ref} already exists for {method}")
    try:
        paid_on = parse_wire_datetime(str(body["paymentDate"])) if body.get("paymentDate") else req.now
        expires = parse_wire_datetime(str(body["authorizationExpiry"])) if body.get("authorizationExpiry") else None
    except ValueError:
        raise invalid("paymentDate/authorizationExpiry must be ISO 8601 dates") from None
    payment_id = data.add_payment(
        order_id, payment_type, amount_paid, method, paid_on, req.now, transaction_ref,
        str(body.get("transactionCode") or ""), str(body.get("journalRef") or ""), currency.upper(),
        amount_authorized, expires,
    )
    data.touch_order(order_id, req.now)
    return ok(payment_id)


def delete_payment(req: Request, payment_id: str) -> Response:
    key = path_int(payment_id)
    if key not in req.data.payments:
        raise not_found(f"Cannot find customer payment: {key}")
    order_id = req.data.payments[key]["orderId"]
    req.data.delete_payment(key)
    req.data.touch_order(order_id, req.now)
    return empty_ok()


def get_payment_methods(req: Request, method_id: str | None = None) -> Response:
    methods = copy.deepcopy(ref.PAYMENT_METHODS)
    if method_id is not None:
        key = path_int(method_id)
        methods = [m for m in methods if any(b["paymentMethodId"] == key for b in m["bankAccounts"])]
    return ok(methods)


def get_tax_codes(req: Request, ids: str | None = None) -> Response:
    return ok(select(copy.deepcopy(ref.TAX_CODES), "id", ids))


def register(router: Router) -> None:
    add = router.add
    add("GET", "/accounting-service/contact/{contact_id}/currency/{currency}/balance", get_balance, "get-contact-balance")
    add("GET", "/accounting-service/statement/all-transaction-search", statement_search, "bulk-data-search")
    add("GET", "/accounting-service/statement/all-transaction-search/meta-data", lambda req: meta_data(STATEMENT_SEARCH), "bulk-data-search")
    add("GET", "/accounting-service/customer-payment-search", payment_search, "bulk-data-search")
    add("GET", "/accounting-service/customer-payment-search/meta-data", lambda req: meta_data(PAYMENT_SEARCH), "bulk-data-search")
    add("POST", "/accounting-service/customer-payment", post_payment, "post-customer-payment")
    add("DELETE", "/accounting-service/customer-payment/{payment_id}", delete_payment, "delete-customer-payment")
    add("GET", "/accounting-service/payment-method", get_payment_methods, "get-payment-method")
    add("GET", "/accounting-service/payment-method/{method_id}", get_payment_methods, "get-payment-method")
    add("GET", "/accounting-service/tax-code", get_tax_codes, "get-tax-code")
    add("GET", "/accounting-service/tax-code/{ids}", get_tax_codes, "get-tax-code")
