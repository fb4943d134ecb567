"""The mailbox section of the admin area: the messages kept when no SMTP server is configured
(newest first, paged), one message (headers, plain text, the HTML in a sandboxed frame), the
messages not delivered yet (waiting or failed), and sending a test message to oneself.

The HTML of a message is never part of a portal page: the page frames
/admin/mailbox/{id}/html in `<iframe sandbox>`, and that response carries its own CSP
(`sandbox`, no scripts, nothing loaded but inline styles and images), so a message's
<script> never runs, least of all in the portal's origin.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.core.settings import Settings
from portal.core.users import User
from portal.mail import KIND, Mail, MailboxEntry
from portal.outbox.queue import OutboxItem
from portal.web.area import for_user
from portal.web.listing import ListQuery, Page, list_view, parse_page
from portal.web.params import valid_id, with_query
from portal.web.rendering import page, page_or_fragment

from .section import Section

# What the framed HTML of a message may do: show itself with its inline styles and images.
MESSAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class MailboxQuery(ListQuery):
    """The mailbox list's query string: only the page."""

    page: int = 1
    errors: Mapping[str, str] | None = None

    def params(self) -> dict:
        return {}


@dataclass
class MailboxPages:
    """What the mailbox pages show, for the admin asking."""

    mail: Mail
    settings: Settings
    user: User

    def listing(self, query: MailboxQuery) -> dict:
        """The context of one page of the list: `page` (of MailboxEntry), `has_any`, and
        the undelivered messages."""
        total = self.mail.mailbox.count()
        size = self.settings.page_size
        entries = self.mail.mailbox.newest(offset=(query.page - 1) * size, limit=size) if not query.errors else []
        pages = max(1, -(-total // size))
        return {
            "page": Page(items=entries, number=query.page, pages=pages, total=total),
            "has_any": total > 0,
            "undelivered": self.mail.undelivered(),
            "sends_smtp": self.mail.sends_smtp,
            "where": self.mail.where(),
        }

    def entry(self, entry_id: int) -> MailboxEntry:
        """The kept message with this id; 404 when there is none."""
        found = self.mail.mailbox.get(valid_id(entry_id))
        if found is None:
            raise NotFoundException()
        return found

    def sent(self, item_id: str | None) -> OutboxItem | None:
        """The test message this admin sent that the list was redirected with (?sent=id)."""
        if not item_id or not item_id.isdigit() or len(item_id) > 9:
            return None
        try:
            item = self.mail.outbox.get(int(item_id))
        except StopIteration:  # no such item
            return None
        return item if item.kind == KIND and item.user_id == self.user.id else None

    async def send_test(self, key: str) -> OutboxItem:
        """Send mail/test_message to this admin, once per form (`key`); wait briefly for it."""
        item = self.mail.submit(
            to=self.user.email,
            template="test_message",
            context={"name": self.user.name, "note": ""},
            key=f"admin-test:{key}",
            user_id=self.user.id,
        )
        return await self.mail.outbox.deliver_now(item)


def section(*, mail: Mail, settings: Settings) -> Section:
    return Section(
        handlers=(mailbox_page, mailbox_message, mailbox_html, mailbox_test),
        services={"mailbox": for_user(partial(MailboxPages, mail, settings))},
    )


def new_key() -> str:
    return secrets.token_urlsafe(18)


@get("/admin/mailbox", name="admin_mailbox")
async def mailbox_page(request: Request, mailbox: NamedDependency[MailboxPages]) -> Template:
    """The kept messages, newest first, with the messages still waiting or failed above them."""
    params = request.query_params
    errors: dict[str, str] = {}
    query = MailboxQuery(page=parse_page(params.get("page"), errors), errors=errors or None)
    return _list(request, mailbox, query, sent=mailbox.sent(params.get("sent")))


@post("/admin/mailbox/test", name="admin_mailbox_test", status_code=303)
async def mailbox_test(request: Request, mailbox: NamedDependency[MailboxPages]) -> Redirect | Template:
    """Send the test message to the admin asking, then show the list (and how it went)."""
    key = (await request.form()).get("idem_key", "")
    if not isinstance(key, str) or not _KEY.match(key):
        return _list(request, mailbox, MailboxQuery(), status_code=400,
                     form_error="This form was out of date. Please send it again.")
    item = await mailbox.send_test(key)
    return Redirect(with_query(request.app.route_reverse("admin_mailbox"), {"sent": item.id}), status_code=303)


def _list(request: Request, mailbox: MailboxPages, query: MailboxQuery, *, status_code: int | None = None,
          **extra) -> Template:
    """The list page (or, for htmx, its results) with a fresh test-message form."""
    context = {**mailbox.listing(query), "idem_key": new_key(), "sent": None, "form_error": None, **extra}
    listing = list_view(request, "admin_mailbox", query, context["page"], context["has_any"])
    status = status_code or (400 if query.errors else 200)
    return page_or_fragment(
        request, "views/admin/mailbox.html", "partials/admin/mailbox_list.html", status_code=status,
        listing=listing, **context,
    )


@get("/admin/mailbox/{entry_id:int}", name="admin_mailbox_message")
async def mailbox_message(
    request: Request, entry_id: FromPath[int], mailbox: NamedDependency[MailboxPages]
) -> Template:
    """One kept message: its headers, its plain text, and its HTML framed from the route below."""
    return page(request, "views/admin/mailbox_message.html", entry=mailbox.entry(entry_id))


@get("/admin/mailbox/{entry_id:int}/html", name="admin_mailbox_html")
async def mailbox_html(entry_id: FromPath[int], mailbox: NamedDependency[MailboxPages]) -> Response:
    """A kept message's HTML as it was sent, under a CSP of its own: sandboxed, no scripts,
    framed by the portal's own pages only."""
    entry = mailbox.entry(entry_id)
    return Response(
        entry.html,
        media_type=MediaType.HTML,
        headers={
            # The app's security headers hook adds its own only where these are not set.
            "Content-Security-Policy": MESSAGE_CSP,
            "X-Frame-Options": "SAMEORIGIN",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Referrer-Policy": "no-referrer",
        },
    )
