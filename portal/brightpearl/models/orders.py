"""Orders of every type (order-service, API.md §7): the order GET, order-search rows, statuses
and notes, as read-only typed views. Id fields use 0 for "none", as Brightpearl does
(`parentOrderId: 0`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any

from portal.core.immutable import EMPTY, frozen

from .contacts import AddressLines
from .wire import ZERO, as_decimal, as_dict, as_int, as_list, as_str, dig, model, wire


class OrderType(IntEnum):
    """Brightpearl's order types: `orderTypeId` in order-search (API.md §7.2), with the
    `orderTypeCode` the order GET carries."""

    SALES_ORDER = 1
    PURCHASE_ORDER = 2
    SALES_CREDIT = 3
    PURCHASE_CREDIT = 4

    @property
    def code(self) -> str:
        """SO, PO, SC or PC."""
        return _TYPE_CODES[self]

    @classmethod
    def of_code(cls, code: str) -> OrderType | None:
        """The type with this `orderTypeCode` (any case), or None."""
        return _TYPES_BY_CODE.get(code.strip().upper())


_TYPE_CODES = {
    OrderType.SALES_ORDER: "SO",
    OrderType.PURCHASE_ORDER: "PO",
    OrderType.SALES_CREDIT: "SC",
    OrderType.PURCHASE_CREDIT: "PC",
}
_TYPES_BY_CODE = {code: order_type for order_type, code in _TYPE_CODES.items()}
SALES_TYPES = frozenset({OrderType.SALES_ORDER, OrderType.SALES_CREDIT})
PURCHASE_TYPES = frozenset({OrderType.PURCHASE_ORDER, OrderType.PURCHASE_CREDIT})
PURCHASE_CODES = frozenset(t.code for t in PURCHASE_TYPES)


@model
class PartyAddress(AddressLines):
    """A name-and-address block of an order (customer/supplier, billing or delivery)."""

    contact_id: int = wire("contactId")
    full_name: str = wire("addressFullName")
    company: str = wire("companyName")
    country: str = wire("country")
    country_iso2: str = wire("countryIsoCode")
    country_iso3: str = wire("countryIsoCode3")
    email: str = wire("email")
    telephone: str = wire("telephone")
    mobile: str = wire("mobileTelephone")

    @property
    def lines(self) -> list[str]:
        """The non-empty address lines, postal code and country name, in display order."""
        return self.lines_with(self.country)


@model
class OrderRow:
    row_id: int = 0
    sequence: int = wire("orderRowSequence")
    product_id: int = wire("productId")  # 0 for a free-text row
    sku: str = wire("productSku")
    name: str = wire("productName")
    quantity: Decimal = wire("quantity", "magnitude")
    # productPrice (itemCost on PO/PC), in the order's price mode: tax included when the order's
    # priceModeCode is INC. Rows without one (older orders) get rowNet / quantity: net.
    unit_price: Decimal = ZERO
    price_given: bool = True  # False when unit_price was derived from rowNet
    net: Decimal = wire("rowValue", "rowNet", "value")
    tax: Decimal = wire("rowValue", "rowTax", "value")
    tax_rate: Decimal = wire("rowValue", "taxRate")
    tax_code: str = wire("rowValue", "taxCode")
    discount_percentage: Decimal = wire("discountPercentage")
    options: Mapping[str, str] = EMPTY

    @property
    def total(self) -> Decimal:
        """The line's amount with tax: rowNet + rowTax, in either price mode (addendum I.2)."""
        return self.net + self.tax

    @property
    def unit_tax(self) -> Decimal:
        """rowTax / quantity (0 for a zero quantity): what a derived, net unit price lacks
        to be shown tax-inclusive."""
        return _per_unit(self.tax, self.quantity)

    @classmethod
    def from_wire(cls, data: Any, *, row_id: Any = None, purchase: bool = False) -> OrderRow:
        """`row_id` is the key of the row in `orderRows`. On purchase orders/credits the unit
        price is the item cost: Brightpearl leaves `productPrice` at 0 there."""
        data = as_dict(data)
        price = as_decimal(dig(data, "productPrice", "value"), None)
        # API note: PO rows carry the supplier price in itemCost (recorded productPrice 0.0000,
        # rowNet = quantity x itemCost); we prefer itemCost on PO/PC when it is present.
        cost = as_decimal(dig(data, "itemCost", "value"), None)
        if purchase and cost is not None:
            price = cost
        elif purchase and price is not None and price == 0:
            price = None  # a PO's productPrice 0 is no price
        # Addendum I.4: rows of older orders carry neither productPrice nor itemCost; their
        # unit price is rowNet / quantity (net of tax and of any discount).
        given = price is not None
        if price is None:
            price = _per_unit(as_decimal(dig(data, "rowValue", "rowNet", "value")), as_decimal(dig(data, "quantity", "magnitude")))
        return cls.read(
            data,
            row_id=as_int(row_id if row_id is not None else data.get("id", data.get("orderRowId"))),
            unit_price=price,
            price_given=given,
            options=frozen({as_str(k): as_str(v) for k, v in as_dict(data.get("productOptions")).items()}),
        )


