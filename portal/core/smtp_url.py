"""PORTAL_SMTP_URL and the mail addresses of the settings, checked: what `Settings.validate` and
the mail transport (portal.mail.smtp) read them as.

It sits in core, not in portal.mail, because the settings stand on core alone
(tests/test_architecture.py); portal.mail re-exports it.

    smtp://user:pass@mail.example.com:587   STARTTLS, required (credentials on the submission port)
    smtp://mail.example.com                 port 25, STARTTLS when the server offers it
    smtp://relay.internal:2525              a local relay; STARTTLS when offered
    smtps://user:pass@mail.example.com      implicit TLS, port 465

Credentials are URL-decoded (a password with "@" or "/" is written %40, %2F).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

SUBMISSION_PORT = 587
# One address as people and RFC 5321 servers write it: something@domain, no spaces or controls.
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


class SmtpUrlError(ValueError):
    """PORTAL_SMTP_URL cannot work; str(error) is one line for the operator (no password in it)."""


@dataclass(frozen=True)
class SmtpUrl:
    """Where and how mail is handed over."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False  # smtps: TLS from the first byte
    # STARTTLS: True = required (fail when the server does not offer it), None = when offered.
    start_tls: bool | None = None

    @property
    def has_credentials(self) -> bool:
        return bool(self.username)

    def describe(self) -> str:
        """The URL without its password, for logs and the admin pages."""
        scheme = "smtps" if self.use_tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpUrl:
    """The SmtpUrl `url` says; SmtpUrlError (one line) when it is not one."""
    example = "like smtp://user:password@mail.example.com:587 or smtps://user:password@mail.example.com:465"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise SmtpUrlError(f"PORTAL_SMTP_URL must look {example} (the port is not a number)") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpUrlError(f"PORTAL_SMTP_URL must start with smtp:// or smtps://, {example}")
    if not parts.hostname:
        raise SmtpUrlError(f"PORTAL_SMTP_URL names no host: write it {example}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SmtpUrlError(f"PORTAL_SMTP_URL takes no path or query: write it {example}")
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if password and not username:
        raise SmtpUrlError("PORTAL_SMTP_URL has a password but no user name")
    if any(ch in username + password for ch in "\r\n\0"):
        raise SmtpUrlError("PORTAL_SMTP_URL's user name or password holds a line break")
    implicit = parts.scheme == "smtps"
    if port is None:
        port = 465 if implicit else (SUBMISSION_PORT if username else 25)
    if not 0 < port < 65536:
        raise SmtpUrlError(f"PORTAL_SMTP_URL's port must be between 1 and 65535, not {port}")
    if implicit:
        start_tls: bool | None = False
    elif username and port == SUBMISSION_PORT:
        # A password on the submission port is never sent in the clear.
        start_tls = True
    else:
        start_tls = None
    return SmtpUrl(parts.hostname, port, username, password, use_tls=implicit, start_tls=start_tls)


def address_of(value: str) -> str | None:
    """The bare address of "someone@example.com" or "Name <someone@example.com>", or None when
    `value` is not one address."""
    if any(ch in value for ch in "\r\n\0") or value.count("@") != 1:
        return None
    _name, address = parseaddr(value)
    return address if _ADDRESS.match(address or "") else None
