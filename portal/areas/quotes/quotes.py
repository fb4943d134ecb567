"""The customer's quotes: the list (open apart from expired) and one quote.

A quote is a sales order whose shown state is "quote" (portal.domain.quotes.is_quote, with the
status rules an admin saved); another customer's quote, an order that is not a quote and a
missing id are the same 404 (portal.security.access.owned_order).

Brightpearl calls:
    /quotes        order statuses + the contact's order index + one ID-set GET of the quotes
                   -> <= 3 cold, 0 warm (the statuses and the index are shared with the
                   dashboard and the order history)
    /quotes/{id}   the order + order statuses -> <= 2 cold, 0 warm (print view and PDF the same)

All of it is essential: without the statuses a quote cannot be told from an order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from litestar.exceptions import NotFoundException

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order, OrderType
from portal.core.clock import Clock
from portal.core.order_defaults import OrderDefaultsStore
from portal.core.status_map import StatusMap
from portal.core.users import User
from portal.domain.order_states import OrderState
from portal.domain.quotes import Quote, is_quote, quote
from portal.domain.status_labels import StatusLabels
from portal.security.access import may_see_order, may_see_search_row, owned_order
from portal.web.params import valid_id
from portal.web.pdf import Merchant

from .responses import QuoteResponses
from .shares import QuoteShares

# At most this many quotes are listed (newest first): one ID-set GET reads them.
MAX_LISTED = 200


@dataclass
class QuoteReader:
    """Reads quotes from Brightpearl for one login (or, for a shared link, for the contact
    that shared it: `user` is then None and `contact_id` names it)."""

    bp: Brightpearl
    status_map: StatusMap
    order_defaults: OrderDefaultsStore
    clock: Clock

    async def labels(self) -> StatusLabels:
        return self.status_map.derived(await self.bp.orders.statuses(), StatusLabels)

    def as_quote(self, order: Order, labels: StatusLabels) -> Quote:
        days = self.order_defaults.current().quote_validity_days
        return quote(order, labels, days, self.clock.zone, self.clock.today(), self.order_defaults.current().quote_valid_until_field)

    async def quote_of_contact(self, order_id: int, contact_id: int) -> Quote | None:
        """The quote `order_id` while it is still a quote of `contact_id`, else None."""
        order, labels = await asyncio.gather(self.bp.orders.one(order_id), self.labels())
        if order is None or order.customer_contact_id != contact_id or not is_quote(labels, order):
            return None
        return self.as_quote(order, labels)

    @property
    def terms(self) -> str:
        return self.order_defaults.current().quote_terms


@dataclass
class Quotes:
    """What the quotes pages show of the user's quotes."""

    reader: QuoteReader
    merchant: Callable[[], Merchant]  # who issues the quote (the current branding)
    shares: QuoteShares  # the quote's share links, for the same user
    user: User
    responses: QuoteResponses  # the user's answers to the quotes (decline, changes)

    async def listing(self) -> dict:
        """The user's quotes, newest first: those still standing and, apart, the expired ones."""
        bp = self.reader.bp
        labels, index = await asyncio.gather(
            self.reader.labels(), bp.orders.index(self.user.contact_id, OrderType.SALES_ORDER)
        )
        rows = [
            row for row in index
            if may_see_search_row(self.user, row) and labels.for_row(row).state == OrderState.QUOTE.value
        ][:MAX_LISTED]
        orders = await bp.orders.many([row.order_id for row in rows]) if rows else {}
        quotes = [
            self.reader.as_quote(order, labels)
            for row in rows
            if (order := orders.get(row.order_id)) is not None and may_see_order(self.user, order) and is_quote(labels, order)
        ]
        return {
            "open_quotes": [q for q in quotes if not q.expired],
            "expired_quotes": [q for q in quotes if q.expired],
        }

    async def one(self, order_id: int) -> Quote:
        """The user's quote with this id; anything else is the same 404 as a missing order."""
        order, labels = await asyncio.gather(self.reader.bp.orders.one(valid_id(order_id)), self.reader.labels())
        order = owned_order(self.user, order)
        if not is_quote(labels, order):
            raise NotFoundException()  # theirs, but an order, not a quote
        return self.reader.as_quote(order, labels)

    @property
    def terms(self) -> str:
        return self.reader.terms
