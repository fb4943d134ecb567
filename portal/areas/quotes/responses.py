"""A customer's answer to a quote other than accepting it: decline it with a reason, or ask for
changes on some of its lines. The answer goes to Brightpearl through the outbox (write kind
`quote_response`, portal.brightpearl.writes.quote_response): committed here first with its
audit row (`quote.declined` / `quote.changes_requested`), then tried at once; the quote page
says how far it got ("sent to us", "on its way", "could not be sent").

Rules: an open (not expired) quote only; after a decline no more answers; a request for changes
may follow another one; at most MAX_PER_HOUR answers an hour per login (each is a note the
merchant's staff read). A form carries an idempotency key minted at render, so a double submit
is one answer.

The status the quote takes is the admin's mapping (order defaults, portal.domain.order_defaults
`resolve`) as it stands when the customer answers, read from the order statuses the ownership
check has just read (so no extra Brightpearl call, and it works from the cache while
Brightpearl is down); None is a note alone.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol

from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.writes import quote_response
from portal.brightpearl.writes.quote_acceptance import portal_ref
from portal.brightpearl.writes.quote_response import CHANGES, DECLINED, changes_note, decline_note, response_payload
from portal.core.audit import Audit
from portal.core.order_defaults import OrderDefaultsStore
from portal.core.users import User
from portal.domain.order_defaults import OrderLists, resolve
from portal.domain.quotes import Quote
from portal.outbox.queue import Outbox, OutboxConflict, OutboxItem

KIND = quote_response.KIND
MAX_REASON = 1000
MAX_CHANGES = 2000
MAX_IDEM_KEY = 64
# Answers one login may send in an hour: each one is a note for the merchant's staff.
MAX_PER_HOUR = 10
AUDIT_ACTIONS = {DECLINED: "quote.declined", CHANGES: "quote.changes_requested"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NO_ERRORS: Mapping[str, str] = MappingProxyType({})


class QuoteReading(Protocol):
    """What the answers need of portal.areas.quotes.quotes.QuoteReader (named so, not imported:
    its Quotes service holds these answers)."""

    bp: Brightpearl
    order_defaults: OrderDefaultsStore

    async def quote_of_contact(self, order_id: int, contact_id: int) -> Quote | None: ...


def new_key() -> str:
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class AnswerForm:
    """One of the two forms as typed (`answer`: "declined" or "changes"), with errors by field
    ("text", "lines", or "form" for the form as a whole)."""

    answer: str
    text: str = ""
    line_ids: tuple[int, ...] = ()
    idem_key: str = field(default_factory=new_key)
    errors: Mapping[str, str] = field(default_factory=lambda: _NO_ERRORS)

    def refused(self, name: str, message: str) -> AnswerForm:
        return AnswerForm(self.answer, self.text, self.line_ids, self.idem_key, {**self.errors, name: message})


@dataclass(frozen=True)
class GivenAnswer:
    """An answer this contact gave to the quote: what, when, and how far it got ("sent",
    "on_its_way" or "failed")."""

    answer: str
    at: datetime
    state: str


@dataclass(frozen=True)
class AnswerSection:
    """What the quote page's #answer section shows: the answers given (oldest first) and, while
    the quote is not declined, the two forms."""

    given: tuple[GivenAnswer, ...]
    decline: AnswerForm
    changes: AnswerForm
    max_reason: int = MAX_REASON
    max_changes: int = MAX_CHANGES

    @property
    def declined(self) -> bool:
        return any(g.answer == DECLINED for g in self.given)

    @property
    def open(self) -> bool:
        """True when the customer may still answer (no decline given)."""
        return not self.declined

    @property
    def problem(self) -> str | None:
        """Why a form was refused as a whole (an expired quote, a decline given, the hourly
        limit), or None."""
        return self.decline.errors.get("form") or self.changes.errors.get("form")


def _clean(raw: object, limit: int) -> str:
    text = _CONTROL.sub("", str(raw or "").replace("\r\n", "\n")).strip()
    return text[: limit * 4]  # long enough to say how long it was, short enough to carry


def _key(form: Mapping[str, Any]) -> str:
    return str(form.get("idem_key", ""))[:MAX_IDEM_KEY] or new_key()


def parse_decline(form: Mapping[str, Any]) -> AnswerForm:
    """The decline form's fields, checked: a reason of 1 to MAX_REASON characters."""
    text = _clean(form.get("reason"), MAX_REASON)
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Tell us why you are declining the quote."
    elif len(text) > MAX_REASON:
        errors["text"] = f"Keep the reason to {MAX_REASON:,} characters (it has {len(text):,})."
    return AnswerForm(DECLINED, text, (), _key(form), errors)


def parse_changes(form: Any, quote: Quote) -> AnswerForm:
    """The changes form's fields, checked: at least one of the quote's lines ticked, and what
    should change, 1 to MAX_CHANGES characters. `form` is the request's form (several `line`)."""
    raw_lines = form.getall("line", []) if hasattr(form, "getall") else form.get("line", [])
    if isinstance(raw_lines, str):
        raw_lines = [raw_lines]
    known = {row.row_id for row in quote.order.rows}
    ticked = {int(value) for value in raw_lines[:200] if str(value).isdigit()}
    line_ids = tuple(row.row_id for row in quote.order.rows if row.row_id in ticked)  # the quote's order
    text = _clean(form.get("changes"), MAX_CHANGES)
    errors: dict[str, str] = {}
    if not line_ids or ticked - known:
        errors["lines"] = "Tick the lines you want us to change."
    if not text:
        errors["text"] = "Tell us what should change."
    elif len(text) > MAX_CHANGES:
        errors["text"] = f"Keep it to {MAX_CHANGES:,} characters (it has {len(text):,})."
    return AnswerForm(CHANGES, text, line_ids, _key(form), errors)


