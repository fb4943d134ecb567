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


@model
class PaymentMethod:
    """A payment method (accounting-service/payment-method, API addendum D.1).

    Items have no top-level id: the `code` names a method (payments are posted with it), and
    each bank account gives the currencies it takes. `installedIntegrationId` is a string."""

    code: str = wire("code")
    name: str = wire("name")
    active: bool = wire("isActive")
    currencies: frozenset[str] = frozenset()

    @classmethod
    def from_wire(cls, data: object) -> PaymentMethod:
        accounts = data.get("bankAccounts") if isinstance(data, dict) else None
        codes = frozenset(
            str(account.get("currencyIsoCode") or "").upper()
            for account in accounts or []
            if isinstance(account, dict) and account.get("currencyIsoCode")
        )
        return cls.read(data, currencies=codes)  # type: ignore[attr-defined]

    def takes(self, currency_code: str) -> bool:
        """True when the method is active and takes payments in that currency (a method with no
        bank account listed is taken to take any: the API says nothing of that case)."""
        return self.active and (not self.currencies or currency_code.upper() in self.currencies)
