"""Invoices, credit notes and the statement of account (customers): pages, CSV and PDFs.

The print view and the PDF of a document share one route: Litestar matches whole path
segments only, so `/documents/{id}.pdf` cannot be a route of its own next to `/documents/{id}`.
Build the PDF link with `url_for("document", order_id=f"{id}.pdf")` (see `pdf_path`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.domain.statement import Statement, statement_csv
from portal.web.listing import render_list
from portal.web.params import EARLIEST_DAY
from portal.web.parts import PageParts
from portal.web.rendering import page, page_or_fragment

from .documents import Documents, parse_document_query
from .pdf import invoice_pdf, statement_pdf
from .statement import DEFAULT_DAYS, MAX_SPAN_DAYS, Account, StatementQuery, Statements

# An order id (at most 10 digits, range-checked by valid_id), optionally as a PDF file name.
_DOCUMENT_PATH = re.compile(r"(\d{1,10})(\.pdf)?")


def pdf_path(request: Request, order_id: int) -> str:
    """The URL of a document's PDF."""
    return request.app.route_reverse("document", order_id=f"{order_id}.pdf")


def pdf_response(content: bytes, file_name: str) -> Response:
    """A PDF download named `file_name` (already reduced to safe characters)."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


@get("/documents", name="documents", opt={"feature": "documents"})
async def documents_page(request: Request, documents: NamedDependency[Documents]) -> Template:
    params = request.query_params
    query = parse_document_query(params.get("q"), params.get("type"), params.get("page"), params.get("status"))
    context = await documents.page(query, lambda order_id: pdf_path(request, order_id))
    return render_list(request, "documents", "views/documents/list.html", "partials/documents/table.html", query, context)


@get("/documents/{order_id:str}", name="document", opt={"feature": "documents"})
async def document_page(request: Request, order_id: FromPath[str], documents: NamedDependency[Documents]) -> Template | Response:
    """The print view of an invoice or credit note (`/documents/60032`), or its PDF
    (`/documents/60032.pdf`). Anything not the user's invoiced order is a 404."""
    found = _DOCUMENT_PATH.fullmatch(order_id)
    if not found:
        raise NotFoundException()
    doc, unavailable = await documents.one(int(found.group(1)))
    if found.group(2):
        # fpdf2 is CPU work: keep it off the event loop.
        content = await asyncio.to_thread(invoice_pdf, doc, documents.merchant)
        return pdf_response(content, doc.file_name)
    return page(
        request, "views/documents/print.html", doc=doc, pdf_url=pdf_path(request, doc.order.id), unavailable=unavailable
    )


def _statement_query(request: Request, statements: Statements) -> StatementQuery:
    return statements.query(request.query_params.get("from"), request.query_params.get("to"))


async def _statement_or_errors(request: Request, statements: Statements, query: StatementQuery) -> Template:
    """The statement page; with bad dates the form alone, errors beside the fields (400)."""
    parts = PageParts()
    account, result = (None, None) if query.errors else await statements.load(query, parts)
    return page_or_fragment(
        request,
        "views/documents/statement.html",
        "partials/documents/statement_results.html",
        status_code=400 if query.errors else 200,
        query=query,
        account=account,
        statement=result,
        today=statements.clock.today(),
        earliest=EARLIEST_DAY,
        max_span=MAX_SPAN_DAYS,
        default_days=DEFAULT_DAYS,
        unavailable=parts.unavailable,
    )


@get("/statement", name="statement", opt={"feature": "statement"})
async def statement_page(request: Request, statements: NamedDependency[Statements]) -> Template:
    return await _statement_or_errors(request, statements, _statement_query(request, statements))


async def _statement_file(
    request: Request, statements: Statements, write: Callable[[Account, Statement], Awaitable[Response]]
) -> Template | Response:
    """A statement download written by `write`; with bad dates the page with the errors, and
    404 when the account's currency is unknown (the page says why)."""
    query = _statement_query(request, statements)
    if query.errors:
        return await _statement_or_errors(request, statements, query)
    account, result = await statements.load(query)
    if result is None:
        raise NotFoundException()
    return await write(account, result)


@get("/statement.csv", name="statement_csv", opt={"feature": "statement"})
async def statement_csv_file(request: Request, statements: NamedDependency[Statements]) -> Template | Response:
    async def write(_: Account, result: Statement) -> Response:
        return Response(
            statement_csv(result),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{result.file_stem}.csv"'},
        )

    return await _statement_file(request, statements, write)


@get("/statement.pdf", name="statement_pdf", opt={"feature": "statement"})
async def statement_pdf_file(request: Request, statements: NamedDependency[Statements]) -> Template | Response:
    async def write(account: Account, result: Statement) -> Response:
        content = await asyncio.to_thread(statement_pdf, result, statements.merchant, account.name)
        return pdf_response(content, f"{result.file_stem}.pdf")

    return await _statement_file(request, statements, write)