def _per_unit(amount: Decimal | None, quantity: Decimal | None) -> Decimal:
    """amount / quantity, 0 when the quantity is 0 (a row of nothing has no unit price)."""
    if not amount or not quantity:
        return ZERO
    return amount / quantity


@model
class Invoice:
    reference: str = wire("invoiceReference")  # "" until the order is invoiced
    # Date-only fields are calendar days (wire.as_calendar_date: Brightpearl sends UTC midnight).
    tax_date: date | None = wire("taxDate")
    due_date: date | None = wire("dueDate")

    @property
    def is_numbered(self) -> bool:
        """True when Brightpearl has given this invoice its number: the reference is neither
        empty (not invoiced) nor the "pending" marker (invoicing in progress).

        API note: while invoicing runs Brightpearl shows the reference "pending" (API.md §7.6,
        addendum I.3); that is not a document number yet. A tax date says nothing: real
        accounts carry one on orders that are not invoiced."""
        reference = self.reference.strip()
        return bool(reference) and reference.casefold() != "pending"


@model
class Order:
    """An order of any type (SO sales order, SC sales credit, PO purchase order, PC purchase
    credit) from the legacy Order GET (API.md §7.1)."""

    id: int = wire("id")
    order_type_code: str = ""
    reference: str = wire("reference")
    status_id: int = wire("orderStatus", "orderStatusId")
    status_name: str = wire("orderStatus", "name")
    payment_status: str = wire("orderPaymentStatus")
    shipping_status_code: str = wire("shippingStatusCode")
    stock_status_code: str = wire("stockStatusCode")
    allocation_status_code: str = wire("allocationStatusCode")
    placed_on: datetime | None = wire("placedOn")
    created_on: datetime | None = wire("createdOn")
    updated_on: datetime | None = wire("updatedOn")
    closed_on: datetime | None = wire("closedOn")
    currency_code: str = wire("currency", "orderCurrencyCode")
    net: Decimal = wire("totalValue", "net")
    tax: Decimal = wire("totalValue", "taxAmount")
    total: Decimal = ZERO
    customer_contact_id: int = 0
    supplier_contact_id: int = 0
    party: PartyAddress = PartyAddress()  # the customer or supplier block
    billing: PartyAddress = PartyAddress()
    delivery: PartyAddress = PartyAddress()
    rows: tuple[OrderRow, ...] = ()
    invoices: tuple[Invoice, ...] = ()
    parent_order_id: int = wire("parentOrderId")
    acknowledged: bool = wire("acknowledged")
    delivery_date: date | None = wire("delivery", "deliveryDate")  # a calendar day
    shipping_method_id: int = wire("delivery", "shippingMethodId")
    price_mode: str = wire("priceModeCode")
    warehouse_id: int = wire("warehouseId")
    price_list_id: int = wire("priceListId")
    custom_fields: Mapping[str, Any] = EMPTY

    @property
    def order_type(self) -> OrderType | None:
        return OrderType.of_code(self.order_type_code)

    @property
    def is_purchase(self) -> bool:
        return self.order_type_code in PURCHASE_CODES

    @property
    def party_contact_id(self) -> int:
        """The contact the order belongs to: the supplier of a PO/PC, else the customer."""
        first, second = (
            (self.supplier_contact_id, self.customer_contact_id)
            if self.is_purchase
            else (self.customer_contact_id, self.supplier_contact_id)
        )
        return first or second

    @property
    def display_reference(self) -> str:
        """The customer's reference, or the order number when there is none."""
        return self.reference.strip() or str(self.id)

    @property
    def invoice(self) -> Invoice | None:
        """The order's numbered invoice (or credit note), None while there is none."""
        return next((i for i in self.invoices if i.is_numbered), None)

    @property
    def invoice_reference(self) -> str:
        """The invoice (or credit note) number, "" while there is none (not invoiced, or
        invoicing still "pending")."""
        invoice = self.invoice
        return invoice.reference.strip() if invoice else ""

    @property
    def is_invoiced(self) -> bool:
        """True once Brightpearl has given the order its invoice (or credit note) number: the
        one rule for "is a document" (not its taxDate, not a status named "Invoiced")."""
        return self.invoice is not None

    @classmethod
    def from_wire(cls, data: Any) -> Order:
        data = as_dict(data)
        type_code = as_str(data.get("orderTypeCode")).upper()
        parties = as_dict(data.get("parties"))
        customer = PartyAddress.from_wire(parties.get("customer"))
        supplier = PartyAddress.from_wire(parties.get("supplier"))
        purchase = type_code in PURCHASE_CODES
        rows = [
            OrderRow.from_wire(row, row_id=key, purchase=purchase)
            for key, row in as_dict(data.get("orderRows")).items()
            if isinstance(row, dict)
        ]
        rows.sort(key=lambda r: (r.sequence, r.row_id))
        totals = as_dict(data.get("totalValue"))
        net_plus_tax = as_decimal(totals.get("net")) + as_decimal(totals.get("taxAmount"))
        return cls.read(
            data,
            order_type_code=type_code,
            total=as_decimal(totals.get("total"), net_plus_tax),
            customer_contact_id=customer.contact_id,
            supplier_contact_id=supplier.contact_id,
            party=supplier if purchase and "supplier" in parties else customer,
            billing=PartyAddress.from_wire(parties.get("billing")),
            delivery=PartyAddress.from_wire(parties.get("delivery")),
            rows=tuple(rows),
            invoices=tuple(Invoice.from_wire(i) for i in as_list(data.get("invoices")) if isinstance(i, dict)),
            custom_fields=frozen(as_dict(data.get("customFields"))),
        )


