"""Reads of accounting-service (API.md §8): a contact's balance and statement lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ..models import PaymentMethod, StatementLine, as_decimal
from .base import ALL, Kind, Reads, read_only, records

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def currency_segment(currency_code: str) -> str:
    """The currency code as the balance path takes it; ValueError for anything else."""
    code = currency_code.strip().upper()
    if not _CURRENCY_CODE.match(code):
        raise ValueError(f"not a currency code: {currency_code!r}")
    return code


class AccountingReads(Reads):
    """Typed, cached reads of accounting-service."""

    async def payment_methods(self) -> Mapping[str, PaymentMethod]:
        """Every payment method of the account, active or not, by code (sorted by code)."""

        async def load() -> Mapping[str, PaymentMethod]:
            found = [PaymentMethod.from_wire(r) for r in records(await self.client.get("accounting-service/payment-method"))]
            return read_only({m.code: m for m in sorted(found, key=lambda m: m.code) if m.code})

        return await self.cached(Kind.PAYMENT_METHODS, ALL, load)

    async def balance(self, contact_id: int, currency_code: str) -> Decimal | None:
        """What the contact owes in that currency (open invoices - open credits); None when
        Brightpearl knows no transactions."""
        contact_id, code = int(contact_id), currency_segment(currency_code)

        async def load() -> Decimal | None:
            value = await self.client.get(f"accounting-service/contact/{contact_id}/currency/{code}/balance")
            return as_decimal(value, None)

        return await self.cached(Kind.CONTACT_BALANCE, (contact_id, code), load)

    async def balance_until(self, contact_id: int, currency_code: str, day: date) -> Decimal | None:
        """What the contact owed in that currency at the end of `day` (transactions dated on or
        before it); None when Brightpearl knows no transactions up to then.

        A statement's opening balance is this for the day before the statement starts."""
        contact_id, code = int(contact_id), currency_segment(currency_code)

        async def load() -> Decimal | None:
            # API note: dateTo (yyyy-mm-dd) without dateFrom sums every transaction up to that
            # day inclusive (API.md §6.5, examples/contact-balance-get.json).
            value = await self.client.get(
                f"accounting-service/contact/{contact_id}/currency/{code}/balance", {"dateTo": day.isoformat()}
            )
            return as_decimal(value, None)

        # Kept under CONTACT_BALANCE so that a contact change drops it with the current balance.
        return await self.cached(Kind.CONTACT_BALANCE, (contact_id, code, day), load)

    async def statement(
        self, contact_id: int, currency_id: int, date_from: date | None = None, date_to: date | None = None
    ) -> tuple[StatementLine, ...]:
        """Statement lines (invoices, credits, payments) of a contact in one currency, oldest
        first, journal dates within [date_from, date_to] (either end open when None)."""
        contact_id, currency_id = int(contact_id), int(currency_id)
        params: dict[str, Any] = {"contactId": contact_id, "currencyId": currency_id, "sort": "journalDate.ASC"}
        if date_from or date_to:
            # API note: PERIOD filters take "from/to" with either end empty (API.md §5.1).
            start = f"{date_from.isoformat()}T00:00:00" if date_from else ""
            end = f"{date_to.isoformat()}T23:59:59" if date_to else ""
            params["journalDate"] = f"{start}/{end}"

        async def load() -> tuple[StatementLine, ...]:
            found = await self.client.search("accounting-service/statement/all-transaction-search", params)
            return tuple(StatementLine.from_wire(r) for r in found.rows)

        return await self.cached(Kind.STATEMENT, (contact_id, currency_id, date_from, date_to), load)
