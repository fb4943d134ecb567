"""The checkout's pages: review, delivery, payment, confirm, and the confirmation page.

Each step is a plain form that posts, is checked, and redirects to the next step (303); bad
input re-renders the step with 400 and the error beside the field, and changes nothing. The
pages are boosted by htmx (the form posts without a page load, the next step swaps in); without
JavaScript they work the same way as plain pages.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from portal.web.address_form import COUNTRY_OPTIONS, FIELDS, AddressForm
from portal.web.htmx import go, wants_fragment
from portal.web.params import valid_id
from portal.web.rendering import page

from .checkout import AlreadyPlaced, Changed, Checkout, Options, Placed, QuoteClosed
from .checkout_forms import (
    MAX_INSTRUCTIONS,
    MAX_PO_REFERENCE,
    NEW_ADDRESS,
    DeliveryForm,
    PaymentForm,
    idem_key_of,
    parse_delivery,
    parse_payment,
)
from .drafts import Draft, new_key

STEPS = (("review", "Review"), ("delivery", "Delivery"), ("payment", "Payment"), ("confirm", "Confirm"))


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _next(request: Request, url: str) -> Response:
    """After a step's POST: a boosted form follows a 303 and swaps the next step in; any other
    htmx request is sent there; a plain form gets the 303."""
    if isinstance(request, HTMXRequest) and request.htmx and request.htmx.boosted:
        return Redirect(url, status_code=303)
    return go(request, url)


def _step(request: Request, template: str, step: str, draft: Draft | None, status: int = 200, **context) -> Template:
    context = {"form_error": None, "changes": [], "quote": None, **context}
    return page(request, template, status_code=status, steps=STEPS, step=step, draft=draft, **context)


def _expired(request: Request, order_id: int, closed: QuoteClosed | None = None) -> Template:
    reason = closed.reason if closed is not None else "expired"
    return page(request, "views/checkout/closed.html", status_code=409, order_id=order_id, reason=reason)


def _step_url(request: Request, name: str, draft: Draft) -> str:
    return request.app.route_reverse(name, draft_id=draft.id)


# --- 1. review ---------------------------------------------------------------------------------
@get("/quotes/{order_id:int}/checkout", name="checkout_start")
async def checkout_start(request: Request, order_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Template:
    """The quote's lines and totals; the form carries the checkout's key, minted now."""
    placed = checkout.placed_checkout(valid_id(order_id))
    if placed is not None:
        return Redirect(_step_url(request, "checkout_done", placed))
    try:
        quote = await checkout.quote(valid_id(order_id))
    except QuoteClosed as closed:
        return _expired(request, order_id, closed)
    return _step(request, "views/checkout/review.html", "review", None, quote=quote, idem_key=new_key(),
                 terms=checkout.reader.terms)


@post("/quotes/{order_id:int}/checkout", name="checkout_begin", status_code=200)
async def checkout_begin(request: Request, order_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    placed = checkout.placed_checkout(valid_id(order_id))
    if placed is not None:
        return _next(request, _step_url(request, "checkout_done", placed))
    try:
        quote = await checkout.quote(valid_id(order_id))
    except QuoteClosed as closed:
        return _expired(request, order_id, closed)
    key = idem_key_of(await request.form())
    if not key:
        return _step(request, "views/checkout/review.html", "review", None, status=400, quote=quote,
                     idem_key=new_key(), terms=checkout.reader.terms,
                     form_error="This page had expired. Check the quote and continue again.")
    draft = checkout.begin(quote, key)
    if draft.confirmed:
        return _next(request, _step_url(request, "checkout_done", draft))
    return _next(request, _step_url(request, "checkout_delivery", draft))


async def _open_draft(checkout: Checkout, draft_id: int) -> tuple[Draft, object]:
    """The login's unconfirmed checkout and its quote; once it, or another checkout of the same
    quote (another tab), is confirmed: that checkout and None (the caller shows where it is)."""
    draft = checkout.draft(valid_id(draft_id))
    if draft.confirmed:
        return draft, None
    placed = checkout.placed_checkout(draft.quote_id)
    if placed is not None:
        return placed, None
    return draft, await checkout.quote(draft.quote_id)


async def _opened(request: Request, checkout: Checkout, draft_id: int, *, needs: tuple[str, ...] = ()):
    """(draft, quote) of an open step, or the response that takes the customer where the
    checkout is: its confirmation once confirmed (this one or another tab's), the first step not
    done of `needs` ("address", "payment"), or the page saying the quote cannot be accepted."""
    move = (lambda url: _next(request, url)) if request.method == "POST" else Redirect
    try:
        draft, quote = await _open_draft(checkout, draft_id)
    except QuoteClosed as closed:
        return _expired(request, checkout.draft(draft_id).quote_id, closed)
    if quote is None:
        return move(_step_url(request, "checkout_done", draft))
    missing = _missing_step(draft, needs)
    if missing:
        return move(_step_url(request, missing, draft))
    return draft, quote


# --- 2. delivery -------------------------------------------------------------------------------
def _delivery_page(request: Request, draft: Draft, quote, options: Options, form: DeliveryForm | None = None,
                   status: int = 200) -> Template:
    chosen = form.address if form else str(draft.choices.get("address", ""))
    if not chosen and options.addresses:
        chosen = options.addresses[0].key
    new = (form.new_address if form else None) or AddressForm(country="GBR")
    shipping = form.shipping_method_id if form else draft.choices.get("shipping_method_id")
    if shipping is None and options.shipping:
        ids = [i for i, _ in options.shipping]
        shipping = quote.order.shipping_method_id if quote.order.shipping_method_id in ids else ids[0]
    return _step(request, "views/checkout/delivery.html", "delivery", draft, status=status, quote=quote,
                 options=options, chosen=chosen, new_address=new, shipping=shipping,
                 errors=(form.errors if form else {}), fields=FIELDS, country_options=COUNTRY_OPTIONS,
                 NEW_ADDRESS=NEW_ADDRESS)


@get("/checkout/{draft_id:int}/delivery", name="checkout_delivery")
async def checkout_delivery(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    opened = await _opened(request, checkout, draft_id)
    if not isinstance(opened, tuple):
        return opened
    draft, quote = opened
    return _delivery_page(request, draft, quote, await checkout.options(quote))


@post("/checkout/{draft_id:int}/delivery", name="checkout_delivery_save", status_code=200)
async def checkout_delivery_save(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    opened = await _opened(request, checkout, draft_id)
    if not isinstance(opened, tuple):
        return opened
    draft, quote = opened
    options = await checkout.options(quote)
    form = parse_delivery(await request.form(), address_keys={a.key for a in options.addresses},
                          shipping_ids={i for i, _ in options.shipping})
    if form.errors:
        return _delivery_page(request, draft, quote, options, form, status=400)
    await checkout.choose_delivery(draft, form, options, _client(request))
    return _next(request, _step_url(request, "checkout_payment", draft))


# --- 3. payment -------------------------------------------------------------------------------
def _payment_page(request: Request, draft: Draft, quote, options: Options, form: PaymentForm | None = None,
                  status: int = 200) -> Template:
    shown = form or PaymentForm(
        payment=str(draft.choices.get("payment", "")),
        po_reference=str(draft.choices.get("po_reference", "")),
        instructions=str(draft.choices.get("instructions", "")),
    )
    if not shown.payment:
        shown.payment = next((p.code for p in options.payments if not p.refused), "")
    return _step(request, "views/checkout/payment.html", "payment", draft, status=status, quote=quote,
                 options=options, form=shown, max_po=MAX_PO_REFERENCE, max_instructions=MAX_INSTRUCTIONS)


@get("/checkout/{draft_id:int}/payment", name="checkout_payment")
async def checkout_payment(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    opened = await _opened(request, checkout, draft_id, needs=("address",))
    if not isinstance(opened, tuple):
        return opened
    draft, quote = opened
    return _payment_page(request, draft, quote, await checkout.options(quote, payments=True))


@post("/checkout/{draft_id:int}/payment", name="checkout_payment_save", status_code=200)
async def checkout_payment_save(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    opened = await _opened(request, checkout, draft_id, needs=("address",))
    if not isinstance(opened, tuple):
        return opened
    draft, quote = opened
    options = await checkout.options(quote, payments=True)
    form = parse_payment(await request.form(), payments=options.payment_rules())
    if form.errors:
        return _payment_page(request, draft, quote, options, form, status=400)
    checkout.choose_payment(draft, form, options)
    return _next(request, _step_url(request, "checkout_confirm", draft))


# --- 4. confirm -------------------------------------------------------------------------------
def _confirm_page(request: Request, checkout: Checkout, draft: Draft, quote, status: int = 200, **context) -> Template:
    return _step(request, "views/checkout/confirm.html", "confirm", draft, status=status, quote=quote,
                 summary=checkout.summary(draft, quote), placement=checkout.placement, **context)


@get("/checkout/{draft_id:int}/confirm", name="checkout_confirm")
async def checkout_confirm(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    opened = await _opened(request, checkout, draft_id, needs=("address", "payment"))
    if not isinstance(opened, tuple):
        return opened
    draft, quote = opened
    await checkout.preload()
    return _confirm_page(request, checkout, draft, quote)


def _missing_step(draft: Draft, needs: tuple[str, ...] = ("address", "payment")) -> str:
    """The route of the first step `needs` that the checkout has not done, or ""."""
    if "address" in needs and not draft.has("address"):
        return "checkout_delivery"
    if "payment" in needs and not draft.has("payment"):
        return "checkout_payment"
    return ""


@post("/checkout/{draft_id:int}/confirm", name="checkout_place", status_code=200)
async def checkout_place(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    """Place the order: committed to the outbox under the checkout's key, then tried once."""
    draft = checkout.draft(valid_id(draft_id))
    placed = checkout.placed_checkout(draft.quote_id)
    if placed is not None:
        return _next(request, _step_url(request, "checkout_done", placed))
    missing = _missing_step(draft)
    if missing:
        return _next(request, _step_url(request, missing, draft))
    key = idem_key_of(await request.form())
    try:
        quote = await checkout.fresh_quote(draft.quote_id)
    except QuoteClosed as closed:
        return _expired(request, draft.quote_id, closed)
    if key != draft.idem_key:
        return _confirm_page(request, checkout, draft, quote, status=409,
                             form_error="This page was out of date. Check the order and confirm again.")
    outcome = await checkout.place(draft, quote, _client(request))
    if isinstance(outcome, Changed):
        return _confirm_page(request, checkout, outcome.draft, quote, status=409, changes=outcome.changes)
    if isinstance(outcome, AlreadyPlaced):
        if outcome.user_id == draft.user_id:
            return _next(request, request.app.route_reverse("checkout_done", draft_id=outcome.draft_id))
        return page(request, "views/checkout/closed.html", status_code=409, order_id=draft.quote_id, reason="colleague")
    assert isinstance(outcome, Placed)
    return _next(request, _step_url(request, "checkout_done", outcome.draft))


# --- 5. the confirmation page ---------------------------------------------------------------------
@get("/checkout/{draft_id:int}", name="checkout_done")
async def checkout_done(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    """What became of the order: placed, waiting for Brightpearl, or the quote changed."""
    draft = checkout.draft(valid_id(draft_id))
    item = checkout.item(draft)
    if item is None:
        return Redirect(_step_url(request, _missing_step(draft) or "checkout_confirm", draft))
    context = {"item": item, "summary": item.payload.get("summary", {}), "placed": checkout.placed(item),
               "changes": checkout.changes(item)}
    if wants_fragment(request):
        return page(request, "partials/checkout/state.html", draft=draft, **context)
    return _step(request, "views/checkout/done.html", "done", draft, **context)


@post("/checkout/{draft_id:int}/again", name="checkout_again", status_code=200)
async def checkout_again(request: Request, draft_id: FromPath[int], checkout: NamedDependency[Checkout]) -> Response:
    """The quote changed before Brightpearl took the order: review it as it is now."""
    draft = await checkout.again(checkout.draft(valid_id(draft_id)))
    if draft.confirmed:
        return _next(request, _step_url(request, "checkout_done", draft))
    return _next(request, _step_url(request, "checkout_confirm", draft))
