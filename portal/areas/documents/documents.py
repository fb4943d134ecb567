"""Invoices and credit notes: the list's filters and one page of it, and one document.

A document is a sales order or credit whose `invoices[]` carries its number
(portal.domain.documents.is_document); neither a tax date nor a status named "Invoiced" makes
one. Order-search rows have a tax date but no invoice number, so the list reads every candidate
(a sales order or credit with a tax date: every invoice has one) with the ID-set GET, 200 orders
a call, each cached on its own; then it counts, filters and pages documents only, so the count,
the rows and the empty state agree.

What each document comes to, has been paid and is still due (and so which are unpaid or
overdue) comes from the account's statement lines: one cached all-transaction search whose
invoice lines carry invoiceAmount / paidAmount / dueAmount per order (API-ADDENDUM §A.1). The
statement page and the dashboard's overdue tile read the same cached search, so the list, the
statement and the tile agree, and a warm dashboard leaves the list nothing more to ask. The
amounts are a part: when they cannot be read the list shows the totals and the order's payment
status, with a note. (The customer-payment search would cost one call per order; the order's
payment status has no amounts.)

Brightpearl calls per page (cold; warm pages make none), for n candidates:

    /documents(?q=…&type=…&status=…&page=…)
        index(SO) + index(SC) + many(candidates)                       2 + ⌈n/200⌉
        + contacts.one(me) (its currency id) + accounting.statement    + 2
                                                                       -> 4 + ⌈n/200⌉
    /documents/{id}(.pdf)           one(id) + contact + statement      -> 3

(The order list and the order page read through the same per-order cache; the contact and the
statement lines are shared with the statement page, the account page reads the same contact
with its addresses.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from portal.brightpearl import Brightpearl
from portal.core.clock import Clock
from portal.core.settings import Settings
from portal.core.users import User
from portal.domain.documents import (
    CREDIT,
    DOCUMENT_TYPES,
    INVOICE,
    Document,
    Settlement,
    document,
    document_candidates,
    is_document,
    matches,
    newest_first,
    settlements,
)
from portal.security.access import may_see_document, may_see_search_row, owned_document
from portal.web.listing import ListQuery, paginate, parse_page, parse_search
from portal.web.params import valid_id
from portal.web.parts import PageParts

from .pdf import Merchant

KINDS: Mapping[str, str] = MappingProxyType({"": "Invoices and credit notes", INVOICE: "Invoices", CREDIT: "Credit notes"})
UNPAID, OVERDUE = "unpaid", "overdue"
STATUSES: Mapping[str, str] = MappingProxyType({"": "Any", UNPAID: "Not fully paid", OVERDUE: "Overdue"})


@dataclass(frozen=True)
class DocumentQuery(ListQuery):
    """The validated filters of /documents; `errors` maps field -> message."""

    q: str = ""
    kind: str = ""
    page: int = 1
    errors: Mapping[str, str] | None = None
    status: str = ""  # "", UNPAID or OVERDUE

    def params(self) -> dict:
        return {"q": self.q, "type": self.kind, "status": self.status}

    def keeps(self, doc: Document) -> bool:
        """True when `doc` passes the type and status filters (the search is matched apart)."""
        if self.kind and doc.kind != self.kind:
            return False
        if self.status == UNPAID:
            return doc.owed
        if self.status == OVERDUE:
            return doc.state.overdue
        return True


def parse_document_query(
    q: str | None, kind: str | None, page_text: str | None, status: str | None = None
) -> DocumentQuery:
    """Validate the query string of /documents; bad values are reported, never raised."""
    errors: dict[str, str] = {}
    text = parse_search(q, errors)
    number = parse_page(page_text, errors)
    value = (kind or "").strip()
    if value not in KINDS:
        errors["type"] = "Choose invoices, credit notes or both."
        value = ""
    wanted = (status or "").strip()
    if wanted not in STATUSES:
        errors["status"] = "Choose any, not fully paid or overdue."
        wanted = ""
    return DocumentQuery(q=text, kind=value, page=number, errors=errors or None, status=wanted)


@dataclass
class Documents:
    """A customer's invoices and credit notes."""

    bp: Brightpearl
    settings: Settings
    merchant: Merchant  # who issues the documents, as their PDFs say
    clock: Clock  # "today" decides what is overdue
    user: User

    async def page(self, query: DocumentQuery, pdf_url: Callable[[int], str]) -> dict:
        """The template context of one page of the list."""
        user, bp, today = self.user, self.bp, self.clock.today()
        parts = PageParts()
        if user.contact_id is None:
            indexes: list = [(), ()]
            paid: Mapping[int, Settlement] | None = {}
        else:
            *indexes, paid = await asyncio.gather(
                *(bp.orders.index(user.contact_id, t) for t in DOCUMENT_TYPES),
                parts.read("amounts_paid", self._settlements(), None),
            )
        candidates = document_candidates(row for index in indexes for row in index if may_see_search_row(user, row))
        orders = await bp.orders.many([row.order_id for row in candidates]) if candidates else {}
        every: list[Document] = []
        for row in candidates:
            order = orders.get(row.order_id)
            if is_document(order) and may_see_document(user, order):
                every.append(document(order, today, (paid or {}).get(order.id)))
        every = newest_first(every)
        if query.errors:
            matching: list[Document] = []
        else:
            rows = {row.order_id: row for row in candidates}
            matching = [doc for doc in every if query.keeps(doc) and matches(rows[doc.order.id], doc.order, query.q)]
        shown = paginate(matching, query.page, self.settings.page_size)
        return {
            "query": query,
            "documents": list(shown.items),
            "pdf_urls": {doc.order.id: pdf_url(doc.order.id) for doc in shown.items},
            "page": shown,
            "has_any": bool(every),
            "kinds": KINDS,
            "statuses": STATUSES,
            "amounts_known": paid is not None,
            "unavailable": parts.unavailable,
        }

    async def one(self, order_id: int) -> tuple[Document, Mapping[str, str]]:
        """The user's invoice or credit note of this order (anything else is a 404), and the
        notes for what could not be read (its paid and due amounts)."""
        order = owned_document(self.user, await self.bp.orders.one(valid_id(order_id)))
        parts = PageParts()
        paid = await parts.read("amounts_paid", self._settlements(), None)
        return document(order, self.clock.today(), (paid or {}).get(order.id)), parts.unavailable

    async def _settlements(self) -> Mapping[int, Settlement]:
        """Order id -> paid and due, from the contact's statement lines in its currency ({}
        when the account has no currency: nothing is known, the orders' payment status is used)."""
        contact = await self.bp.contacts.one(self.user.contact_id)
        if contact is None or contact.id != self.user.contact_id or not contact.currency_id:
            return {}
        return settlements(await self.bp.accounting.statement(contact.id, contact.currency_id))
