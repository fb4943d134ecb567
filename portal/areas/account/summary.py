"""The account page: the contact's details, credit, balance, price list and account manager, as
Brightpearl holds them. Essential: the contact. Parts that degrade to a note (portal.web.parts):
the price list, the balance (it needs the price lists for the currency), the account manager.

Brightpearl calls, cold: the contact (1, shared with the address page), the price lists (1,
reference data kept for hours: the price list's name and the account's currency), the contact
balance in that currency (1) and the account manager's contact (1) -> <= 4; warm 0.

How to reach someone: the account manager's email and phone from their contact's communication
block when Brightpearl has them, else the merchant's (PORTAL_MERCHANT_EMAIL / _PHONE), so the
page never names a person without saying how to get in touch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Contact, PriceList
from portal.core.settings import Settings
from portal.core.users import User
from portal.domain.account import Credit, account_currency, credit_terms
from portal.security.access import may_see_account_manager
from portal.web.parts import PageParts, note_for

PHONE_LABELS = {"PRI": "Phone", "MOB": "Mobile", "SEC": "Other phone", "FAX": "Fax"}
EMAIL_LABELS = {"PRI": "Email", "SEC": "Other email", "TER": "Other email"}


@dataclass(frozen=True)
class Reach:
    """How the customer gets in touch: whose details they are (the manager's or the merchant's)."""

    name: str = ""  # the account manager's name; "" for the merchant
    email: str = ""
    phone: str = ""
    from_manager: bool = False

    @property
    def any(self) -> bool:
        return bool(self.email or self.phone)


def reach(manager: Contact | None, settings: Settings) -> Reach:
    """The account manager's email and phone when Brightpearl has either, else the merchant's."""
    if manager is not None:
        phone = next((manager.telephones[k] for k in ("PRI", "MOB", "SEC") if manager.telephones.get(k)), "")
        email = manager.email or next((v for v in manager.emails.values() if v), "")
        if email or phone:
            return Reach(manager.full_name, email.strip(), phone.strip(), from_manager=True)
    return Reach(manager.full_name if manager else "", settings.merchant_email.strip(), settings.merchant_phone.strip())


@dataclass
class AccountSummary:
    """What the account page shows of the logged-in contact."""

    bp: Brightpearl
    settings: Settings
    user: User

    async def context(self) -> dict | None:
        """The template context, or None when the login's contact is not in Brightpearl."""
        # The same cached read as the address page: one call serves both.
        contact = await self.bp.contacts.with_addresses(self.user.contact_id)
        if contact is None or contact.id != self.user.contact_id:
            return None
        parts = PageParts()
        (price_lists, currency, balance), manager = await asyncio.gather(
            self._money(contact, parts), parts.read("account_manager", self._manager(contact), None)
        )
        return {
            "contact": contact,
            "phones": [(PHONE_LABELS[k], contact.telephones[k]) for k in PHONE_LABELS if contact.telephones.get(k)],
            "emails": [(EMAIL_LABELS[k], contact.emails[k]) for k in EMAIL_LABELS if contact.emails.get(k)],
            "credit": Credit(currency=currency, limit=contact.credit_limit, balance=balance),
            "terms": credit_terms(contact.credit_term_days),
            "price_list": price_lists.get(contact.price_list_id),
            "manager": manager,
            "reach": reach(manager, self.settings),
            "unavailable": parts.unavailable,
        }

    async def _money(
        self, contact: Contact, parts: PageParts
    ) -> tuple[Mapping[int, PriceList], str | None, Decimal | None]:
        """(price lists, currency code, balance), {} or None for what is not known now. The price
        lists (read once) name the account's currency, which the balance is asked in."""
        price_lists = await parts.read("price_list", self.bp.products.price_lists(), None)
        if price_lists is None:
            parts.unavailable.setdefault("balance", note_for("balance"))
            return {}, None, None
        currency = account_currency(contact, price_lists)
        if currency is None:
            return price_lists, None, None
        balance = await parts.read("balance", self._balance(contact, currency.code), None)
        return price_lists, currency.code, balance

    async def _balance(self, contact: Contact, code: str) -> Decimal:
        """What the contact owes. Brightpearl's null balance means no transactions in that
        currency (API.md §6.5), i.e. nothing owed."""
        balance = await self.bp.accounting.balance(contact.id, code)
        return balance if balance is not None else Decimal("0")

    async def _manager(self, contact: Contact) -> Contact | None:
        """The account manager's contact when Brightpearl names one (and may be shown), else None."""
        staff_id = contact.staff_owner_contact_id
        if not staff_id:
            return None
        staff = await self.bp.contacts.one(staff_id)
        return staff if may_see_account_manager(self.user, contact, staff) else None
