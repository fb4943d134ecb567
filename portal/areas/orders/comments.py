"""Comments on an order: the public thread, and a customer adding to it.

A comment becomes a public note on the Brightpearl order, delivered through the outbox: it is
committed locally first and shown as "sending" until Brightpearl has it.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.brightpearl.access import owned_order
from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.writes import ORDER_NOTE, split_attribution
from portal.outbox import OutboxConflict
from portal.pages.common import is_htmx, page, requires_role, valid_id
from portal.services import Services, services
from portal.users import User

MAX_COMMENT = 2000
# A person types a handful of comments a minute at most; more is a script or a stuck key.
MAX_PER_MINUTE = 6
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Comment:
    """One entry of the thread as the customer sees it."""

    author: str
    text: str
    at: datetime | None
    state: str = "done"  # done | sending | waiting | failed
    mine: bool = False


def clean_comment(raw: str) -> tuple[str, str | None]:
    """Return (text, error): trimmed text without control characters, or why it is refused."""
    text = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if not text:
        return text, "Write a comment before sending it."
    if len(text) > MAX_COMMENT:
        return text, f"Keep comments to {MAX_COMMENT:,} characters (this one has {len(text):,})."
    return text, None


def thread(svc: Services, user: User, order, notes) -> list[Comment]:
    """The public notes of the order, oldest first, followed by the customer's comments that
    Brightpearl does not have yet.

    Who wrote a note: a portal comment carries its author in the text; a note filed against
    the order's own contact is the customer's (typed in by staff or Brightpearl's own portal);
    anything else is the merchant's.
    """
    merchant = svc.settings.site_name
    customer = (order.party.full_name if order.party else "") or user.display_name
    shown: list[Comment] = []
    for note in sorted((n for n in notes if n.is_public), key=lambda n: (n.added_on is None, n.added_on, n.id)):
        author, text = split_attribution(note.text)
        if author is None and note.contact_id and note.contact_id == order.party_contact_id:
            author = customer
        shown.append(Comment(author=author or merchant, text=text, at=note.added_on, mine=author is not None))
    for row in svc.outbox.open_rows(kind=ORDER_NOTE, contact_id=user.contact_id, target_id=order.id):
        shown.append(_pending(svc, row))
    return shown


def _pending(svc: Services, row: dict) -> Comment:
    payload = json.loads(row["payload"])
    if row["state"] == "failed":
        state = "failed"
    elif row["attempts"] and row["last_error"]:
        state = "waiting"
    else:
        state = "sending"
    return Comment(
        author=payload["author"], text=payload["text"], at=datetime.fromisoformat(row["created_at"]), state=state, mine=True
    )


def form_context(text: str = "", error: str | None = None) -> dict:
    """A fresh comment form: the idempotency key makes a double submit one comment."""
    return {"comment_text": text, "comment_error": error, "idem_key": secrets.token_urlsafe(16)}


async def _load(request: Request, order_id: int):
    user: User = request.scope["user"]
    svc = services(request)
    order = owned_order(user, await svc.bp.order(valid_id(order_id)))
    return svc, user, order


@get("/orders/{order_id:int}/comments", name="order_comments", guards=[requires_role("customer")])
async def comments_fragment(request: Request, order_id: FromPath[int]) -> Template | Redirect:
    """The thread alone (htmx polls it while a comment is being sent); the order page otherwise."""
    svc, user, order = await _load(request, order_id)
    if not is_htmx(request):
        return Redirect(request.app.route_reverse("order", order_id=order.id))
    notes, notes_missing = await _notes_if_possible(svc, order.id)
    return page(
        request,
        "partials/comments.html",
        order=order,
        comments=thread(svc, user, order, notes),
        notes_missing=notes_missing,
    )


@post("/orders/{order_id:int}/comments", name="add_comment", status_code=200, guards=[requires_role("customer")])
async def add_comment(request: Request, order_id: FromPath[int]) -> Template | Redirect:
    svc, user, order = await _load(request, order_id)
    form = await request.form()
    text, error = clean_comment(str(form.get("text", ""))[: MAX_COMMENT * 4])
    idem_key = str(form.get("idem_key", ""))[:64] or secrets.token_urlsafe(16)
    if error is None and svc.outbox.submitted_since(user_id=user.id, kind=ORDER_NOTE, since=timedelta(minutes=1)) >= MAX_PER_MINUTE:
        error = "You have sent several comments in the last minute. Please wait a moment."
    if error is None:
        try:
            row = svc.outbox.submit(
                user_id=user.id,
                contact_id=user.contact_id,
                kind=ORDER_NOTE,
                idem_key=idem_key,
                target_id=order.id,
                payload={"author": user.display_name, "text": text},
                audit=lambda: svc.audit.record(
                    "comment.add", actor_user_id=user.id, actor_email=user.email, target=f"order:{order.id}"
                ),
            )
        except OutboxConflict:
            error = "This form was already sent. Reload the page to write another comment."
        else:
            await svc.outbox.deliver_now(row)
    if error is None and not is_htmx(request):
        url = request.app.route_reverse("order", order_id=order.id) + "#comments"
        return Redirect(url, status_code=303)
    notes, notes_missing = await _notes_if_possible(svc, order.id)
    form_state = form_context(text if error else "", error)
    context = {
        "order": order,
        "comments": thread(svc, user, order, notes),
        "notes_missing": notes_missing,
        **form_state,
    }
    status = 400 if error else 200
    if is_htmx(request):
        return page(request, "partials/comments.html", status_code=status, with_form=True, **context)
    return await _order_page_with(request, order, status, form_state)


async def _order_page_with(request: Request, order, status: int, form_state: dict) -> Template:
    from portal.pages.orders import order_context

    context = await order_context(request, order)
    context.update(form_state)
    return page(request, "views/order.html", status_code=status, **context)


async def _notes_if_possible(svc: Services, order_id: int) -> tuple[list, bool]:
    """The order's notes, or ([], True) when Brightpearl cannot give them now: the customer's
    own comment is safe in the outbox and must still be shown, not an error page."""
    try:
        return await svc.bp.order_notes(order_id), False
    except BrightpearlError:
        return [], True


route_handlers = [comments_fragment, add_comment]
