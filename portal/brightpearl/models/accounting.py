"""Statement lines (accounting-service, API.md §8) as read-only typed views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .wire import model, wire


@model
class StatementLine:
    """One row of the all-transaction statement search (API.md §8.4)."""

    journal_id: int = wire("journalId")
    order_id: int = wire("orderId")
    journal_type_code: str = wire("journalTypeCode")  # API note: SI/SC/SR… meanings unconfirmed
    # Date-only fields: calendar days, read by the rule of wire.as_calendar_date.
    journal_date: date | None = wire("journalDate")
    due_date: date | None = wire("journalDueDate")
    reference: str = wire("reference")
    customer_reference: str = wire("customerReference")
    invoice_amount: Decimal = wire("invoiceAmount")
    paid_amount: Decimal = wire("paidAmount")
    due_amount: Decimal = wire("dueAmount")
