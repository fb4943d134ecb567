"""The e-mail itself: who it is from, where replies go, and the stdlib EmailMessage (plain text
and HTML as multipart/alternative) built from what the outbox committed.

The Message-ID comes from the outbox item (its id and the moment it was committed), so every
attempt at the same item sends the same Message-ID and a receiver can recognise a repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

from portal.core.settings import Settings
from portal.core.smtp_url import address_of


def sender(settings: Settings, site_name: str = "") -> str:
    """The From of every message: PORTAL_MAIL_FROM, else `portal@<host of PORTAL_BASE_URL>`;
    a bare address gets the portal's name as its display name ("Customer Portal <portal@…>"):
    `site_name`, the current branding's, else PORTAL_SITE_NAME."""
    configured = settings.mail_from or f"portal@{urlsplit(settings.base_url).hostname or 'localhost'}"
    name, address = parseaddr(configured)
    return formataddr((name or site_name or settings.site_name, address))


def reply_to(settings: Settings) -> str | None:
    """Where replies go: PORTAL_MAIL_REPLY_TO, else PORTAL_MERCHANT_EMAIL, else nowhere (None)."""
    return settings.mail_reply_to or settings.merchant_email or None


def message_id(item_id: int, created_at: datetime, from_address: str) -> str:
    """The Message-ID of outbox item `item_id`: the same for every attempt at it, unique per
    item (its id and commit time), in the sender's domain."""
    domain = (address_of(from_address) or "portal@localhost").rpartition("@")[2]
    return f"<portal.{created_at.strftime('%Y%m%d%H%M%S%f')}.{item_id}@{domain}>"


def build_message(payload: Mapping[str, Any], *, item_id: int, created_at: datetime) -> EmailMessage:
    """The EmailMessage of a committed mail (see portal.mail.service.Mail.submit for `payload`)."""
    message = EmailMessage()
    message["From"] = payload["from"]
    message["To"] = payload["to"]
    if payload.get("reply_to"):
        message["Reply-To"] = payload["reply_to"]
    message["Subject"] = payload["subject"]
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id(item_id, created_at, payload["from"])
    # RFC 3834: no vacation replies or auto-responders answering the portal's mail.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    return message
