"""Invoices and credit notes: the list's filters and one page of it, and one document.

Brightpearl calls per page (cold; warm pages make none):

    /documents             index(SO) + index(SC) + many(ids of the page)                 -> 3
    /documents?q=…         index(SO) + index(SC) + many(every invoiced id), one ID-set GET
                           per 200 documents, so a search can match invoice numbers
                           (order-search rows have no invoice number)                  -> 2 + ⌈n/200⌉
    /documents/{id}(.pdf)  one(id)                                                      -> 1
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order
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
    matches,
    row_kind,
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
        every = document_candidates(row for index in indexes for row in index if may_see_search_row(user, row))
        candidates = [row for row in every if row_kind(row) == query.kind] if query.kind else every
        details: dict[int, Order] = {}
        if query.errors:
            matching = []
        elif query.q:
            # The invoice number is only on the order itself: read every invoiced order (cached
            # per order, 200 per call) and match on it too.
            details = await bp.orders.many([row.order_id for row in candidates])
            matching = [row for row in candidates if matches(row, details.get(row.order_id), query.q)]
        else:
            matching = candidates
        shown = paginate(matching, query.page, self.settings.page_size)
        missing = [row.order_id for row in shown.items if row.order_id not in details]
        if missing:
            details.update(await bp.orders.many(missing))
        documents: list[Document] = []
        for row in shown.items:
            order = details.get(row.order_id)
            if order is not None and may_see_document(user, order):
                documents.append(document(order, today))
        return {
            "query": query,
            "documents": documents,
            "pdf_urls": {doc.order.id: pdf_url(doc.order.id) for doc in documents},
            "page": shown,
            "has_any": bool(every),
            "kinds": KINDS,
        }

    async def one(self, order_id: int) -> Document:
        """The user's invoice or credit note of this order; anything else is a 404."""
        return document(owned_document(self.user, await self.bp.orders.one(valid_id(order_id))), self.clock.today())
