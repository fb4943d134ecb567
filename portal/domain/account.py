"""A customer account's money: which currency its balance is in, how much credit is left, and
its payment terms in words. The account page, the dashboard and the statement all ask these."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from portal.brightpearl.models import Contact, PriceList

ZERO = Decimal("0")
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class AccountCurrency:
    """The currency of an account: its ISO 4217 code and Brightpearl's id for it."""

    code: str
    id: int


def account_currency(contact: Contact, price_lists: Mapping[int, PriceList]) -> AccountCurrency | None:
    """The currency the contact's balance and statement are kept in, or None when it cannot be
    told: the contact's `currencyId`, named by a price list in that currency.

    API note: a contact carries only `financialDetails.currencyId`; Brightpearl's currency
    resource is UNCONFIRMED (API.md §8.3), and every price list carries both `currencyId` and
    `currencyCode`, so the price lists (cached reference data) name every currency the merchant
    sells in. A currency no price list names gives no figure rather than one in a guessed
    currency (the contact's own price list may be in another currency than its account).
    """
    if not contact.currency_id:
        return None
    for price_list in price_lists.values():
        if price_list.currency_id == contact.currency_id and _CURRENCY_CODE.match(price_list.currency_code):
            return AccountCurrency(price_list.currency_code, price_list.currency_id)
    return None


@dataclass(frozen=True)
class Credit:
    """Credit limit, balance and what is left, in the account's currency.

    `balance` is what the customer owes (negative: in credit); None when it is not known now.
    """

    currency: str | None  # ISO code; None when it could not be worked out
    limit: Decimal
    balance: Decimal | None

    @property
    def has_limit(self) -> bool:
        # API note: Brightpearl does not say what creditLimit 0 means; we read it as "no limit
        # set" (nothing to compare the balance with), not as "no credit at all".
        return self.limit > 0

    @property
    def available(self) -> Decimal | None:
        """Credit left to use (0 when over the limit); None without a limit or a balance."""
        if not self.has_limit or self.balance is None:
            return None
        return max(self.limit - self.balance, ZERO)

    @property
    def over_by(self) -> Decimal | None:
        """How far the balance is over the limit; None when it is not over (or not known)."""
        if not self.has_limit or self.balance is None or self.balance <= self.limit:
            return None
        return self.balance - self.limit

    @property
    def over_limit(self) -> bool:
        return self.over_by is not None

    @property
    def used_percent(self) -> int | None:
        """How much of the limit is used, 0–100; None without a limit or a balance."""
        if not self.has_limit or self.balance is None:
            return None
        return max(0, min(100, int(self.balance * 100 / self.limit)))


def days(count: int) -> str:
    """`1 day`, `30 days`."""
    return "1 day" if count == 1 else f"{count} days"


def credit_terms(term_days: int) -> str:
    """`creditTermDays` for people: "30 days", "1 day", or "No credit terms"."""
    # API note: creditTermTypeId's meaning is UNCONFIRMED (API.md §6.1), so only the days are
    # shown; 0 days is taken as "no credit terms".
    if term_days <= 0:
        return "No credit terms"
    return days(term_days)
