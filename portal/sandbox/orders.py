"""Building orders in the wire shape of examples/order-get.json (SO, SC, PO and PC).

Used by the demo data generator and by the order-creating endpoints, so a generated order and
one created through the API look exactly alike.  Row nets are kept to 2 decimals so that the
totals (sums of row net and row tax) add up exactly; they are written with 4 decimals like the
recorded responses.  On a tax-inclusive (INC) order, as recorded, `productPrice` includes tax
and rowNet does not: rowNet is the gross line to 4 decimals (9.0909 for a 10.00 line at 10%),
rowTax the rest to 2, and the totals are rounded to cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from portal.sandbox import reference as ref
from portal.sandbox.formats import cents, money, wire_date, wire_datetime
from portal.sandbox.store import DataStore, OrderMeta, primary_email

HUNDRED = Decimal(100)
_FOUR_PLACES = Decimal("0.0001")


def tax_rate(tax_code: str) -> Decimal:
    """The percentage rate of a tax code (0 for rate-less codes such as Z and E)."""
    entry = ref.TAX_CODE_BY_CODE.get(tax_code)
    return Decimal(str(entry.get("rate", 0))) if entry else Decimal(0)


@dataclass
class Line:
    """One order row to build.  `net`/`tax` override the computed values when given.  With
    `includes_tax` (rows of an INC order), `price` is the tax-inclusive unit price."""

    product_id: int
    name: str
    sku: str
    quantity: Decimal
    price: Decimal
    cost: Decimal = Decimal(0)
    tax_code: str = "T20"
    nominal_code: str = "4000"
    discount: Decimal = Decimal(0)
    net: Decimal | None = None
    tax: Decimal | None = None
    includes_tax: bool = False

    def _amount(self) -> Decimal:
        return cents(self.quantity * self.price * (HUNDRED - self.discount) / HUNDRED)

    def row_net(self) -> Decimal:
        if self.net is not None:
            return cents(self.net)
        if self.includes_tax:
            # Recorded: rowNet 9.0909 for a 10.00 gross line (API.md §7.1).
            rate = tax_rate(self.tax_code)
            return (self._amount() * HUNDRED / (HUNDRED + rate)).quantize(_FOUR_PLACES)
        return self._amount()

    def row_tax(self) -> Decimal:
        if self.tax is not None:
            return cents(self.tax)
        if self.includes_tax:
            return cents(self._amount() - self.row_net())
        return cents(self.row_net() * tax_rate(self.tax_code) / HUNDRED)


@dataclass
class Invoice:
    reference: str
    tax_date: date
    due_date: date


@dataclass
class OrderDraft:
    """Everything needed to store a new order.  Parties are wire dicts (see `party`)."""

    type_code: str
    contact_party: dict[str, Any]
    delivery_party: dict[str, Any]
    billing_party: dict[str, Any]
    lines: Sequence[Line]
    status_id: int
    placed_on: datetime
    created_on: datetime
    updated_on: datetime
    currency: str = "GBP"
    reference: str = ""
    price_list_id: int = ref.PRICE_LIST_TRADE
    price_mode: str = "EXC"
    shipping_method_id: int = 0
    delivery_date: date | None = None
    warehouse_id: int = ref.DEFAULT_WAREHOUSE
    channel_id: int = 0
    staff_owner_id: int = 0
    lead_source_id: int = 0
    created_by: int = ref.API_USER_ID
    parent_order_id: int = 0
    payment_status: str = "UNPAID"
    stock_status: str = ""
    allocation_status: str = "ANA"
    shipping_status: str = "SNS"
    invoice: Invoice | None = None
    closed_on: datetime | None = None
    acknowledged: int = 0
    is_dropship: bool = False
    version: int = 1
    # Rows of older orders carry neither productPrice nor itemCost (API-ADDENDUM I.4).
    rows_without_prices: bool = False
    meta: OrderMeta = field(default_factory=OrderMeta)
    # Date-only fields at the account's local midnight instead of UTC midnight: real orders
    # carry both (API-ADDENDUM I.1), so clients must read either.
    dates_at_local_midnight: bool = False


def country_iso3(value: object) -> str:
    """ISO3 code for a 3- or 2-letter code or a country id; the UK when unknown or absent."""
    if isinstance(value, int):
        return ref.COUNTRY_BY_ID.get(value, "GBR")
    code = str(value or "").upper()
    if code in ref.COUNTRIES:
        return code
    return next((iso3 for iso3, c in ref.COUNTRIES.items() if c["iso2"] == code), "GBR")


def party(
    store: DataStore, contact_id: int, address: dict[str, Any], *, with_contact_id: bool,
    full_name: str | None = None, company: str | None = None, email: str | None = None,
    telephone: str | None = None,
) -> dict[str, Any]:
    """An order party (customer/supplier/delivery/billing) from a contact and an address."""
    contact = store.contacts.get(contact_id, {})
    phones = contact.get("communication", {}).get("telephones", {})
    iso3 = country_iso3(address.get("countryIsoCode") or address.get("countryId"))
    country = ref.COUNTRIES[iso3]
    body: dict[str, Any] = {}
    if with_contact_id:
        body["contactId"] = contact_id
    body.update({
        "addressFullName": full_name
        if full_name is not None
        else f"{contact.get('firstName', '')} {contact.get('lastName', '')}".strip(),
        "companyName": company if company is not None else store.company_name(contact),
        "addressLine1": address.get("addressLine1", ""),
        "addressLine2": address.get("addressLine2", ""),
        "addressLine3": address.get("addressLine3", ""),
        "addressLine4": address.get("addressLine4", ""),
        "postalCode": address.get("postalCode", ""),
        "country": country["name"],
        "telephone": telephone if telephone is not None else phones.get("PRI", ""),
        "mobileTelephone": phones.get("MOB", "") if telephone is None else "",
        "fax": "",
        "email": email if email is not None else primary_email(contact),
        "countryId": country["id"],
        "countryIsoCode": country["iso2"],
        "countryIsoCode3": iso3,
    })
    return body


def _row(line: Line, sequence: int, currency: str, *, with_prices: bool = True) -> dict[str, Any]:
    tax_entry = ref.TAX_CODE_BY_CODE.get(line.tax_code, {"id": 0})
    prices = {
        "itemCost": {"currencyCode": currency, "value": money(line.cost, 4)},
        "productPrice": {"currencyCode": currency, "value": money(line.price, 4)},
    }
    return {
        "orderRowSequence": str(sequence),
        "productId": line.product_id,
        "productName": line.name,
        "productSku": line.sku,
        "quantity": {"magnitude": money(line.quantity, 4)},
        **(prices if with_prices else {}),
        "discountPercentage": money(line.discount, 2),
        "rowValue": {
            "taxRate": money(tax_rate(line.tax_code), 4),
            "taxCode": line.tax_code,
            "taxCalculator": "brightpearl",
            "rowNet": {"currencyCode": currency, "value": money(line.row_net(), 4)},
            "rowTax": {"currencyCode": currency, "value": money(line.row_tax(), 2)},
            "taxClassId": tax_entry["id"],
        },
        "nominalCode": line.nominal_code,
        "composition": {"bundleParent": False, "bundleChild": False, "parentOrderRowId": 0},
        "clonedFromId": 0,
    }


def total_value(net: Decimal, tax: Decimal, rate: Decimal) -> dict[str, str]:
    """The `totalValue` block; base* are in the accounting currency at `rate`."""
    base_net, base_tax = cents(net * rate), cents(tax * rate)
    return {
        "net": money(net),
        "taxAmount": money(tax),
        "baseNet": money(base_net),
        "baseTaxAmount": money(base_tax),
        "baseTotal": money(base_net + base_tax),
        "total": money(net + tax),
    }


def add_row(store: DataStore, order: dict[str, Any], line: Line) -> int:
    """Append a row (next sequence) to a stored order, refresh its totals; return the row id."""
    row_id = store.ids.take("row")
    currency = order["currency"]["orderCurrencyCode"]
    sequence = max((int(r["orderRowSequence"]) for r in order["orderRows"].values()), default=0) + 10
    order["orderRows"][str(row_id)] = _row(line, sequence, currency)
    net = sum((Decimal(r["rowValue"]["rowNet"]["value"]) for r in order["orderRows"].values()), Decimal(0))
    tax = sum((Decimal(r["rowValue"]["rowTax"]["value"]) for r in order["orderRows"].values()), Decimal(0))
    order["totalValue"] = total_value(net, tax, Decimal(order["currency"]["exchangeRate"]))
    return row_id


def default_stock_status(type_code: str) -> str:
    return {"SO": "SON", "SC": "SCN", "PO": "PON", "PC": "PCN"}[type_code]


def store_order(store: DataStore, draft: OrderDraft, row_order: Sequence[int] | None = None) -> int:
    """Create the order in the store and return its id.

    Row ids are taken in sequence order; `row_order` (a permutation of row indexes) sets the
    key order of `orderRows`, which Brightpearl does not guarantee (clients sort by
    orderRowSequence).
    """
    order_id = store.ids.take("order")
    currency = draft.currency
    rate = Decimal(ref.EXCHANGE_RATES.get(currency, "1.000000"))
    with_prices = not draft.rows_without_prices
    built = [
        (store.ids.take("row"), _row(line, 10 * (i + 1), currency, with_prices=with_prices))
        for i, line in enumerate(draft.lines)
    ]
    indexes = row_order if row_order is not None else range(len(built))
    rows = {str(built[i][0]): built[i][1] for i in indexes}
    net = sum((line.row_net() for line in draft.lines), Decimal(0))
    tax = sum((line.row_tax() for line in draft.lines), Decimal(0))

    party_key = "customer" if draft.type_code in ("SO", "SC") else "supplier"
    invoice = draft.invoice
    zone = store.zone
    placed_day = draft.placed_on.astimezone(zone).date()
    order: dict[str, Any] = {
        "id": order_id,
        "parentOrderId": draft.parent_order_id,
        "orderTypeCode": draft.type_code,
        "reference": draft.reference,
        "version": draft.version,
        "state": {"tax": "INVOICED" if invoice and invoice.reference else "READY"},
        "orderStatus": {"orderStatusId": draft.status_id, "name": ref.STATUS_BY_ID[draft.status_id].name},
        "tax": {"errors": []},
        "orderPaymentStatus": draft.payment_status,
        "stockStatusCode": draft.stock_status or default_stock_status(draft.type_code),
        "allocationStatusCode": draft.allocation_status,
        "shippingStatusCode": draft.shipping_status,
        "placedOn": wire_datetime(draft.placed_on, zone),
        "createdOn": wire_datetime(draft.created_on, zone),
        "updatedOn": wire_datetime(draft.updated_on, zone),
    }
    if draft.closed_on is not None:
        order["closedOn"] = wire_datetime(draft.closed_on, zone)

    def day_only(day: date) -> str:
        return wire_date(day, zone, at_local_midnight=draft.dates_at_local_midnight)

    delivery: dict[str, Any] = {}
    if draft.delivery_date is not None:
        delivery["deliveryDate"] = day_only(draft.delivery_date)
    delivery["shippingMethodId"] = draft.shipping_method_id
    # API note: an order that is not invoiced yet still carries one invoices[] entry with an
    # empty reference and provisional dates, as in the recorded PO (examples/order-get-purchase-order.json).
    tax_day = invoice.tax_date if invoice else placed_day
    due_day = invoice.due_date if invoice else placed_day + timedelta(days=30)
    order.update({
        "createdById": draft.created_by,
        "priceListId": draft.price_list_id,
        "priceModeCode": draft.price_mode,
        "delivery": delivery,
        "invoices": [{
            "invoiceReference": invoice.reference if invoice else "",
            "taxDate": day_only(tax_day),
            "dueDate": day_only(due_day),
        }],
        "currency": {
            "accountingCurrencyCode": ref.ACCOUNTING_CURRENCY,
            "orderCurrencyCode": currency,
            "exchangeRate": ref.EXCHANGE_RATES.get(currency, "1.000000"),
            "fixedExchangeRate": currency != ref.ACCOUNTING_CURRENCY,
        },
        "totalValue": total_value(net, tax, rate),
        "assignment": {
            "current": {
                "staffOwnerContactId": draft.staff_owner_id,
                "projectId": 0,
                "channelId": draft.channel_id,
                "leadSourceId": draft.lead_source_id,
                "teamId": 0,
            }
        },
        "parties": {
            party_key: draft.contact_party,
            "delivery": draft.delivery_party,
            "billing": draft.billing_party,
        },
        "orderRows": rows,
        "warehouseId": draft.warehouse_id,
        "acknowledged": draft.acknowledged,
        "costPriceListId": ref.PRICE_LIST_COST if draft.type_code in ("SO", "SC") else 0,
        "historicalOrder": False,
    })
    if invoice and invoice.reference:
        order["originalInvoiceDate"] = day_only(invoice.tax_date)
    if draft.type_code in ("PO", "PC"):
        order["isDropship"] = draft.is_dropship
    order["orderWeighting"] = 100
    store.orders[order_id] = order
    store.order_meta[order_id] = draft.meta
    return order_id


def row_items(order: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The order's rows as (row id, row) sorted by orderRowSequence."""
    return sorted(
        ((int(row_id), row) for row_id, row in order["orderRows"].items()),
        key=lambda item: int(item[1]["orderRowSequence"]),
    )
