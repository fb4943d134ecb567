"""The sandbox's in-memory account: resources in their wire shape plus lookups for tests.

Resources that Brightpearl returns whole (contacts, postal addresses, orders, notes,
goods-out notes, products) are kept exactly as they go on the wire, so `data.orders[id]` is
what `GET order/{id}` returns.  Facts the wire shape does not carry (an order's externalRef,
its invoice journal id, custom fields) live in `order_meta`.  Accounting views (statement
lines, balances) are derived from orders and payments on demand, so they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from portal.sandbox import reference as ref
from portal.sandbox.formats import money, wire_date, wire_datetime, wire_day


@dataclass
class OrderMeta:
    """What Brightpearl knows about an order but does not put in the order GET body."""

    external_ref: str | None = None
    installed_integration_instance_id: int = 0
    department_id: int = 0
    invoice_journal_id: int | None = None
    acknowledgement_reference: str | None = None
    # A tax date set before invoicing (API-ADDENDUM I.3): order-search shows it like an invoice's.
    tax_date_set: bool = False
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class IdCounters:
    """Next free id per resource; ids are never reused (API.md conventions)."""

    contact: int = 1001
    organisation: int = 501
    address: int = 5001
    product: int = 2001
    order: int = 60001
    row: int = 90001
    goods_out: int = 70001
    note: int = 20001
    contact_note: int = 4401
    payment: int = 61001
    journal: int = 88001
    invoice_number: int = 20001
    credit_number: int = 1201
    event_version: int = 771001

    def take(self, name: str) -> int:
        value: int = getattr(self, name)
        setattr(self, name, value + 1)
        return value


CUSTOM_FIELD_CODES = ("PCF_PORTALUSR", "PCF_DELIVNOTE")


class DataStore:
    """All data of the sandbox account.  Mutate only through the methods below or handlers."""

    def __init__(self, today: date, zone: tzinfo) -> None:
        self.today = today  # the account's local day the data was generated for
        self.zone = zone  # the account's time zone: every date goes out in its offset
        self.ids = IdCounters()
        self.contacts: dict[int, dict[str, Any]] = {}
        self.addresses: dict[int, dict[str, Any]] = {}
        self.companies: dict[int, str] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.order_meta: dict[int, OrderMeta] = {}
        self.notes: dict[int, dict[str, Any]] = {}
        self.note_order: dict[int, int] = {}
        self.contact_notes: dict[int, dict[str, Any]] = {}
        self.goods_out: dict[int, dict[str, Any]] = {}
        self.payments: dict[int, dict[str, Any]] = {}
        self.products: dict[int, dict[str, Any]] = {}
        self.product_prices: dict[int, dict[int, dict[str, str]]] = {}
        self.product_suppliers: dict[int, int] = {}
        self.availability: dict[int, dict[int, dict[str, int]]] = {}
        self._notes_by_order: dict[int, list[int]] = defaultdict(list)
        self._goods_out_by_order: dict[int, list[int]] = defaultdict(list)
        self._payments_by_order: dict[int, list[int]] = defaultdict(list)

    # ----------------------------------------------------------------- contacts & addresses
    def contact_by_email(self, email: str) -> dict[str, Any] | None:
        """The first contact (lowest id) whose primary email equals `email`, ignoring case."""
        wanted = email.strip().casefold()
        for contact_id in sorted(self.contacts):
            contact = self.contacts[contact_id]
            if primary_email(contact).casefold() == wanted:
                return contact
        return None

    def addresses_for(self, contact_id: int) -> list[dict[str, Any]]:
        """All postal addresses linked to the contact, lowest id first."""
        return [a for _, a in sorted(self.addresses.items()) if a["contactId"] == contact_id]

    def add_address(self, fields: dict[str, Any], contact_id: int = 0) -> int:
        """Store a postal address (wire fields) and return its new id."""
        address_id = self.ids.take("address")
        self.addresses[address_id] = {"addressId": address_id, "contactId": contact_id, **fields}
        return address_id

    def company_name(self, contact: dict[str, Any]) -> str:
        organisation = contact.get("organisation", {})
        return str(organisation.get("name") or self.companies.get(contact.get("companyId", 0), ""))

    # ----------------------------------------------------------------------------- orders
    def orders_for(self, contact_id: int, type_code: str | None = None) -> list[dict[str, Any]]:
        """Orders whose customer (SO/SC) or supplier (PO/PC) is the contact, by id."""
        found = []
        for order_id in sorted(self.orders):
            order = self.orders[order_id]
            if order_contact_id(order) == contact_id and type_code in (None, order["orderTypeCode"]):
                found.append(order)
        return found

    def order_by_external_ref(self, external_ref: str, instance_id: int = 0) -> dict[str, Any] | None:
        for order_id, meta in self.order_meta.items():
            if meta.external_ref == external_ref and meta.installed_integration_instance_id == instance_id:
                return self.orders[order_id]
        return None

    def touch_order(self, order_id: int, now: datetime) -> None:
        """Record a change: bump `version` and `updatedOn`."""
        order = self.orders[order_id]
        order["version"] = int(order.get("version", 0)) + 1
        order["updatedOn"] = wire_datetime(now, self.zone)

    def set_order_status(self, order_id: int, status_id: int, now: datetime) -> None:
        order = self.orders[order_id]
        order["orderStatus"] = {"orderStatusId": status_id, "name": ref.STATUS_BY_ID[status_id].name}
        self.touch_order(order_id, now)

    # ------------------------------------------------------------------------------ notes
    def notes_for(self, order_id: int) -> list[dict[str, Any]]:
        """All notes on the order (public and private), oldest first."""
        return [self.notes[note_id] for note_id in self._notes_by_order.get(order_id, ())]

    def add_note(
        self, order_id: int, text: str, is_public: bool, contact_id: int, added_by: int,
        added_on: datetime, file_id: int | None = None, status_id: int | None = None,
    ) -> int:
        """Add a note; it records `status_id` or else the order's current status."""
        note_id = self.ids.take("note")
        note: dict[str, Any] = {
            "noteId": note_id,
            "contactId": contact_id,
            "text": text,
            "isPublic": is_public,
            "addedOn": wire_datetime(added_on, self.zone),
            "addedBy": added_by,
            "orderStatusId": status_id or self.orders[order_id]["orderStatus"]["orderStatusId"],
        }
        if file_id is not None:
            note["fileId"] = file_id
        self.notes[note_id] = note
        self.note_order[note_id] = order_id
        self._notes_by_order[order_id].append(note_id)
        return note_id

    # ------------------------------------------------------------------------ goods out
    def goods_out_for(self, order_id: int) -> dict[int, dict[str, Any]]:
        """The order's goods-out notes keyed by note id."""
        return {gid: self.goods_out[gid] for gid in self._goods_out_by_order.get(order_id, ())}

    def add_goods_out(self, note: dict[str, Any]) -> int:
        note_id = self.ids.take("goods_out")
        self.goods_out[note_id] = note
        self._goods_out_by_order[int(note["orderId"])].append(note_id)
        return note_id

    def tracking_references(self, order_id: int) -> list[str]:
        """Non-empty carrier references of the order's shipped notes."""
        return [
            n["shipping"]["reference"]
            for n in self.goods_out_for(order_id).values()
            if n["status"]["shipped"] and n["shipping"]["reference"]
        ]

    # -------------------------------------------------------------------------- payments
    def payments_for(self, order_id: int) -> list[dict[str, Any]]:
        """Customer payments recorded against the order (search-record dicts)."""
        return [self.payments[pid] for pid in self._payments_by_order.get(order_id, ())]

    def add_payment(
        self, order_id: int, payment_type: str, amount: Decimal, method: str, paid_on: datetime,
        created_on: datetime, transaction_ref: str, transaction_code: str = "",
        journal_ref: str = "", currency: str | None = None, amount_authorized: Decimal | None = None,
        expires: datetime | None = None,
    ) -> int:
        """Record a customer payment and refresh the order's payment status; return its id."""
        order = self.orders[order_id]
        currency = currency or order["currency"]["orderCurrencyCode"]
        payment_id = self.ids.take("payment")
        posts_money = payment_type in ("RECEIPT", "PAYMENT", "CAPTURE")
        self.payments[payment_id] = {
            "paymentId": payment_id,
            "transactionRef": transaction_ref,
            "transactionCode": transaction_code,
            "paymentMethodCode": method,
            "paymentType": payment_type,
            "orderId": order_id,
            "currencyId": ref.CURRENCIES.get(currency, {"id": 0})["id"],
            "currencyCode": currency,
            "amountAuthorized": money(amount_authorized or 0),
            "amountPaid": money(amount if posts_money else 0),
            "expires": wire_datetime(expires, self.zone) if expires else None,
            "paymentDate": wire_datetime(paid_on, self.zone),
            "createdOn": wire_datetime(created_on, self.zone),
            "journalId": self.ids.take("journal") if posts_money else None,
            "journalRef": journal_ref,
        }
        self._payments_by_order[order_id].append(payment_id)
        self.refresh_payment_status(order_id)
        return payment_id

    def delete_payment(self, payment_id: int) -> None:
        payment = self.payments.pop(payment_id)
        self._payments_by_order[payment["orderId"]].remove(payment_id)
        self.refresh_payment_status(payment["orderId"])

    def amount_paid(self, order_id: int) -> Decimal:
        """Money received against the order (receipts and captures minus refunds)."""
        total = Decimal(0)
        for payment in self.payments_for(order_id):
            if payment["paymentType"] in ("RECEIPT", "CAPTURE"):
                total += Decimal(payment["amountPaid"])
            elif payment["paymentType"] == "PAYMENT":
                total -= Decimal(payment["amountPaid"])
        return total

    def refresh_payment_status(self, order_id: int) -> None:
        """Derive orderPaymentStatus from payments (quotes/cancelled stay NOT_APPLICABLE)."""
        order = self.orders[order_id]
        if order["orderPaymentStatus"] == "NOT_APPLICABLE" and not self.payments_for(order_id):
            return
        total = Decimal(order["totalValue"]["total"])
        paid = self.amount_paid(order_id)
        if order["orderTypeCode"] == "SC":
            paid = -paid
        if paid <= 0:
            order["orderPaymentStatus"] = "UNPAID"
        elif paid < total:
            order["orderPaymentStatus"] = "PARTIALLY_PAID"
        else:
            order["orderPaymentStatus"] = "PAID"

    # ------------------------------------------------------------------------ accounting
    def statement_lines(self, contact_id: int | None = None) -> list[dict[str, Any]]:
        """All-transaction statement records: SI per invoice, SC per credit note, SR per receipt.

        Each record carries the search columns of API.md §8.4 plus `contactId` and
        `currencyId` (filter-only).  Amounts are strings; credits are negative.
        API note: journal type codes and the sign convention for credits are constructed
        (UNCONFIRMED); dueAmount = invoiceAmount - paidAmount on SI/SC lines, "0.00" on SR.
        """
        lines: list[dict[str, Any]] = []
        for order_id in sorted(self.orders):
            order = self.orders[order_id]
            owner = order_contact_id(order)
            if contact_id is not None and owner != contact_id:
                continue
            if order["orderTypeCode"] not in ("SO", "SC"):
                continue
            currency_id = ref.CURRENCIES[order["currency"]["orderCurrencyCode"]]["id"]
            invoice = order["invoices"][0] if order.get("invoices") else {}
            meta = self.order_meta.get(order_id)
            if invoice.get("invoiceReference") and meta and meta.invoice_journal_id:
                sign = Decimal(1) if order["orderTypeCode"] == "SO" else Decimal(-1)
                amount = sign * Decimal(order["totalValue"]["total"])
                # Receipts count positive on invoices; refunds (PAYMENT) negative on credits.
                paid = self.amount_paid(order_id)
                lines.append({
                    "journalId": meta.invoice_journal_id,
                    "orderId": order_id,
                    "journalTypeCode": "SI" if sign > 0 else "SC",
                    "journalDate": invoice.get("taxDate"),
                    "journalDueDate": invoice.get("dueDate") if sign > 0 else None,
                    "reference": invoice["invoiceReference"],
                    "customerReference": order.get("reference", ""),
                    "invoiceAmount": money(amount),
                    "paidAmount": money(paid),
                    "dueAmount": money(amount - paid),
                    "contactId": owner,
                    "currencyId": currency_id,
                })
            for payment in self.payments_for(order_id):
                if payment["journalId"] is None:
                    continue
                refund = payment["paymentType"] == "PAYMENT"
                paid_amount = Decimal(payment["amountPaid"]) * (-1 if refund else 1)
                lines.append({
                    "journalId": payment["journalId"],
                    "orderId": order_id,
                    "journalTypeCode": "SP" if refund else "SR",
                    # API note: a journal's date is date-only (UTC midnight of the payment's
                    # local day), like the invoice's taxDate, not the payment moment.
                    "journalDate": wire_date(
                        datetime.fromisoformat(payment["paymentDate"]).astimezone(self.zone).date(), self.zone
                    ),
                    "journalDueDate": None,
                    "reference": payment["transactionRef"],
                    "customerReference": order.get("reference", ""),
                    "invoiceAmount": "0.00",
                    "paidAmount": money(paid_amount),
                    "dueAmount": "0.00",
                    "contactId": owner,
                    "currencyId": payment["currencyId"],
                })
        return lines

    def balance(
        self, contact_id: int, currency_code: str, date_from: date | None = None,
        date_to: date | None = None,
    ) -> Decimal | None:
        """Ledger balance in one currency: invoices - credits - receipts + refunds.

        None when the contact has no transactions in that currency/period (the API's null).
        """
        currency = ref.CURRENCIES.get(currency_code.upper())
        if currency is None:
            return None
        total = Decimal(0)
        seen = False
        for line in self.statement_lines(contact_id):
            if line["currencyId"] != currency["id"]:
                continue
            day = wire_day(line["journalDate"], self.zone)
            if (date_from and day < date_from) or (date_to and day > date_to):
                continue
            seen = True
            total += Decimal(line["invoiceAmount"]) - (
                Decimal(line["paidAmount"]) if line["journalTypeCode"] in ("SR", "SP") else 0
            )
        return total if seen else None

    # --------------------------------------------------------------------------- helpers
    def iter_contacts(self) -> Iterator[dict[str, Any]]:
        for contact_id in sorted(self.contacts):
            yield self.contacts[contact_id]


def order_contact_id(order: dict[str, Any]) -> int:
    """The customer (SO/SC) or supplier (PO/PC) contact of an order."""
    parties = order["parties"]
    party = parties.get("customer") or parties.get("supplier") or {}
    return int(party.get("contactId", 0))


def primary_email(contact: dict[str, Any]) -> str:
    return str(contact.get("communication", {}).get("emails", {}).get("PRI", {}).get("email", ""))
