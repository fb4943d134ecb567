"""Typed views parsed from every relevant shared example, and from hostile variants."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from support.brightpearl import load_example

from portal.brightpearl.models import (
    Contact,
    ContactSearchRow,
    GoodsOutNote,
    Order,
    OrderNote,
    OrderSearchRow,
    OrderStatus,
    PostalAddress,
    ShippingMethod,
    StatementLine,
    as_datetime,
    as_decimal,
    as_int,
)

BST = timezone(timedelta(hours=1))


def body(name: str):
    return load_example(name)["response"]["body"]


def search_rows(name: str) -> list[dict]:
    """Rows of a search example keyed by column name (as BrightpearlClient.search builds them)."""
    response = body(name)["response"]
    names = [c["name"] for c in response["metaData"]["columns"]]
    return [dict(zip(names, row, strict=True)) for row in response["results"]]


# --- readers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-14T09:32:10.000+01:00", datetime(2024, 5, 14, 9, 32, 10, tzinfo=BST)),
        ("2024-05-15T15:05:47.512Z", datetime(2024, 5, 15, 15, 5, 47, 512000, tzinfo=UTC)),
        ("2024-05-14", datetime(2024, 5, 14, tzinfo=UTC)),
        ("2024-05-14T09:32:10", datetime(2024, 5, 14, 9, 32, 10, tzinfo=UTC)),
        ("2022-01-26T10:39:46.000-06:00", datetime(2022, 1, 26, 16, 39, 46, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("not a date", None),
        ({"x": 1}, None),
    ],
)
def test_as_datetime(text, expected):
    parsed = as_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_as_decimal_and_as_int_tolerate_junk():
    assert as_decimal("9.0909") == Decimal("9.0909")
    assert as_decimal(5000) == Decimal(5000)
    assert as_decimal(0.1) == Decimal("0.1")
    assert as_decimal(None) == 0
    assert as_decimal("abc") == 0
    assert as_decimal("NaN") == 0
    assert as_decimal(None, None) is None
    assert as_int("51234") == 51234
    assert as_int(" 7 ") == 7
    assert as_int("7.0") == 7
    assert as_int(7.5) == 0
    assert as_int(True) == 0
    assert as_int(None) == 0
    assert as_int([1]) == 0


# --- orders ----------------------------------------------------------------------------------
def test_sales_order_from_example():
    order = Order.from_wire(body("order-get")["response"][0])
    assert order.id == 51234
    assert order.order_type_code == "SO"
    assert order.reference == "PO-88123"
    assert order.display_reference == "PO-88123"
    assert (order.status_id, order.status_name) == (4, "Invoiced")
    assert order.payment_status == "PARTIALLY_PAID"
    assert order.shipping_status_code == "ASS"
    assert order.stock_status_code == "SOA"
    assert order.placed_on == datetime(2024, 5, 14, 9, 32, 10, tzinfo=BST)
    assert order.created_on == order.placed_on
    assert order.updated_on == datetime(2024, 5, 16, 15, 2, 44, tzinfo=BST)
    assert order.currency_code == "GBP"
    assert (order.net, order.tax, order.total) == (Decimal("412.50"), Decimal("82.50"), Decimal("495.00"))
    assert order.customer_contact_id == 1042
    assert order.supplier_contact_id == 0
    assert order.party_contact_id == 1042
    assert order.party.company == "Porter & Hale Interiors Ltd"
    assert order.billing.full_name == "Accounts Payable"
    assert order.billing.email == "ap@example.com"
    delivery = order.delivery
    assert delivery.full_name == "Goods In - Porter & Hale"
    assert delivery.company == "Porter & Hale Interiors Ltd"
    assert (delivery.line1, delivery.line2, delivery.line3, delivery.line4) == (
        "Dock 2, Aire Park",
        "Canal Road",
        "Leeds",
        "West Yorkshire",
    )
    assert delivery.postal_code == "LS11 5XY"
    assert delivery.country == "United Kingdom"
    assert delivery.country_iso2 == "GB"
    assert delivery.telephone == "0113 496 0001"
    assert delivery.lines[-2:] == ["LS11 5XY", "United Kingdom"]
    assert [r.row_id for r in order.rows] == [90211, 90212, 90213]
    first = order.rows[0]
    assert first.sequence == 10
    assert first.product_id == 3305
    assert first.sku == "OST-NAT"
    assert first.name == "Oak Side Table - Natural"
    assert first.quantity == Decimal("3")
    assert first.unit_price == Decimal("95")
    assert first.net == Decimal("285")
    assert first.tax == Decimal("57")
    assert first.tax_rate == Decimal("20")
    assert first.total == Decimal("342")
    free_text = order.rows[2]
    assert (free_text.product_id, free_text.sku, free_text.name) == (0, "", "Delivery - pallet")
    assert sum((r.net for r in order.rows), Decimal(0)) == order.net
    assert len(order.invoices) == 1
    assert order.invoices[0].reference == "SI-20931"
    assert order.invoice_reference == "SI-20931"
    assert order.invoices[0].tax_date == date(2024, 5, 16)
    assert order.invoices[0].due_date == date(2024, 6, 15)
    assert order.parent_order_id == 0
    assert order.acknowledged is False
    assert order.delivery_date == date(2024, 5, 17)
    assert order.shipping_method_id == 7
    assert order.price_mode == "EXC"
    assert order.custom_fields["PCF_PORTALUSR"] == "jane.porter@example.com"


def test_purchase_order_from_example():
    order = Order.from_wire(body("order-get-purchase-order")["response"][0])
    assert order.id == 7310
    assert order.order_type_code == "PO"
    assert order.is_purchase
    assert order.supplier_contact_id == 880
    assert order.customer_contact_id == 0
    assert order.party_contact_id == 880
    assert order.party.company == "Houtwerk Noord BV"
    assert order.currency_code == "EUR"
    assert order.total == Decimal("2400.00")
    assert order.shipping_method_id == 0
    assert order.invoice_reference == ""
    assert order.delivery_date == date(2024, 5, 24)
    (row,) = order.rows
    assert row.quantity == 60
    # productPrice is 0 on PO rows; the supplier's price is the item cost.
    assert row.unit_price == Decimal("40")
    assert row.net == Decimal("2400")


def test_order_hostile_variants():
    wire = copy.deepcopy(body("order-get")["response"][0])
    wire["id"] = "51234"
    wire["reference"] = ""
    del wire["totalValue"]["total"]
    del wire["parties"]["delivery"]
    del wire["invoices"]
    wire["orderStatus"] = None
    wire["orderRows"]["90211"]["orderRowSequence"] = "30"
    wire["orderRows"]["90213"]["orderRowSequence"] = "10"
    wire["orderRows"]["90212"]["quantity"] = None
    wire["orderRows"]["bad"] = "not a row"
    wire["acknowledged"] = 1
    wire["placedOn"] = "garbage"
    order = Order.from_wire(wire)
    assert order.id == 51234
    assert order.display_reference == "51234"
    assert order.total == Decimal("495.00")  # net + tax
    assert order.delivery.full_name == ""
    assert order.invoices == ()
    assert (order.status_id, order.status_name) == (0, "")
    assert [r.row_id for r in order.rows] == [90213, 90212, 90211]  # by sequence: 10, 20, 30
    assert order.rows[1].sequence == 20 and order.rows[1].quantity == 0
    assert order.acknowledged is True
    assert order.placed_on is None


def test_order_rows_sort_by_sequence_then_row_id():
    wire = {
        "id": 1,
        "orderRows": {
            "12": {"orderRowSequence": "20"},
            "11": {"orderRowSequence": "20"},
            "13": {"orderRowSequence": "10"},
        },
    }
    assert [r.row_id for r in Order.from_wire(wire).rows] == [13, 11, 12]


def test_empty_order_has_defaults():
    order = Order.from_wire({})
    assert order.id == 0 and order.rows == () and order.total == 0 and order.placed_on is None
    assert Order.from_wire(None).reference == ""  # type: ignore[arg-type]


def test_order_search_rows_from_example():
    rows = [OrderSearchRow.from_wire(r) for r in search_rows("order-search")]
    assert [r.order_id for r in rows] == [51234, 50987]
    first, second = rows
    assert first.order_type_id == 1
    assert first.contact_id == 1042
    assert first.status_id == 4
    assert first.created_on == datetime(2024, 5, 14, 9, 32, 10, tzinfo=BST)
    assert first.customer_ref == "PO-88123"
    assert first.shipping_status_id == 4
    assert first.payment_status_id == 2
    assert first.external_ref == ""  # null cell
    assert first.parent_order_id == 0
    assert first.tax_date == date(2024, 5, 16)
    assert first.delivery_date == date(2024, 5, 17)
    assert second.tax_date is None and second.delivery_date is None
    assert second.customer_ref == "Q-Spring range"


def test_order_search_row_hostile():
    row = OrderSearchRow.from_wire({"orderId": "77", "contactId": None, "createdOn": 17})
    assert row.order_id == 77 and row.contact_id == 0 and row.customer_ref == ""
    assert row.created_on is not None  # epoch milliseconds


def test_order_statuses_from_example():
    statuses = {s.id: s for s in (OrderStatus.from_wire(w) for w in body("order-status-list")["response"])}
    assert len(statuses) == 14
    quote = statuses[1]
    assert (quote.name, quote.order_type_code, quote.visible, quote.state) == ("Draft / Quote", "SO", True, "draft")
    assert quote.sort_order == 0 and quote.color == "#E7E6E4"
    assert statuses[3].visible is False
    assert statuses[6].order_type_code == "PO"
    assert OrderStatus.from_wire({"statusId": "19"}).id == 19


def test_order_notes_from_example():
    notes = [OrderNote.from_wire(n, order_id=51234) for n in body("order-note-get")["response"]]
    assert [n.id for n in notes] == [20411, 20455, 20562]
    public = [n for n in notes if n.is_public]
    assert len(public) == 1
    note = public[0]
    assert note.order_id == 51234
    assert note.contact_id == 1042
    assert note.text == "Please deliver to dock 2, not reception."
    assert note.added_on == datetime(2024, 5, 14, 10, 1, 37, tzinfo=BST)
    assert note.added_by == 4
    assert note.order_status_id == 2
    hostile = OrderNote.from_wire({"noteId": "5", "isPublic": "true", "text": None})
    assert (hostile.id, hostile.is_public, hostile.text, hostile.added_on) == (5, True, "", None)


# --- warehouse -------------------------------------------------------------------------------
def test_goods_out_note_from_example():
    (key, wire), = body("goods-out-note-get")["response"].items()
    note = GoodsOutNote.from_wire(wire, note_id=key)
    assert note.id == 70551
    assert note.order_id == 51234
    assert note.warehouse_id == 2
    assert note.shipped and note.packed and note.picked and note.printed
    assert note.shipped_on == datetime(2024, 5, 15, 16, 5, 47, tzinfo=BST)
    assert note.tracking_reference == "1Z999AA10123456784"
    assert note.shipping_method_id == 7
    assert note.created_on == datetime(2024, 5, 14, 9, 40, tzinfo=BST)
    assert note.rows == {90211: Decimal(3), 90212: Decimal(6)}


def test_goods_out_note_hostile():
    note = GoodsOutNote.from_wire(
        {
            "orderId": "9",
            "status": None,
            "shipping": {"reference": None},
            "orderRows": {"5": [{"quantity": 2}, {"quantity": "1"}], "6": {"quantity": 4}, "x": []},
        },
        note_id="12",
    )
    assert (note.id, note.order_id, note.shipped, note.tracking_reference) == (12, 9, False, "")
    assert note.rows == {5: Decimal(3), 6: Decimal(4)}


def test_shipping_methods_from_example():
    methods = [ShippingMethod.from_wire(w) for w in body("shipping-method-get")["response"]]
    assert [(m.id, m.name, m.code, m.carrier) for m in methods] == [
        (7, "Pallet - next day", "PALNXT", "Palletways"),
        (9, "UPS Standard", "UPSSTD", "UPS"),
    ]
    assert ShippingMethod.from_wire({"id": "3", "name": "Collect"}).code == ""


# --- contacts --------------------------------------------------------------------------------
def test_contact_from_example():
    contact = Contact.from_wire(body("contact-get")["response"][0])
    assert contact.id == 1042
    assert (contact.first_name, contact.last_name, contact.full_name) == ("Jane", "Porter", "Jane Porter")
    assert contact.email == "jane.porter@example.com"
    assert contact.emails["SEC"] == "ap@example.com"
    assert contact.company_name == "Porter & Hale Interiors Ltd"
    assert contact.organisation_id == 517
    assert contact.company_id == 517
    assert contact.is_supplier is False and contact.is_staff is False and contact.is_customer
    assert contact.post_address_ids == {"DEF": 3301, "BIL": 3301, "DEL": 3302}
    assert contact.credit_limit == Decimal(5000)
    assert contact.credit_term_days == 30
    assert contact.currency_id == 1
    assert contact.price_list_id == 2
    assert contact.discount_percentage == 0
    assert contact.staff_owner_contact_id == 12
    assert contact.telephones == {"PRI": "0113 496 0000", "MOB": "07700 900123"}
    assert contact.tax_number == "GB123456789"
    assert contact.account_reference == "PORTERH01"
    assert contact.tag_ids == (9, 14)


def test_contact_hostile():
    contact = Contact.from_wire(
        {
            "contactId": "1042",
            "communication": {"emails": {"PRI": None}, "telephones": []},
            "organisation": {},
            "relationshipToAccount": {"isSupplier": "true"},
            "financialDetails": {"creditLimit": None},
            "postAddressIds": {"DEF": "3301", "DEL": 0},
            "contactTags": None,
        }
    )
    assert contact.id == 1042
    assert contact.email == "" and contact.telephones == {}
    assert contact.full_name == ""
    assert contact.is_supplier and not contact.is_customer
    assert contact.credit_limit == 0
    assert contact.post_address_ids == {"DEF": 3301}
    assert contact.tag_ids == ()


def test_contact_search_rows_from_example():
    (row,) = [ContactSearchRow.from_wire(r) for r in search_rows("contact-search")]
    assert row.contact_id == 1042
    assert row.primary_email == "jane.porter@example.com"
    assert row.secondary_email == "ap@example.com"
    assert (row.first_name, row.last_name, row.full_name) == ("Jane", "Porter", "Jane Porter")
    assert row.company_name == "Porter & Hale Interiors Ltd"
    assert row.is_customer and not row.is_supplier and not row.is_staff
    assert row.is_primary
    assert row.telephone == "0113 496 0000"
    assert row.mobile == "07700 900123"
    assert row.created_on == datetime(2021, 9, 2, 11, 20, tzinfo=BST)


def test_postal_addresses_from_example():
    addresses = [PostalAddress.from_wire(w) for w in body("postal-address-get")["response"]]
    first = addresses[0]
    assert (first.id, first.contact_id) == (3301, 1042)
    assert (first.line1, first.line2, first.line3, first.line4) == (
        "Unit 4, Riverside Works",
        "Mill Lane",
        "Leeds",
        "West Yorkshire",
    )
    assert first.postal_code == "LS10 1AB"
    assert (first.country_iso3, first.country_iso2, first.country_id) == ("GBR", "GB", 222)
    assert addresses[1].id == 3302
    hostile = PostalAddress.from_wire({"addressId": "9", "addressLine2": None})
    assert (hostile.id, hostile.line2, hostile.lines) == (9, "", [])


# --- accounting ------------------------------------------------------------------------------
def test_statement_lines_from_example():
    lines = [StatementLine.from_wire(r) for r in search_rows("all-transaction-statement-search")]
    invoice, receipt = lines
    assert invoice.journal_id == 88120
    assert invoice.order_id == 51234
    assert invoice.journal_type_code == "SI"
    assert invoice.journal_date == date(2024, 5, 16)
    assert invoice.due_date == date(2024, 6, 15)
    assert invoice.reference == "SI-20931"
    assert invoice.customer_reference == "PO-88123"
    assert (invoice.invoice_amount, invoice.paid_amount, invoice.due_amount) == (
        Decimal("495.00"),
        Decimal("200.00"),
        Decimal("295.00"),
    )
    assert receipt.due_date is None  # null cell
    assert receipt.paid_amount == Decimal("200.00")


def test_contact_balance_example_parses_as_decimal():
    assert as_decimal(body("contact-balance-get")["response"], None) == Decimal("1245.60")
    assert as_decimal(load_example("contact-balance-get")["no_transactions_response"]["body"]["response"], None) is None
