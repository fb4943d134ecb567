"""Invoices and credit notes: the list's filters and one page of it, and one document.

A document is a sales order or credit whose `invoices[]` carries its number
(portal.domain.documents.is_document); neither a tax date nor a status named "Invoiced" makes
one. Order-search rows have a tax date but no invoice number, so the list reads every candidate
(a sales order or credit with a tax date: every invoice has one) with the ID-set GET, 200 orders
a call, each cached on its own; then it counts, filters and pages documents only, so the count,
the rows and the empty state agree.

Brightpearl calls per page (cold; warm pages make none), for n candidates:

    /documents(?q=…&type=…&page=…)  index(SO) + index(SC) + many(candidates)    -> 2 + ⌈n/200⌉
    /documents/{id}(.pdf)           one(id)                                     -> 1

(The order list and the order page read through the same per-order cache.)
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
    document,
    document_candidates,
    is_document,
    matches,
    newest_first,
)
from portal.security.access import may_see_document, may_see_search_row, owned_document
from portal.web.listing import ListQuery, paginate, parse_page, parse_search
from portal.web.params import valid_id

from .pdf import Merchant

KINDS: Mapping[str, str] = MappingProxyType({"": "Invoices and credit notes", INVOICE: "Invoices", CREDIT: "Credit notes"})


@dataclass(frozen=True)
class DocumentQuery(ListQuery):
    """The validated filters of /documents; `errors` maps field -> message."""

    q: str = ""
    kind: str = ""
    page: int = 1
    errors: Mapping[str, str] | None = None

    def params(self) -> dict:
        return {"q": self.q, "type": self.kind}


def parse_document_query(q: str | None, kind: str | None, page_text: str | None) -> DocumentQuery:
    """Validate the query string of /documents; bad values are reported, never raised."""
    errors: dict[str, str] = {}
    text = parse_search(q, errors)
    number = parse_page(page_text, errors)
    value = (kind or "").strip()
    if value not in KINDS:
        errors["type"] = "Choose invoices, credit notes or both."
        value = ""
    return DocumentQuery(q=text, kind=value, page=number, errors=errors or None)


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
        if user.contact_id is None:
            indexes: list = [(), ()]
        else:
            indexes = await asyncio.gather(*(bp.orders.index(user.contact_id, t) for t in DOCUMENT_TYPES))
        candidates = document_candidates(row for index in indexes for row in index if may_see_search_row(user, row))
        orders = await bp.orders.many([row.order_id for row in candidates]) if candidates else {}
        every: list[Document] = []
        for row in candidates:
            order = orders.get(row.order_id)
            if is_document(order) and may_see_document(user, order):
                every.append(document(order, today))
        every = newest_first(every)
        if query.errors:
            matching: list[Document] = []
        else:
            rows = {row.order_id: row for row in candidates}
            matching = [
                doc
                for doc in every
                if (not query.kind or doc.kind == query.kind) and matches(rows[doc.order.id], doc.order, query.q)
            ]
        shown = paginate(matching, query.page, self.settings.page_size)
        return {
            "query": query,
            "documents": list(shown.items),
            "pdf_urls": {doc.order.id: pdf_url(doc.order.id) for doc in shown.items},
            "page": shown,
            "has_any": bool(every),
            "kinds": KINDS,
        }

    async def one(self, order_id: int) -> Document:
        """The user's invoice or credit note of this order; anything else is a 404."""
        return document(owned_document(self.user, await self.bp.orders.one(valid_id(order_id))), self.clock.today())
