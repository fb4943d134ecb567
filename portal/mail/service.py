"""`Mail`: what the rest of the portal calls to send a message, and the outbox kind "mail" that
delivers it (to the SMTP server, or into the local mailbox when there is none)."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from typing import Any

from sqlite_utils import Database

from portal.core.settings import Settings
from portal.core.smtp_url import address_of, parse_smtp_url
from portal.outbox.queue import Attempt, Outbox, OutboxConflict, OutboxItem, Save

from .mailbox import Mailbox
from .message import build_message, reply_to, sender
from .smtp import SmtpTransport
from .templates import Branding, MailTemplates, Rendered

log = logging.getLogger("portal.mail")

KIND = "mail"


class Mail:
    """Messages of one portal: rendered from mail/ templates, committed to the outbox, sent by
    SMTP when PORTAL_SMTP_URL is set and kept in the local mailbox when it is not.

    The composition root registers its handler: `outbox.register(KIND, mail.deliver)`."""

    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        settings: Settings,
        *,
        branding: Callable[[], Branding] | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self.templates = MailTemplates(settings, branding=branding)
        self.mailbox = Mailbox(db)
        self.smtp = SmtpTransport(parse_smtp_url(settings.smtp_url), tls_context=tls_context) if settings.smtp_url else None

    @property
    def sends_smtp(self) -> bool:
        """True when messages go to an SMTP server; False: they are kept in the local mailbox."""
        return self.smtp is not None

    def where(self) -> str:
        """Where messages go, in a few words for people (no password)."""
        return f"sent through {self.smtp.url.describe()}" if self.smtp else "kept in the local mailbox (/admin/mailbox)"

    def render(self, template: str, context: Mapping[str, Any]) -> Rendered:
        """Message `template` as it would be sent: (subject, text, html)."""
        return self.templates.render(template, context)

    def link(self, path: str, **query: Any) -> str:
        """The absolute URL of `path` under PORTAL_BASE_URL (what templates' `link()` gives)."""
        return self.templates.link(path, **query)

    def submit(
        self,
        *,
        to: str,
        template: str,
        context: Mapping[str, Any],
        key: str,
        user_id: int | None = None,
        audit: Callable[[], None] | None = None,
    ) -> OutboxItem:
        """Render message `template` for `to` now and commit it to the outbox (with the audit
        row `audit` writes, in the same transaction); the worker is woken to deliver it.

        `key` makes it idempotent: the same key (for the same `user_id`, None for visitors)
        returns the item committed first and sends nothing more, even when `context` differs
        (a second click on "send the link again" within one key sends no second mail). What is
        committed is what is sent: later changes to templates or settings do not alter it.
        Raises ValueError when `to` is not one e-mail address.
        """
        if address_of(to) is None:
            raise ValueError(f"not an e-mail address: {to!r}")
        idem_key = f"{KIND}:{key}"
        existing = self.outbox.by_key(user_id=user_id, idem_key=idem_key)
        if existing is not None:
            return existing
        rendered = self.render(template, context)
        payload = {
            "template": template,
            "to": to,
            "from": sender(self.settings, self.templates.branding().site_name),
            "reply_to": reply_to(self.settings),
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
        }
        try:
            return self.outbox.submit(
                user_id=user_id, contact_id=None, kind=KIND, idem_key=idem_key, payload=payload, audit=audit
            )
        except OutboxConflict:
            # Committed with this key between the look-up above and now: that one stands.
            found = self.outbox.by_key(user_id=user_id, idem_key=idem_key)
            assert found is not None
            return found

    def undelivered(self, limit: int = 100) -> list[OutboxItem]:
        """Messages not delivered yet, newest first: waiting for a retry, or failed."""
        return self.outbox.undelivered(kind=KIND, limit=limit)

    async def deliver(self, attempt: Attempt, save: Save) -> dict:
        """The outbox handler of kind "mail": one attempt at sending a committed message."""
        message = build_message(attempt.payload, item_id=attempt.item_id, created_at=attempt.created_at)
        remembered = {"message_id": message["Message-ID"]}
        if self.smtp is not None:
            # SMTP has no idempotency key: a retry sends again, with the same Message-ID.
            return {**remembered, **await self.smtp.send(message)}
        kept = self.mailbox.keep(message, outbox_id=attempt.item_id)
        if kept:
            log.info("mail %s to %s kept in the local mailbox (no PORTAL_SMTP_URL): %r",
                     attempt.item_id, message["To"], message["Subject"])
        return {**remembered, "mailbox": True}