@model
class OrderSearchRow:
    """One row of `order-service/order-search` (API.md §7.2): enough for a list page.
    `from_wire` takes a search row keyed by column name (see BrightpearlClient.search)."""

    order_id: int = wire("orderId")
    order_type_id: int = wire("orderTypeId")
    contact_id: int = wire("contactId")
    status_id: int = wire("orderStatusId")
    stock_status_id: int = wire("orderStockStatusId")
    created_on: datetime | None = wire("createdOn")
    updated_on: datetime | None = wire("updatedOn")
    customer_ref: str = wire("customerRef")
    shipping_status_id: int = wire("orderShippingStatusId")
    payment_status_id: int = wire("orderPaymentStatusId")
    external_ref: str = wire("externalRef")
    parent_order_id: int = wire("parentOrderId")
    warehouse_id: int = wire("warehouseId")
    tax_date: date | None = wire("taxDate")  # date-only fields: calendar days
    delivery_date: date | None = wire("deliveryDate")

    @property
    def order_type(self) -> OrderType | None:
        try:
            return OrderType(self.order_type_id)
        except ValueError:
            return None


@model
class OrderStatus:
    id: int = wire("statusId", or_key="id")
    name: str = wire("name")
    order_type_code: str = ""
    visible: bool = wire("visible")  # "visible to the customer" in Brightpearl's own portal
    state: str = wire("state")  # only "draft" is known (quotes, pending POs)
    # sortOrder (API.md §7.4); some bodies carry `sort` instead (addendum I.5); with neither,
    # statuses sort by id.
    sort_order: int = 0
    color: str = wire("color")
    disabled: bool = wire("disabled")

    @classmethod
    def from_wire(cls, data: Any) -> OrderStatus:
        data = as_dict(data)
        status_id = as_int(data.get("statusId", data.get("id")))
        sort_order = as_int(data.get("sortOrder"), as_int(data.get("sort"), status_id))
        return cls.read(data, order_type_code=as_str(data.get("orderTypeCode")).upper(), sort_order=sort_order)


@model
class OrderNote:
    id: int = wire("noteId", or_key="id")
    order_id: int = 0
    contact_id: int = wire("contactId")
    text: str = wire("text")
    is_public: bool = wire("isPublic")  # only public notes may be shown to customers/suppliers
    added_on: datetime | None = wire("addedOn")
    added_by: int = wire("addedBy")
    order_status_id: int = wire("orderStatusId")
    file_id: int = wire("fileId")

    @classmethod
    def from_wire(cls, data: Any, *, order_id: int = 0) -> OrderNote:
        """The note body has no order id: pass the order it was read from."""
        return cls.read(data, order_id=as_int(as_dict(data).get("orderId"), order_id))
