"""The account page: the contact's details, credit, balance, price list and account manager, as
Brightpearl holds them. Only the contact itself is essential; every other part degrades to a
"not available right now" on its own.

Brightpearl calls, cold: the contact (1, shared with the address page), the price lists (1,
reference data kept for hours: the price list's name and the account's currency), the contact
balance in that currency (1) and the account manager's contact (1) -> <= 4; warm 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.models import Contact, PriceList
from portal.core.users import User
from portal.domain.account import Credit, account_currency, credit_terms
from portal.security.access import may_see_account_manager

PHONE_LABELS = {"PRI": "Phone", "MOB": "Mobile", "SEC": "Other phone", "FAX": "Fax"}
EMAIL_LABELS = {"PRI": "Email", "SEC": "Other email", "TER": "Other email"}


@dataclass
class AccountSummary:
    """What the account page shows of the logged-in contact."""

    bp: Brightpearl
    user: User

    async def context(self) -> dict | None:
        """The template context, or None when the login's contact is not in Brightpearl."""
        # The same cached read as the address page: one call serves both.
        contact = await self.bp.contacts.with_addresses(self.user.contact_id)
        if contact is None or contact.id != self.user.contact_id:
            return None
        (price_lists, currency, balance), manager = await asyncio.gather(self._money(contact), self._manager(contact))
        return {
            "contact": contact,
            "phones": [(PHONE_LABELS[k], contact.telephones[k]) for k in PHONE_LABELS if contact.telephones.get(k)],
            "emails": [(EMAIL_LABELS[k], contact.emails[k]) for k in EMAIL_LABELS if contact.emails.get(k)],
            "credit": Credit(currency=currency, limit=contact.credit_limit, balance=balance),
            "terms": credit_terms(contact.credit_term_days),
            "price_list": price_lists.get(contact.price_list_id),
            "manager": manager,
        }

    async def _money(self, contact: Contact) -> tuple[Mapping[int, PriceList], str | None, Decimal | None]:
        """(price lists, currency code, balance), {} or None for what is not known now.
        Brightpearl's null balance means no transactions in that currency (API.md §6.5), i.e.
        nothing owed."""
        try:
            price_lists = await self.bp.products.price_lists()
        except BrightpearlError:
            return {}, None, None
        currency = account_currency(contact, price_lists)
        if currency is None:
            return price_lists, None, None
        try:
            balance = await self.bp.accounting.balance(contact.id, currency.code)
        except BrightpearlError:
            return price_lists, currency.code, None
        return price_lists, currency.code, balance if balance is not None else Decimal("0")

    async def _manager(self, contact: Contact) -> Contact | None:
        """The account manager's contact when Brightpearl names one (and may be shown), else None."""
        staff_id = contact.staff_owner_contact_id
        if not staff_id:
            return None
        try:
            staff = await self.bp.contacts.one(staff_id)
        except BrightpearlError:
            return None
        return staff if may_see_account_manager(self.user, contact, staff) else None
