"""Delivery addresses (customers): the list, and a form to add one.

Brightpearl offers no update or delete for postal addresses (API.md §6.4), so the page offers
neither and says how to ask for a change instead.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from portal.outbox.queue import OutboxConflict, OutboxItem
from portal.web.address_book import MAX_PER_HOUR, AddressBook, Book, blank_form
from portal.web.address_form import COUNTRY_OPTIONS, FIELDS, AddressForm, new_key, parse_address_form
from portal.web.htmx import wants_fragment
from portal.web.rendering import page, page_or_fragment


def _context(book: Book, form: AddressForm, message: tuple[str, str] | None = None) -> dict:
    return {"book": book, "form": form, "fields": FIELDS, "country_options": COUNTRY_OPTIONS, "message": message}


@get("/addresses", name="addresses", opt={"feature": "addresses"})
async def addresses_page(request: Request, addresses: NamedDependency[AddressBook]) -> Template:
    """The address list and the add form; htmx (the list refreshing itself) gets the list alone."""
    book = await addresses.load()
    if wants_fragment(request):
        return page(request, "partials/addresses/list.html", book=book)
    return page(request, "views/addresses/addresses.html", **_context(book, blank_form(book)))


@post("/addresses", name="add_address", status_code=200, opt={"feature": "addresses"})
async def add_address(request: Request, addresses: NamedDependency[AddressBook]) -> Template | Redirect:
    """Add a delivery address: outbox first, then one delivery attempt; the list shows the result."""
    form = parse_address_form(await request.form())
    status = 400
    message = None
    if form.ok and addresses.over_hourly_limit():
        form.form_error = (
            f"You have added {MAX_PER_HOUR} addresses in the last hour. Please wait a while, "
            "or contact us if you need more."
        )
        status = 429
    if form.ok:
        before = await addresses.load()
        # What the form was shown with; never above what the portal knows now.
        known = min(form.known_max_id, before.known_max_id) if before.available else form.known_max_id
        try:
            item = await addresses.add(form, known, request.client.host if request.client else "")
        except OutboxConflict:
            form.form_error = "This form was already sent with other details. Check the list, then add the address again."
            form.idem_key = new_key()
            status = 409
        else:
            if not wants_fragment(request):
                return Redirect(request.app.route_reverse("addresses"), status_code=303)
            message = _outcome(item)
            status = 200
    book = await addresses.load()
    if status == 200:
        form = blank_form(book)
    return page_or_fragment(
        request,
        "views/addresses/addresses.html",
        "partials/addresses/book.html",
        status_code=status,
        **_context(book, form, message),
    )


def _outcome(item: OutboxItem) -> tuple[str, str]:
    """(kind, text) of the message after an address was submitted: done, pending or failed."""
    if item.state == "done":
        return "done", "Address added."
    if item.state == "failed":
        return "failed", "Our system did not accept this address. We have been told and will sort it out."
    return "pending", "Address saved. It is on its way to our system and will appear in the list shortly."
