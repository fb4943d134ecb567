"""The statement of account: its period, and the statement of the logged-in contact.

The statement is always the logged-in contact's; no contact id is read from the request.

Brightpearl calls (cold; warm: none), the same for the page, the CSV and the PDF:

    contacts.one(me)                        currency id of the account
    products.price_lists()                  currency id -> ISO code (reference data)
    accounting.statement(me, currency)      every transaction, one search call per 500 lines,
                                            shared by every period asked for
    accounting.balance_until(me, code, from - 1)   the opening balance
                                                                                     -> 4
Essential: the contact and the statement lines. Parts that degrade: the price lists (without
them the currency's code is unknown: amounts are shown without it, with a note) and the opening
balance (worked out from the lines before the period instead, which the full history holds).

The whole history is read (not only the period) because ageing "unpaid as of `to`" needs each
invoice with the payments made against it up to that day, whenever the invoice was issued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from litestar.exceptions import NotFoundException

from portal.brightpearl import Brightpearl
from portal.core.clock import Clock
from portal.core.users import User
from portal.domain.account import account_currency
from portal.domain.statement import Statement, opening_balance, statement
from portal.web.params import parse_day
from portal.web.parts import PageParts

from .pdf import Merchant

DEFAULT_DAYS = 90
MAX_SPAN_DAYS = 366  # a year, leap day included


@dataclass(frozen=True)
class StatementQuery:
    """The validated period; `errors` maps field ("from"/"to") -> message. `raw` keeps what
    was typed so the form can show it back."""

    date_from: date
    date_to: date
    raw: Mapping[str, str]
    errors: dict | None = None

    def as_params(self) -> dict:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def parse_statement_query(from_text: str | None, to_text: str | None, today: date) -> StatementQuery:
    """Validate `from`/`to` (yyyy-mm-dd). Defaults: the last 90 days up to today."""
    errors: dict[str, str] = {}
    raw = {"from": (from_text or "").strip()[:32], "to": (to_text or "").strip()[:32]}
    date_to = parse_day(raw["to"], "to", errors) or today
    date_from = parse_day(raw["from"], "from", errors) or date_to - timedelta(days=DEFAULT_DAYS)
    if not errors:
        if date_to > today:
            errors["to"] = "The statement can end today at the latest."
        elif date_from > date_to:
            errors["from"] = "The start date must be on or before the end date."
        elif (date_to - date_from).days > MAX_SPAN_DAYS:
            errors["from"] = f"A statement covers at most {MAX_SPAN_DAYS} days: choose a later start date."
    return StatementQuery(date_from=date_from, date_to=date_to, raw=raw, errors=errors or None)


@dataclass(frozen=True)
class Account:
    """Whose statement it is: a name for the heading, and the currency (None: unknown)."""

    name: str
    currency: str | None


@dataclass
class Statements:
    """The logged-in contact's statement of account."""

    bp: Brightpearl
    merchant: Merchant  # who issues the statement, as its PDF says
    clock: Clock  # "today" ends the default period
    user: User

    def query(self, from_text: str | None, to_text: str | None) -> StatementQuery:
        """The period asked for (by default the last DEFAULT_DAYS days up to today)."""
        return parse_statement_query(from_text, to_text, self.clock.today())

    async def load(self, query: StatementQuery, parts: PageParts | None = None) -> tuple[Account, Statement | None]:
        """The statement for the period (None when the account's currency is unknown); what
        could not be read is noted in `parts`."""
        parts = parts if parts is not None else PageParts()
        user, bp = self.user, self.bp
        if user.contact_id is None:
            raise NotFoundException()
        contact = await bp.contacts.one(user.contact_id)
        if contact is None or contact.id != user.contact_id:
            raise NotFoundException()
        name = contact.company_name or contact.full_name or user.display_name
        if not contact.currency_id:
            return Account(name, None), None
        price_lists, lines = await asyncio.gather(
            parts.read("currency", bp.products.price_lists(), None), bp.accounting.statement(contact.id, contact.currency_id)
        )
        if price_lists is None:
            # The lines are still the account's own: show them, in a currency we cannot name.
            opening = opening_balance(lines, query.date_from)
            return Account(name, ""), statement(lines, opening, query.date_from, query.date_to, "")
        currency = account_currency(contact, price_lists)
        if currency is None:
            return Account(name, None), None
        opening = await parts.read(
            "opening_balance",
            bp.accounting.balance_until(contact.id, currency.code, query.date_from - timedelta(days=1)),
            opening_balance(lines, query.date_from),
            note=False,
        )
        return Account(name, currency.code), statement(lines, opening, query.date_from, query.date_to, currency.code)
