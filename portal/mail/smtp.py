"""Handing a message to the merchant's SMTP server (aiosmtplib, on the event loop), and sorting
how that went into the outbox's outcomes: delivered, Refused (a 5xx: the server will never take
it as it is) or TryLater (a 4xx, a connection refused or lost, a timeout)."""

from __future__ import annotations

import ssl
from email.message import EmailMessage

import aiosmtplib

from portal.core.smtp_url import SmtpUrl, SmtpUrlError, parse_smtp_url
from portal.outbox.queue import Refused, TryLater

__all__ = ["SmtpTransport", "SmtpUrl", "SmtpUrlError", "parse_smtp_url"]

TIMEOUT = 30.0  # seconds for each step of the conversation (connect, each command, DATA)


class SmtpTransport:
    """Sends messages to the server `url` describes. `tls_context` replaces the system's
    certificate checks (tests trust their own self-signed certificate with it)."""

    def __init__(self, url: SmtpUrl, *, tls_context: ssl.SSLContext | None = None, timeout: float = TIMEOUT) -> None:
        self.url = url
        self.tls_context = tls_context
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> dict:
        """Send `message` to its To; return what to remember (the server's reply).

        Raises Refused for a permanent refusal (5xx) and TryLater for anything that may work
        later. A recipient refused while another was accepted is remembered, not retried (a
        retry would send the accepted ones a second copy)."""
        url = self.url
        try:
            refused, reply = await aiosmtplib.send(
                message,
                hostname=url.host,
                port=url.port,
                username=url.username or None,
                password=url.password or None,
                use_tls=url.use_tls,
                start_tls=url.start_tls,
                tls_context=self.tls_context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [recipient.code for recipient in error.recipients]
            detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
            if all(code >= 500 for code in codes):
                raise Refused(f"the mail server refused the recipient: {detail}") from error
            raise TryLater(f"the mail server deferred the recipient: {detail}") from error
        except aiosmtplib.SMTPNotSupported as error:
            # STARTTLS required but not offered, or AUTH not offered: the settings need fixing.
            raise Refused(f"{url.describe()}: {error}") from error
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500:
                raise Refused(f"the mail server refused the message: {error.code} {error.message}") from error
            raise TryLater(f"the mail server said try later: {error.code} {error.message}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            # Connection refused or lost, TLS failed, a timeout: the outcome is unknown or "not
            # now"; the next attempt sends the same message (same Message-ID).
            raise TryLater(f"{url.describe()}: {error.__class__.__name__}: {error}") from error
        remembered: dict = {"smtp_reply": str(reply)[:200]}
        if refused:
            remembered["refused"] = {address: f"{r.code} {r.message}" for address, r in refused.items()}
        return remembered
