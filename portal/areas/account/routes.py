"""The account page (customers): company and contact details, credit, balance, price list and
account manager, as Brightpearl holds them.

Brightpearl calls, cold: the contact (1, shared with the address page), the price lists (1,
reference data kept for hours: the price list's name and the currency code of the contact's
currencyId), the contact balance in that currency (1) and the account manager's contact (1)
-> <= 4; warm 0.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from litestar import Request, get
from litestar.response import Template

from portal.brightpearl.access import may_see_account_manager
from portal.brightpearl.errors import BrightpearlError
from portal.pages.common import page, requires_role
from portal.services import services
from portal.users import User

PHONE_LABELS = {"PRI": "Phone", "MOB": "Mobile", "SEC": "Other phone", "FAX": "Fax"}
EMAIL_LABELS = {"PRI": "Email", "SEC": "Other email", "TER": "Other email"}


@dataclass(frozen=True)
class Credit:
    """Credit limit, balance and what is left, in the account's currency."""

    currency: str | None  # ISO code; None when it could not be worked out
    limit: Decimal
    balance: Decimal | None  # None: not available right now
    balance_known: bool  # False when Brightpearl could not be asked

    @property
    def has_limit(self) -> bool:
        # API note: Brightpearl does not say what creditLimit 0 means; we read it as "no limit
        # set" (nothing to compare the balance with), not as "no credit at all".
        return self.limit > 0

    @property
    def available(self) -> Decimal | None:
        if not self.has_limit or self.balance is None:
            return None
        return self.limit - self.balance

    @property
    def over_limit(self) -> bool:
        return self.available is not None and self.available < 0


def credit_terms(days: int) -> str:
    """`creditTermDays` for people: "30 days", "1 day", or none."""
    # API note: creditTermTypeId's meaning is UNCONFIRMED (API.md §6.1), so only the days are
    # shown; 0 days is taken as "no credit terms".
    if days <= 0:
        return "No credit terms"
    return "1 day" if days == 1 else f"{days} days"


async def _balance(bp, contact) -> tuple[str | None, Decimal | None, bool]:
    """(currency code, balance, whether Brightpearl answered). Brightpearl's null balance means
    no transactions in that currency (API.md §6.5), i.e. nothing owed."""
    if not contact.currency_id:
        return None, None, False
    try:
        code = await bp.currency_code(contact.currency_id)
    except BrightpearlError:
        code = None
    if code is None:
        return None, None, False
    try:
        balance = await bp.contact_balance(contact.id, code)
    except BrightpearlError:
        return code, None, False
    return code, balance if balance is not None else Decimal("0"), True


async def _manager(bp, user: User, contact):
    """The account manager's contact when Brightpearl names one (and may be shown), else None."""
    staff_id = contact.staff_owner_contact_id
    if not staff_id:
        return None
    try:
        staff = await bp.contact(staff_id)
    except BrightpearlError:
        return None
    return staff if may_see_account_manager(user, contact, staff) else None


async def _price_list(bp, price_list_id: int):
    if not price_list_id:
        return None
    try:
        return (await bp.price_lists()).get(price_list_id)
    except BrightpearlError:
        return None


@get("/account", name="account", guards=[requires_role("customer")])
async def account_page(request: Request) -> Template:
    user: User = request.scope["user"]
    bp = services(request).bp
    # The same cached read as the address page: one call serves both.
    contact = await bp.contact_with_addresses(user.contact_id)
    if contact is None or contact.id != user.contact_id:
        return page(request, "views/account.html", status_code=404, contact=None)
    (currency, balance, answered), manager = await asyncio.gather(_balance(bp, contact), _manager(bp, user, contact))
    price_list = await _price_list(bp, contact.price_list_id)
    credit = Credit(currency=currency, limit=contact.credit_limit, balance=balance, balance_known=answered)
    phones = [(PHONE_LABELS[k], contact.telephones[k]) for k in PHONE_LABELS if contact.telephones.get(k)]
    emails = [(EMAIL_LABELS[k], contact.emails[k]) for k in EMAIL_LABELS if contact.emails.get(k)]
    return page(
        request,
        "views/account.html",
        contact=contact,
        phones=phones,
        emails=emails,
        credit=credit,
        terms=credit_terms(contact.credit_term_days),
        price_list=price_list,
        manager=manager,
    )


route_handlers = [account_page]
