"""The statement of account (customers): as a page, as CSV and as PDF.

The statement is always the logged-in contact's; no contact id is read from the request.

Brightpearl calls (cold; warm: none), the same for the page, the CSV and the PDF:

    contact(me)                                  currency id of the account
    price_lists()                                currency id -> ISO code (reference data)
    statement(me, currency)                      every transaction, one search call per 500 lines,
                                                 shared by every period asked for
    contact_balance_until(me, code, from - 1)    the opening balance
                                                                                     -> 4
The whole history is read (not only the period) because ageing "unpaid as of `to`" needs each
invoice with the payments made against it up to that day, whenever the invoice was issued.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, timedelta

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template

from portal.documents import Statement, statement, statement_csv
from portal.pages.common import is_htmx, page, requires_role
from portal.pages.documents import pdf_response
from portal.pdf import Merchant, statement_pdf
from portal.services import services
from portal.users import User

DEFAULT_DAYS = 90
MAX_SPAN_DAYS = 366  # a year, leap day included
EARLIEST = date(2000, 1, 1)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class StatementQuery:
    """The validated period; `errors` maps field ("from"/"to") -> message. `raw` keeps what
    was typed so the form can show it back."""

    date_from: date
    date_to: date
    raw: dict
    errors: dict | None = None

    def as_params(self) -> dict:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def parse_statement_query(from_text: str | None, to_text: str | None, today: date) -> StatementQuery:
    """Validate `from`/`to` (yyyy-mm-dd). Defaults: the last 90 days up to today."""
    errors: dict[str, str] = {}
    raw = {"from": (from_text or "").strip()[:32], "to": (to_text or "").strip()[:32]}
    date_to = _parse_day(raw["to"], "to", errors) or today
    date_from = _parse_day(raw["from"], "from", errors) or date_to - timedelta(days=DEFAULT_DAYS)
    if not errors:
        if date_to > today:
            errors["to"] = "The statement can end today at the latest."
        elif date_from > date_to:
            errors["from"] = "The start date must be on or before the end date."
        elif (date_to - date_from).days > MAX_SPAN_DAYS:
            errors["from"] = f"A statement covers at most {MAX_SPAN_DAYS} days: choose a later start date."
    return StatementQuery(date_from=date_from, date_to=date_to, raw=raw, errors=errors or None)


def _parse_day(text: str, field: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    if not _ISO_DAY.match(text):
        errors[field] = "Enter a date as year-month-day, e.g. 2025-03-31."
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors[field] = "That date does not exist."
        return None
    if value < EARLIEST:
        errors[field] = f"Choose a date from {EARLIEST.year} on."
        return None
    return value


@dataclass(frozen=True)
class Account:
    """Whose statement it is: a name for the heading, and the currency (None: unknown)."""

    name: str
    currency: str | None


async def load_statement(request: Request, user: User, query: StatementQuery) -> tuple[Account, Statement | None]:
    """The user's statement for the period (None when the account's currency is unknown)."""
    if user.contact_id is None:
        raise NotFoundException()
    bp = services(request).bp
    contact = await bp.contact(user.contact_id)
    if contact is None or contact.id != user.contact_id:
        raise NotFoundException()
    name = contact.company_name or contact.full_name or user.display_name
    if not contact.currency_id:
        return Account(name, None), None
    code, lines = await asyncio.gather(
        bp.currency_code(contact.currency_id), bp.statement(contact.id, contact.currency_id)
    )
    if code is None:
        return Account(name, None), None
    opening = await bp.contact_balance_until(contact.id, code, query.date_from - timedelta(days=1))
    return Account(name, code), statement(lines, opening, query.date_from, query.date_to, code)


def _query(request: Request) -> StatementQuery:
    params = request.query_params
    return parse_statement_query(params.get("from"), params.get("to"), date.today())


async def _page_or_errors(request: Request, query: StatementQuery) -> Template:
    """The statement page; with bad dates the form alone, errors beside the fields (400)."""
    account, result = (None, None) if query.errors else await load_statement(request, request.scope["user"], query)
    context = {
        "query": query,
        "account": account,
        "statement": result,
        "today": date.today(),
        "max_span": MAX_SPAN_DAYS,
    }
    name = "partials/statement_results.html" if is_htmx(request) else "views/statement.html"
    return page(request, name, status_code=400 if query.errors else 200, **context)


@get("/statement", name="statement", guards=[requires_role("customer")])
async def statement_page(request: Request) -> Template:
    return await _page_or_errors(request, _query(request))


@get("/statement.csv", name="statement_csv", guards=[requires_role("customer")])
async def statement_csv_file(request: Request) -> Template | Response:
    query = _query(request)
    if query.errors:
        return await _page_or_errors(request, query)
    _, result = await load_statement(request, request.scope["user"], query)
    if result is None:
        raise NotFoundException()
    return Response(
        statement_csv(result),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{result.file_stem}.csv"'},
    )


@get("/statement.pdf", name="statement_pdf", guards=[requires_role("customer")])
async def statement_pdf_file(request: Request) -> Template | Response:
    query = _query(request)
    if query.errors:
        return await _page_or_errors(request, query)
    account, result = await load_statement(request, request.scope["user"], query)
    if result is None:
        raise NotFoundException()
    settings = services(request).settings
    merchant = Merchant(name=settings.site_name, brand_colour=settings.brand_colour)
    content = await asyncio.to_thread(statement_pdf, result, merchant, account.name)
    return pdf_response(content, f"{result.file_stem}.pdf")


route_handlers = [statement_page, statement_csv_file, statement_pdf_file]