@dataclass
class QuoteResponses:
    """The answers of the user's contact to its quotes, and giving one."""

    reader: QuoteReading
    outbox: Outbox
    audit: Audit
    user: User

    def given(self, order_id: int) -> tuple[GivenAnswer, ...]:
        """The answers the user's contact gave to quote `order_id` (any of its logins), oldest
        first: delivered ones and those still on their way or failed (not those an admin gave up)."""
        contact = self.user.contact_id
        found = [
            GivenAnswer(str(result.get("answer")), datetime.fromisoformat(str(result["answered_at"])), "sent")
            for result in self.outbox.delivered_results(kind=KIND, contact_id=contact)
            if result.get("order_id") == order_id and result.get("answered_at")
        ]
        found.extend(
            GivenAnswer(str(item.payload.get("answer")), item.created_at,
                        "failed" if item.state == "failed" else "on_its_way")
            for item in self.outbox.open_items(kind=KIND, contact_id=contact, target_id=order_id)
        )
        return tuple(sorted(found, key=lambda g: g.at))

    def section(self, quote: Quote, form: AnswerForm | None = None) -> AnswerSection:
        """The #answer section of `quote`, with `form` as typed when it was refused."""
        decline = form if form is not None and form.answer == DECLINED else AnswerForm(DECLINED)
        changes = form if form is not None and form.answer == CHANGES else AnswerForm(CHANGES)
        return AnswerSection(self.given(quote.order.id), decline, changes)

    async def answer(self, quote: Quote, form: AnswerForm, *, ip: str) -> tuple[AnswerForm, OutboxItem | None]:
        """Queue `form`'s answer to `quote` and try to deliver it at once; return the form (with
        errors when nothing was queued) and the outbox item."""
        if form.errors:
            return form, None
        user = self.user
        repeated = self.outbox.by_key(user_id=user.id, idem_key=form.idem_key) is not None
        if not repeated:
            refusal = self._refusal(quote)
            if refusal is not None:
                return form.refused("form", refusal), None
        note = self._note(quote, form)
        payload = response_payload(
            quote_id=quote.order.id, answer=form.answer, note=note, status_id=await self._status(form.answer),
            seen_status_id=quote.order.status_id, ref=portal_ref(user.id, form.idem_key),
            author=user.display_name, text=form.text, line_ids=form.line_ids,
        )
        try:
            item = self.outbox.submit(
                user_id=user.id, contact_id=user.contact_id, kind=KIND, idem_key=form.idem_key,
                target_id=quote.order.id, payload=payload,
                audit=lambda: self.audit.record(
                    AUDIT_ACTIONS[form.answer], actor_user_id=user.id, actor_email=user.email, ip=ip,
                    target=f"order:{quote.order.id}",
                    detail={"lines": list(form.line_ids), "status_id": payload["status_id"]},
                ),
            )
        except OutboxConflict:
            return form.refused("form", "This form was already sent. Reload the page to answer again."), None
        return form, await self.outbox.deliver_now(item)

    async def still_a_quote(self, quote: Quote) -> bool:
        """Whether Brightpearl still shows `quote` as a quote of the user's contact (after a
        status change it may be an order now); True when Brightpearl cannot say."""
        try:
            return await self.reader.quote_of_contact(quote.order.id, self.user.contact_id or 0) is not None
        except BrightpearlError:
            return True

    def _refusal(self, quote: Quote) -> str | None:
        if quote.expired:
            return f"This quote expired on {quote.valid_until:%-d %b %Y}: ask us for a new one instead."
        if any(g.answer == DECLINED for g in self.given(quote.order.id)):
            return "You have declined this quote already."
        if self.outbox.submitted_since(user_id=self.user.id, kind=KIND, since=timedelta(hours=1)) >= MAX_PER_HOUR:
            return f"You have answered {MAX_PER_HOUR} quotes in the last hour: please wait a while."
        return None

    def _note(self, quote: Quote, form: AnswerForm) -> str:
        author = self.user.display_name
        if form.answer == DECLINED:
            return decline_note(author=author, quote_number=quote.number, reason=form.text)
        rows = [row for row in quote.order.rows if row.row_id in set(form.line_ids)]
        return changes_note(author=author, quote_number=quote.number, lines=rows, wanted=form.text)

    async def _status(self, answer: str) -> int | None:
        # The statuses are the ones the ownership check just read (cached): no extra call.
        statuses = await self.reader.bp.orders.statuses()
        effective = resolve(self.reader.order_defaults.current(), OrderLists(statuses=statuses))
        return effective.quote_declined_status_id if answer == DECLINED else effective.quote_changes_status_id


def line_choices(quote: Quote) -> Sequence[tuple[int, str]]:
    """The quote's lines as the changes form offers them: (row id, "SKU – name × quantity")."""
    return [(row.row_id, quote_response.line_label(row)) for row in quote.order.rows]
