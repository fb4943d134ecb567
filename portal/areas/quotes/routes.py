"""The quotes pages (customers) and the shared quote page (anyone holding a valid link)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from portal.security.headers import TOKEN_PAGE_HEADERS
from portal.web.htmx import go
from portal.web.params import valid_id, with_query
from portal.web.pdf import Merchant
from portal.web.rendering import page

from .pdf import quote_pdf
from .quotes import QuoteReader, Quotes
from .responses import AnswerForm, line_choices, parse_changes, parse_decline
from .shares import MAX_MESSAGE, SharedLinks, ShareForm, ShareRefused, new_key, parse_share

DONE = {
    "shared": "The quote is on its way: the link works for 14 days, until you revoke it.",
    "revoked": "The link is revoked: it no longer opens the quote.",
    "declined": "Thank you for your answer: you declined this quote.",
    "changes": "Thank you: your request for changes is with us, and we will come back to you with a new quote.",
}


@dataclass
class SharedQuotes:
    """What a shared link shows: the links, the quotes they name and who issues them."""

    links: SharedLinks
    reader: QuoteReader
    merchant: Callable[[], Merchant]


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@get("/quotes", name="quotes")
async def quotes_page(request: Request, quotes: NamedDependency[Quotes]) -> Template:
    return page(request, "views/quotes/list.html", **await quotes.listing())


async def _quote_page(request: Request, quotes: Quotes, order_id: int,
                      form: ShareForm | None = None, status: int = 200, answer: AnswerForm | None = None) -> Template:
    quote = await quotes.one(order_id)
    done = DONE.get(request.query_params.get("done", "")) if form is None and answer is None else None
    return page(
        request,
        "views/quotes/quote.html",
        status_code=status,
        quote=quote,
        terms=quotes.terms,
        shares=quotes.shares.active(quote.order.id),
        form=form or ShareForm(idem_key=new_key()),
        max_message=MAX_MESSAGE,
        done=done,
        answer=quotes.responses.section(quote, answer),
        answer_lines=line_choices(quote),
    )


@get("/quotes/{order_id:int}", name="quote")
async def quote_page(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Template:
    return await _quote_page(request, quotes, order_id)


@get("/quotes/{order_id:int}/print", name="quote_print")
async def quote_print(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Template:
    quote = await quotes.one(order_id)
    return page(request, "views/quotes/print.html", quote=quote, terms=quotes.terms)


@get("/quotes/{order_id:int}/pdf", name="quote_pdf")
async def quote_pdf_file(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Response:
    quote = await quotes.one(order_id)
    content = await asyncio.to_thread(quote_pdf, quote, quotes.merchant(), quotes.terms)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{quote.file_name}"'})


@get("/quotes/{order_id:int}/share", name="quote_share_form")
async def quote_share_form(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Redirect:
    """The share form (DESIGN's `GET /quotes/{id}/share`): it lives on the quote page."""
    quote = await quotes.one(order_id)
    return Redirect(request.app.route_reverse("quote", order_id=quote.order.id) + "#shares")


@post("/quotes/{order_id:int}/share", name="quote_share", status_code=200)
async def quote_share(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Template | Response:
    quote = await quotes.one(order_id)
    form = parse_share(await request.form())
    if not form.errors:
        form = quotes.shares.share(quote, form, ip=_client(request))
    if form.errors:
        return await _quote_page(request, quotes, quote.order.id, form, status=400)
    url = with_query(request.app.route_reverse("quote", order_id=quote.order.id), {"done": "shared"})
    return go(request, url + "#shares")


@post("/quotes/{order_id:int}/shares/{share_id:int}/revoke", name="quote_share_revoke", status_code=200)
async def quote_share_revoke(request: Request, order_id: FromPath[int], share_id: FromPath[int],
                             quotes: NamedDependency[Quotes]) -> Response:
    quote = await quotes.one(order_id)
    quotes.shares.revoke(quote.order.id, valid_id(share_id), ip=_client(request))
    url = with_query(request.app.route_reverse("quote", order_id=quote.order.id), {"done": "revoked"})
    return go(request, url + "#shares")


async def _answered(request: Request, quotes: Quotes, order_id: int, parse: Callable) -> Template | Response:
    """Queue the answer a form gives (decline or changes) and go back to the quote; a refused
    form is the page again with the error beside the field (400), nothing queued."""
    quote = await quotes.one(order_id)
    responses = quotes.responses
    form, item = await responses.answer(quote, parse(await request.form(), quote), ip=_client(request))
    if item is None:
        return await _quote_page(request, quotes, quote.order.id, status=400, answer=form)
    if item.state == "done" and item.payload.get("status_id") is not None and not await responses.still_a_quote(quote):
        # The mapped status took it out of the quotes (say, cancelled): it is an order now.
        return go(request, request.app.route_reverse("order", order_id=quote.order.id))
    url = with_query(request.app.route_reverse("quote", order_id=quote.order.id), {"done": form.answer})
    return go(request, url + "#answer")


@post("/quotes/{order_id:int}/decline", name="quote_decline", status_code=200)
async def quote_decline(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Template | Response:
    return await _answered(request, quotes, order_id, lambda form, _quote: parse_decline(form))


@post("/quotes/{order_id:int}/changes", name="quote_changes", status_code=200)
async def quote_changes(request: Request, order_id: FromPath[int], quotes: NamedDependency[Quotes]) -> Template | Response:
    return await _answered(request, quotes, order_id, parse_changes)


def _refused(request: Request, reason: str) -> Template:
    response = page(request, "views/quotes/shared_refused.html", status_code=400 if reason == "invalid" else 410,
                    reason=reason)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


@get("/shared/{token:str}", name="quote_shared")
async def shared_quote(request: Request, token: FromPath[str], shared_quotes: NamedDependency[SharedQuotes]) -> Template:
    """The quote a share link names, alone: no menu, nothing else of the account."""
    try:
        opened = shared_quotes.links.open(token, ip=_client(request))
    except ShareRefused as refused:
        return _refused(request, refused.reason)
    quote = await shared_quotes.reader.quote_of_contact(opened.order_id, opened.contact_id)
    if quote is None:
        return _refused(request, "closed")  # accepted, declined or gone since it was shared
    response = page(request, "views/quotes/shared.html", quote=quote, terms=shared_quotes.reader.terms)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response
