"""Typed, read-only views of Brightpearl resources, parsed tolerantly from the wire JSON.

Every `from_wire` accepts whatever Brightpearl (or a hostile/buggy stub) sends: missing fields
become defaults ("" for text, 0 for ids, Decimal 0 for money, None for dates), ids given as
strings become ints, money becomes `Decimal`, dates become timezone-aware `datetime`s. Nothing
here raises KeyError; a value of the wrong type is treated as missing.

Id fields use 0 for "none", as Brightpearl does (e.g. `parentOrderId: 0`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ZERO = Decimal("0")
PURCHASE_TYPES = frozenset({"PO", "PC"})


# --- tolerant readers ------------------------------------------------------------------------
def dig(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]…, or None as soon as a step is missing or not a dict."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def as_int(value: Any, default: int = 0) -> int:
    """An id or count: ints, digit strings ("42", " 42 ", "42.0") and whole floats; else default."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return default
    if not number.is_finite() or number != number.to_integral_value():
        return default
    return int(number)


def as_decimal(value: Any, default: Decimal | None = ZERO) -> Decimal | None:
    """Money or a quantity: strings ("9.09") and numbers; floats via their repr. Else default."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return default
    return number if number.is_finite() else default


def as_str(value: Any) -> str:
    """Text; None -> ""; numbers as written."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def as_bool(value: Any) -> bool:
    """true/false, 1/0, "true"/"1"/"yes" (acknowledged is 0/1 on the wire)."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "y"}
    if isinstance(value, (int, float)):
        return value != 0
    return bool(value) if isinstance(value, bool) else False


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 with an offset (`2024-05-14T09:32:10.000+01:00`), `Z`,
    a date alone, or epoch milliseconds. Naive values are taken as UTC. Else None."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


# --- orders ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartyAddress:
    """A name-and-address block of an order (customer/supplier, billing or delivery)."""

    contact_id: int = 0
    full_name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    line3: str = ""
    line4: str = ""
    postal_code: str = ""
    country: str = ""
    country_iso2: str = ""
    country_iso3: str = ""
    email: str = ""
    telephone: str = ""
    mobile: str = ""

    @classmethod
    def from_wire(cls, data: Any) -> PartyAddress:
        data = _dict(data)
        return cls(
            contact_id=as_int(data.get("contactId")),
            full_name=as_str(data.get("addressFullName")),
            company=as_str(data.get("companyName")),
            line1=as_str(data.get("addressLine1")),
            line2=as_str(data.get("addressLine2")),
            line3=as_str(data.get("addressLine3")),
            line4=as_str(data.get("addressLine4")),
            postal_code=as_str(data.get("postalCode")),
            country=as_str(data.get("country")),
            country_iso2=as_str(data.get("countryIsoCode")),
            country_iso3=as_str(data.get("countryIsoCode3")),
            email=as_str(data.get("email")),
            telephone=as_str(data.get("telephone")),
            mobile=as_str(data.get("mobileTelephone")),
        )

    @property
    def lines(self) -> list[str]:
        """The non-empty address lines, postal code and country, in display order."""
        parts = [self.line1, self.line2, self.line3, self.line4, self.postal_code, self.country]
        return [p for p in parts if p.strip()]


@dataclass(frozen=True)
class OrderRow:
    row_id: int = 0
    sequence: int = 0
    product_id: int = 0  # 0 for a free-text row
    sku: str = ""
    name: str = ""
    quantity: Decimal = ZERO
    unit_price: Decimal = ZERO
    net: Decimal = ZERO
    tax: Decimal = ZERO
    tax_rate: Decimal = ZERO
    tax_code: str = ""
    discount_percentage: Decimal = ZERO
    options: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.net + self.tax

    @classmethod
    def from_wire(cls, data: Any, *, row_id: Any = None, purchase: bool = False) -> OrderRow:
        """`row_id` is the key of the row in `orderRows`. On purchase orders/credits the unit
        price is the item cost: Brightpearl leaves `productPrice` at 0 there."""
        data = _dict(data)
        price = as_decimal(dig(data, "productPrice", "value"))
        # API note: PO rows carry the supplier price in itemCost (recorded productPrice 0.0000,
        # rowNet = quantity x itemCost); we prefer itemCost on PO/PC when it is present.
        cost = as_decimal(dig(data, "itemCost", "value"), None)
        if purchase and cost is not None:
            price = cost
        options = {as_str(k): as_str(v) for k, v in _dict(data.get("productOptions")).items()}
        return cls(
            row_id=as_int(row_id if row_id is not None else data.get("id", data.get("orderRowId"))),
            sequence=as_int(data.get("orderRowSequence")),
            product_id=as_int(data.get("productId")),
            sku=as_str(data.get("productSku")),
            name=as_str(data.get("productName")),
            quantity=as_decimal(dig(data, "quantity", "magnitude")),
            unit_price=price,
            net=as_decimal(dig(data, "rowValue", "rowNet", "value")),
            tax=as_decimal(dig(data, "rowValue", "rowTax", "value")),
            tax_rate=as_decimal(dig(data, "rowValue", "taxRate")),
            tax_code=as_str(dig(data, "rowValue", "taxCode")),
            discount_percentage=as_decimal(data.get("discountPercentage")),
            options=options,
        )


@dataclass(frozen=True)
class Invoice:
    reference: str = ""  # "" until the order is invoiced
    tax_date: datetime | None = None
    due_date: datetime | None = None

    @classmethod
    def from_wire(cls, data: Any) -> Invoice:
        data = _dict(data)
        return cls(
            reference=as_str(data.get("invoiceReference")),
            tax_date=as_datetime(data.get("taxDate")),
            due_date=as_datetime(data.get("dueDate")),
        )


@dataclass(frozen=True)
class Order:
    """An order of any type (SO sales order, SC sales credit, PO purchase order, PC purchase
    credit) from the legacy Order GET (API.md §7.1)."""

    id: int = 0
    order_type_code: str = ""
    reference: str = ""
    status_id: int = 0
    status_name: str = ""
    payment_status: str = ""
    shipping_status_code: str = ""
    stock_status_code: str = ""
    allocation_status_code: str = ""
    placed_on: datetime | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    closed_on: datetime | None = None
    currency_code: str = ""
    net: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    customer_contact_id: int = 0
    supplier_contact_id: int = 0
    party: PartyAddress = field(default_factory=PartyAddress)  # the customer or supplier block
    billing: PartyAddress = field(default_factory=PartyAddress)
    delivery: PartyAddress = field(default_factory=PartyAddress)
    rows: list[OrderRow] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    parent_order_id: int = 0
    acknowledged: bool = False
    delivery_date: datetime | None = None
    shipping_method_id: int = 0
    price_mode: str = ""
    warehouse_id: int = 0
    price_list_id: int = 0
    custom_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def is_purchase(self) -> bool:
        return self.order_type_code in PURCHASE_TYPES

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
    def invoice_reference(self) -> str:
        """The first invoice number, "" while not invoiced."""
        return next((i.reference for i in self.invoices if i.reference), "")

    @classmethod
    def from_wire(cls, data: Any) -> Order:
        data = _dict(data)
        type_code = as_str(data.get("orderTypeCode")).upper()
        parties = _dict(data.get("parties"))
        customer = PartyAddress.from_wire(parties.get("customer"))
        supplier = PartyAddress.from_wire(parties.get("supplier"))
        purchase = type_code in PURCHASE_TYPES
        rows = [
            OrderRow.from_wire(row, row_id=key, purchase=purchase)
            for key, row in _dict(data.get("orderRows")).items()
            if isinstance(row, dict)
        ]
        rows.sort(key=lambda r: (r.sequence, r.row_id))
        totals = _dict(data.get("totalValue"))
        net = as_decimal(totals.get("net"))
        tax = as_decimal(totals.get("taxAmount"))
        return cls(
            id=as_int(data.get("id")),
            order_type_code=type_code,
            reference=as_str(data.get("reference")),
            status_id=as_int(dig(data, "orderStatus", "orderStatusId")),
            status_name=as_str(dig(data, "orderStatus", "name")),
            payment_status=as_str(data.get("orderPaymentStatus")),
            shipping_status_code=as_str(data.get("shippingStatusCode")),
            stock_status_code=as_str(data.get("stockStatusCode")),
            allocation_status_code=as_str(data.get("allocationStatusCode")),
            placed_on=as_datetime(data.get("placedOn")),
            created_on=as_datetime(data.get("createdOn")),
            updated_on=as_datetime(data.get("updatedOn")),
            closed_on=as_datetime(data.get("closedOn")),
            currency_code=as_str(dig(data, "currency", "orderCurrencyCode")),
            net=net,
            tax=tax,
            total=as_decimal(totals.get("total"), net + tax),
            customer_contact_id=customer.contact_id,
            supplier_contact_id=supplier.contact_id,
            party=supplier if purchase and "supplier" in parties else customer,
            billing=PartyAddress.from_wire(parties.get("billing")),
            delivery=PartyAddress.from_wire(parties.get("delivery")),
            rows=rows,
            invoices=[Invoice.from_wire(i) for i in _list(data.get("invoices")) if isinstance(i, dict)],
            parent_order_id=as_int(data.get("parentOrderId")),
            acknowledged=as_bool(data.get("acknowledged")),
            delivery_date=as_datetime(dig(data, "delivery", "deliveryDate")),
            shipping_method_id=as_int(dig(data, "delivery", "shippingMethodId")),
            price_mode=as_str(data.get("priceModeCode")),
            warehouse_id=as_int(data.get("warehouseId")),
            price_list_id=as_int(data.get("priceListId")),
            custom_fields=dict(_dict(data.get("customFields"))),
        )


@dataclass(frozen=True)
class OrderSearchRow:
    """One row of `order-service/order-search` (API.md §7.2): enough for a list page."""

    order_id: int = 0
    order_type_id: int = 0
    contact_id: int = 0
    status_id: int = 0
    stock_status_id: int = 0
    created_on: datetime | None = None
    updated_on: datetime | None = None
    customer_ref: str = ""
    shipping_status_id: int = 0
    payment_status_id: int = 0
    external_ref: str = ""
    parent_order_id: int = 0
    warehouse_id: int = 0
    tax_date: datetime | None = None
    delivery_date: datetime | None = None

    @classmethod
    def from_wire(cls, data: Any) -> OrderSearchRow:
        """`data` is a search row keyed by column name (see BrightpearlClient.search)."""
        data = _dict(data)
        return cls(
            order_id=as_int(data.get("orderId")),
            order_type_id=as_int(data.get("orderTypeId")),
            contact_id=as_int(data.get("contactId")),
            status_id=as_int(data.get("orderStatusId")),
            stock_status_id=as_int(data.get("orderStockStatusId")),
            created_on=as_datetime(data.get("createdOn")),
            updated_on=as_datetime(data.get("updatedOn")),
            customer_ref=as_str(data.get("customerRef")),
            shipping_status_id=as_int(data.get("orderShippingStatusId")),
            payment_status_id=as_int(data.get("orderPaymentStatusId")),
            external_ref=as_str(data.get("externalRef")),
            parent_order_id=as_int(data.get("parentOrderId")),
            warehouse_id=as_int(data.get("warehouseId")),
            tax_date=as_datetime(data.get("taxDate")),
            delivery_date=as_datetime(data.get("deliveryDate")),
        )


@dataclass(frozen=True)
class OrderStatus:
    id: int = 0
    name: str = ""
    order_type_code: str = ""
    visible: bool = False  # "visible to the customer" in Brightpearl's own portal
    state: str = ""  # only "draft" is known (quotes, pending POs)
    sort_order: int = 0
    color: str = ""
    disabled: bool = False

    @classmethod
    def from_wire(cls, data: Any) -> OrderStatus:
        data = _dict(data)
        return cls(
            id=as_int(data.get("statusId", data.get("id"))),
            name=as_str(data.get("name")),
            order_type_code=as_str(data.get("orderTypeCode")).upper(),
            visible=as_bool(data.get("visible")),
            state=as_str(data.get("state")),
            sort_order=as_int(data.get("sortOrder")),
            color=as_str(data.get("color")),
            disabled=as_bool(data.get("disabled")),
        )


@dataclass(frozen=True)
class OrderNote:
    id: int = 0
    order_id: int = 0
    contact_id: int = 0
    text: str = ""
    is_public: bool = False  # only public notes may be shown to customers/suppliers
    added_on: datetime | None = None
    added_by: int = 0
    order_status_id: int = 0
    file_id: int = 0

    @classmethod
    def from_wire(cls, data: Any, *, order_id: int = 0) -> OrderNote:
        """The note body has no order id: pass the order it was read from."""
        data = _dict(data)
        return cls(
            id=as_int(data.get("noteId", data.get("id"))),
            order_id=as_int(data.get("orderId"), order_id),
            contact_id=as_int(data.get("contactId")),
            text=as_str(data.get("text")),
            is_public=as_bool(data.get("isPublic")),
            added_on=as_datetime(data.get("addedOn")),
            added_by=as_int(data.get("addedBy")),
            order_status_id=as_int(data.get("orderStatusId")),
            file_id=as_int(data.get("fileId")),
        )


# --- warehouse -------------------------------------------------------------------------------
@dataclass(frozen=True)
class GoodsOutNote:
    """A despatch (API.md §9.1). `rows` maps order row id -> quantity on this note."""

    id: int = 0
    order_id: int = 0
    warehouse_id: int = 0
    printed: bool = False
    picked: bool = False
    packed: bool = False
    shipped: bool = False
    shipped_on: datetime | None = None
    tracking_reference: str = ""  # carrier tracking number; "" when not set
    shipping_method_id: int = 0
    created_on: datetime | None = None
    release_date: datetime | None = None
    rows: dict[int, Decimal] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, data: Any, *, note_id: Any = None) -> GoodsOutNote:
        """`note_id` is the key of the note in the response map (the body has no id)."""
        data = _dict(data)
        rows: dict[int, Decimal] = {}
        for row_id, lines in _dict(data.get("orderRows")).items():
            # A row may be split over several locations: add the quantities up.
            entries = lines if isinstance(lines, list) else [lines]
            quantity = sum((as_decimal(_dict(e).get("quantity")) for e in entries), ZERO)
            if as_int(row_id):
                rows[as_int(row_id)] = quantity
        status = _dict(data.get("status"))
        return cls(
            id=as_int(note_id if note_id is not None else data.get("id", data.get("goodsOutNoteId"))),
            order_id=as_int(data.get("orderId")),
            warehouse_id=as_int(data.get("warehouseId")),
            printed=as_bool(status.get("printed")),
            picked=as_bool(status.get("picked")),
            packed=as_bool(status.get("packed")),
            shipped=as_bool(status.get("shipped")),
            shipped_on=as_datetime(status.get("shippedOn")),
            tracking_reference=as_str(dig(data, "shipping", "reference")).strip(),
            shipping_method_id=as_int(dig(data, "shipping", "shippingMethodId")),
            created_on=as_datetime(data.get("createdOn")),
            release_date=as_datetime(data.get("releaseDate")),
            rows=rows,
        )


@dataclass(frozen=True)
class ShippingMethod:
    id: int = 0
    name: str = ""
    code: str = ""
    carrier: str = ""

    @classmethod
    def from_wire(cls, data: Any) -> ShippingMethod:
        data = _dict(data)
        return cls(
            id=as_int(data.get("id")),
            name=as_str(data.get("name")),
            code=as_str(data.get("code")),
            carrier=as_str(data.get("carrier")),
        )


# --- contacts --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    """A contact from Contact GET (API.md §6.1): customer, supplier or staff."""

    id: int = 0
    salutation: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""  # communication.emails.PRI.email
    emails: dict[str, str] = field(default_factory=dict)  # PRI/SEC/TER -> address
    telephones: dict[str, str] = field(default_factory=dict)  # PRI/SEC/MOB/FAX -> number
    company_name: str = ""
    organisation_id: int = 0
    company_id: int = 0
    is_primary_contact: bool = False
    is_supplier: bool = False
    is_staff: bool = False
    post_address_ids: dict[str, int] = field(default_factory=dict)  # DEF/BIL/DEL -> address id
    credit_limit: Decimal = ZERO
    credit_term_days: int = 0
    currency_id: int = 0
    price_list_id: int = 0
    discount_percentage: Decimal = ZERO
    tax_number: str = ""
    account_reference: str = ""
    staff_owner_contact_id: int = 0
    created_on: datetime | None = None
    updated_on: datetime | None = None
    tag_ids: list[int] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        """First and last name; the company name when both are empty."""
        name = " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p)
        return name or self.company_name

    @property
    def is_customer(self) -> bool:
        """Brightpearl has no isCustomer on Contact GET: a customer is neither supplier nor staff."""
        return not (self.is_supplier or self.is_staff)

    @classmethod
    def from_wire(cls, data: Any) -> Contact:
        data = _dict(data)
        emails = {
            as_str(k): as_str(_dict(v).get("email"))
            for k, v in _dict(dig(data, "communication", "emails")).items()
            if as_str(_dict(v).get("email"))
        }
        telephones = {
            as_str(k): as_str(v) for k, v in _dict(dig(data, "communication", "telephones")).items() if as_str(v)
        }
        addresses = {
            as_str(k).upper(): as_int(v) for k, v in _dict(data.get("postAddressIds")).items() if as_int(v)
        }
        finance = _dict(data.get("financialDetails"))
        assignment = _dict(dig(data, "assignment", "current"))
        tags = [as_int(t) for t in as_str(data.get("contactTags")).split(",") if as_int(t)]
        return cls(
            id=as_int(data.get("contactId", data.get("id"))),
            salutation=as_str(data.get("salutation")),
            first_name=as_str(data.get("firstName")),
            last_name=as_str(data.get("lastName")),
            email=emails.get("PRI", ""),
            emails=emails,
            telephones=telephones,
            # API note: organisation.name is missing from 2025 recordings; contact-search has
            # companyName when this is empty.
            company_name=as_str(dig(data, "organisation", "name")),
            organisation_id=as_int(dig(data, "organisation", "organisationId")),
            company_id=as_int(data.get("companyId")),
            is_primary_contact=as_bool(data.get("isPrimaryContact")),
            is_supplier=as_bool(dig(data, "relationshipToAccount", "isSupplier")),
            is_staff=as_bool(dig(data, "relationshipToAccount", "isStaff")),
            post_address_ids=addresses,
            credit_limit=as_decimal(finance.get("creditLimit")),
            credit_term_days=as_int(finance.get("creditTermDays")),
            currency_id=as_int(finance.get("currencyId")),
            price_list_id=as_int(finance.get("priceListId")),
            discount_percentage=as_decimal(finance.get("discountPercentage")),
            tax_number=as_str(finance.get("taxNumber")),
            account_reference=as_str(assignment.get("accountReference")),
            staff_owner_contact_id=as_int(assignment.get("staffOwnerContactId")),
            created_on=as_datetime(data.get("createdOn")),
            updated_on=as_datetime(data.get("updatedOn")),
            tag_ids=tags,
        )


@dataclass(frozen=True)
class ContactSearchRow:
    """One row of `contact-service/contact-search` (API.md §6.2)."""

    contact_id: int = 0
    primary_email: str = ""
    secondary_email: str = ""
    tertiary_email: str = ""
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    is_supplier: bool = False
    is_staff: bool = False
    is_customer: bool = False
    is_primary: bool = False
    telephone: str = ""
    mobile: str = ""
    created_on: datetime | None = None
    updated_on: datetime | None = None

    @property
    def full_name(self) -> str:
        name = " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p)
        return name or self.company_name

    @classmethod
    def from_wire(cls, data: Any) -> ContactSearchRow:
        data = _dict(data)
        return cls(
            contact_id=as_int(data.get("contactId")),
            primary_email=as_str(data.get("primaryEmail")),
            secondary_email=as_str(data.get("secondaryEmail")),
            tertiary_email=as_str(data.get("tertiaryEmail")),
            first_name=as_str(data.get("firstName")),
            last_name=as_str(data.get("lastName")),
            company_name=as_str(data.get("companyName")),
            is_supplier=as_bool(data.get("isSupplier")),
            is_staff=as_bool(data.get("isStaff")),
            is_customer=as_bool(data.get("isCustomer")),
            is_primary=as_bool(data.get("isPrimary")),
            telephone=as_str(data.get("pri")),
            mobile=as_str(data.get("mob")),
            created_on=as_datetime(data.get("createdOn")),
            updated_on=as_datetime(data.get("updatedOn")),
        )


@dataclass(frozen=True)
class PostalAddress:
    """A postal address resource (API.md §6.4). Lines: 1 street, 2 locality, 3 town, 4 county.
    Addresses carry no name, phone or e-mail: those live on the contact."""

    id: int = 0
    contact_id: int = 0
    line1: str = ""
    line2: str = ""
    line3: str = ""
    line4: str = ""
    postal_code: str = ""
    country_iso3: str = ""
    country_iso2: str = ""
    country_id: int = 0

    @property
    def lines(self) -> list[str]:
        parts = [self.line1, self.line2, self.line3, self.line4, self.postal_code, self.country_iso2]
        return [p for p in parts if p.strip()]

    @classmethod
    def from_wire(cls, data: Any) -> PostalAddress:
        data = _dict(data)
        return cls(
            id=as_int(data.get("addressId", data.get("id"))),
            contact_id=as_int(data.get("contactId")),
            line1=as_str(data.get("addressLine1")),
            line2=as_str(data.get("addressLine2")),
            line3=as_str(data.get("addressLine3")),
            line4=as_str(data.get("addressLine4")),
            postal_code=as_str(data.get("postalCode")),
            country_iso3=as_str(data.get("countryIsoCode")),
            country_iso2=as_str(data.get("countryIsoCode2")),
            country_id=as_int(data.get("countryId")),
        )


# --- accounting ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatementLine:
    """One row of the all-transaction statement search (API.md §8.4)."""

    journal_id: int = 0
    order_id: int = 0
    journal_type_code: str = ""  # API note: SI/SC/SR… meanings unconfirmed
    journal_date: datetime | None = None
    due_date: datetime | None = None
    reference: str = ""
    customer_reference: str = ""
    invoice_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO
    due_amount: Decimal = ZERO

    @classmethod
    def from_wire(cls, data: Any) -> StatementLine:
        data = _dict(data)
        return cls(
            journal_id=as_int(data.get("journalId")),
            order_id=as_int(data.get("orderId")),
            journal_type_code=as_str(data.get("journalTypeCode")),
            journal_date=as_datetime(data.get("journalDate")),
            due_date=as_datetime(data.get("journalDueDate")),
            reference=as_str(data.get("reference")),
            customer_reference=as_str(data.get("customerReference")),
            invoice_amount=as_decimal(data.get("invoiceAmount")),
            paid_amount=as_decimal(data.get("paidAmount")),
            due_amount=as_decimal(data.get("dueAmount")),
        )


# --- account and address book ----------------------------------------------------------------
@dataclass(frozen=True)
class PriceList:
    """A price list (API.md §10.3). `currency_code` is ISO 4217, e.g. "GBP"."""

    id: int = 0
    name: str = ""
    code: str = ""
    currency_code: str = ""
    currency_id: int = 0
    type_code: str = ""  # BUY | SELL
    gross: bool = False  # prices include tax

    @classmethod
    def from_wire(cls, data: Any) -> PriceList:
        data = _dict(data)
        name = data.get("name")
        # API note: the name is a {languageCode, text, format} object in the docs; a plain
        # string is accepted too.
        text = as_str(_dict(name).get("text")) if isinstance(name, dict) else as_str(name)
        return cls(
            id=as_int(data.get("id")),
            name=text,
            code=as_str(data.get("code")),
            currency_code=as_str(data.get("currencyCode")).strip().upper(),
            currency_id=as_int(data.get("currencyId")),
            type_code=as_str(data.get("priceListTypeCode")).upper(),
            gross=as_bool(data.get("gross")),
        )


@dataclass(frozen=True)
class ContactWithAddresses(Contact):
    """A Contact read with `includeOptional=postalAddresses`: also every postal address linked
    to it, by address id.

    `addresses_included` is False when Brightpearl sent no `postalAddresses` section (the
    parameter's value is UNCONFIRMED, API.md §4.5; a real account may ignore it): then only the
    DEF/BIL/DEL ids of `post_address_ids` are known and must be read one by one.
    """

    postal_addresses: dict[int, PostalAddress] = field(default_factory=dict)
    addresses_included: bool = False

    @classmethod
    def from_wire(cls, data: Any) -> ContactWithAddresses:
        return cls.extend(Contact.from_wire(data), _dict(data).get("postalAddresses"))

    @classmethod
    def extend(cls, contact: Contact, section: Any = None) -> ContactWithAddresses:
        """`contact` with the addresses of a `postalAddresses` section (None: not sent)."""
        # API note: the sandbox sends a map keyed by address id whose values are shaped like
        # postal-address GET items; a list of such items is accepted too.
        if isinstance(section, dict):
            items = [(key, value) for key, value in section.items() if isinstance(value, dict)]
        else:
            items = [(None, value) for value in _list(section) if isinstance(value, dict)]
        addresses: dict[int, PostalAddress] = {}
        for key, value in items:
            address = PostalAddress.from_wire(value)
            if not address.id and as_int(key):
                address = PostalAddress.from_wire({**value, "addressId": as_int(key)})
            if address.id:
                addresses[address.id] = address
        base = {f.name: getattr(contact, f.name) for f in fields(Contact)}
        return cls(**base, postal_addresses=addresses, addresses_included=isinstance(section, (dict, list)))
