"""Invoices and credit notes (customers): the list, the print view and the PDF.

Brightpearl calls per page (cold; warm pages make none):

    /documents             order_index(SO) + order_index(SC) + orders(ids of the page)      -> 3
    /documents?q=…         order_index(SO) + order_index(SC) + orders(every invoiced id),
                           one ID-set GET per 200 documents, so a search can match invoice
                           numbers (order-search rows have no invoice number)             -> 2 + ⌈n/200⌉
    /documents/{id}        order(id)                                                       -> 1
    /documents/{id}.pdf    order(id)                                                       -> 1

The print view and the PDF share one route: Litestar matches whole path segments only, so
`/documents/{id}.pdf` cannot be a route of its own next to `/documents/{id}`. Build the PDF
link with `url_for("document", order_id=f"{id}.pdf")` (see `pdf_path`).
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass
from datetime import date

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.brightpearl.access import may_see_document, may_see_search_row, owned_document
from portal.documents import CREDIT, INVOICE, KIND_BY_ORDER_TYPE_ID, Document, document, document_candidates, matches
from portal.pages.common import is_htmx, page, requires_role, valid_id
from portal.pages.orders import parse_history_query
from portal.pdf import Merchant, invoice_pdf
from portal.services import services
from portal.users import User

KINDS = {"": "Invoices and credit notes", INVOICE: "Invoices", CREDIT: "Credit notes"}
# An order id (at most 10 digits, range-checked by valid_id), optionally as a PDF file name.
_DOCUMENT_PATH = re.compile(r"^(\d{1,10})(\.pdf)?$")


@dataclass(frozen=True)
class DocumentQuery:
    """The validated filters of /documents; `errors` maps field -> message."""

    q: str = ""
    kind: str = ""
    page: int = 1
    errors: dict | None = None

    def as_params(self, **changes) -> dict:
        params = {"q": self.q, "type": self.kind, "page": self.page}
        params.update(changes)
        if params.get("page") == 1:
            params.pop("page")
        return params


def parse_document_query(q: str | None, kind: str | None, page_text: str | None) -> DocumentQuery:
    """Validate the query string of /documents; bad values are reported, never raised."""
    # The search box and page number follow the order history's rules.
    base = parse_history_query(q, None, page_text)
    errors = dict(base.errors or {})
    value = (kind or "").strip()
    if value not in KINDS:
        errors["type"] = "Choose invoices, credit notes or both."
        value = ""
    return DocumentQuery(q=base.q, kind=value, page=base.page, errors=errors or None)


def pdf_path(request: Request, order_id: int) -> str:
    """The URL of a document's PDF."""
    return request.app.route_reverse("document", order_id=f"{order_id}.pdf")


async def document_list(request: Request, user: User, query: DocumentQuery, today: date) -> dict:
    """Return the template context of one page of `user`'s invoices and credit notes."""
    svc = services(request)
    bp = svc.bp
    if user.contact_id is None:
        sales, credits = [], []
    else:
        sales, credits = await asyncio.gather(bp.order_index(user.contact_id, 1), bp.order_index(user.contact_id, 3))
    every = document_candidates(row for row in [*sales, *credits] if may_see_search_row(user, row))
    candidates = every
    if query.kind:
        candidates = [row for row in every if KIND_BY_ORDER_TYPE_ID.get(row.order_type_id) == query.kind]
    details: dict = {}
    if query.errors:
        matching = []
    elif query.q:
        # The invoice number is only on the order itself: read every invoiced order (cached
        # per order, 200 per call) and match on it too.
        details = await bp.orders([row.order_id for row in candidates])
        matching = [row for row in candidates if matches(row, details.get(row.order_id), query.q)]
    else:
        matching = candidates
    size = svc.settings.page_size
    pages = max(1, math.ceil(len(matching) / size))
    window = matching[(query.page - 1) * size : query.page * size]  # empty beyond the last page
    missing = [row.order_id for row in window if row.order_id not in details]
    if missing:
        details.update(await bp.orders(missing))
    documents: list[Document] = []
    for row in window:
        order = details.get(row.order_id)
        if order is not None and may_see_document(user, order):
            documents.append(document(order, today))
    return {
        "query": query,
        "documents": documents,
        "pdf_urls": {doc.order.id: pdf_path(request, doc.order.id) for doc in documents},
        "total": len(matching),
        "has_any": bool(every),
        "page_number": query.page,
        "pages": pages,
        "beyond_last": query.page > pages and bool(matching),
        "kinds": KINDS,
    }


@get("/documents", name="documents", guards=[requires_role("customer")])
async def documents_page(request: Request) -> Template:
    params = request.query_params
    query = parse_document_query(params.get("q"), params.get("type"), params.get("page"))
    context = await document_list(request, request.scope["user"], query, date.today())
    code = 400 if query.errors else 200
    name = "partials/documents_table.html" if is_htmx(request) else "views/documents.html"
    return page(request, name, status_code=code, **context)


@get("/documents/{order_id:str}", name="document", guards=[requires_role("customer")])
async def document_page(request: Request, order_id: FromPath[str]) -> Template | Response:
    """The print view of an invoice or credit note (`/documents/60032`), or its PDF
    (`/documents/60032.pdf`). Anything not the user's invoiced order is a 404."""
    found = _DOCUMENT_PATH.match(order_id)
    if not found:
        raise NotFoundException()
    user: User = request.scope["user"]
    svc = services(request)
    order = owned_document(user, await svc.bp.order(valid_id(int(found.group(1)))))
    doc = document(order, date.today())
    if found.group(2):
        merchant = Merchant(name=svc.settings.site_name, brand_colour=svc.settings.brand_colour)
        # fpdf2 is CPU work: keep it off the event loop.
        content = await asyncio.to_thread(invoice_pdf, doc, merchant)
        return pdf_response(content, doc.file_name)
    return page(request, "views/document_print.html", doc=doc, pdf_url=pdf_path(request, order.id))


def pdf_response(content: bytes, file_name: str) -> Response:
    """A PDF download named `file_name` (already reduced to safe characters)."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


route_handlers = [documents_page, document_page]
