"""A real SMTP server for tests (aiosmtpd on a free local port, in its own thread) that keeps
what it is sent, and helpers to read a message's parts and links.

    with smtp_server() as smtp:                      # plain relay
        settings = portal_settings(tmp_path, smtp_url=smtp.url)
        ...
        message = smtp.wait_for(1)[0]               # an email.message.EmailMessage
        text, html = text_of(message), html_of(message)
        for url in links_in(message): ...

    smtp_server(auth=("user", "pass"))               # AUTH PLAIN/LOGIN required
    smtp_server(starttls=tls)                        # STARTTLS required; tls = self_signed_tls(tmp_path)
    smtp_server(implicit_tls=tls)                    # smtps: TLS from the first byte
    smtp.reply_next("451 4.3.0 try again later")     # the next DATA gets this answer instead of 250
    smtp.stop(); smtp.start()                        # down, then back on the same port
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Tls:
    """A self-signed certificate for 127.0.0.1: the server's context, and a client context that
    trusts only it."""

    server: ssl.SSLContext
    client: ssl.SSLContext


def self_signed_tls(directory: Path) -> Tls:
    """Make a certificate for 127.0.0.1 and localhost with the `openssl` command."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return Tls(server=server, client=client)


class _ClearAuthSMTP(SMTP):
    """aiosmtpd's server, taking AUTH without TLS (a local test server) without the warning
    aiosmtpd gives for it on each connection, in its own thread, where pytest's
    filterwarnings=error would turn it into a refused connection."""

    def __init__(self, handler, **options) -> None:
        super().__init__(handler, **{**options, "auth_require_tls": True})
        self._auth_require_tls = False


class _Controller(Controller):
    def __init__(self, *args, clear_auth: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clear_auth = clear_auth

    def factory(self) -> SMTP:
        if self.clear_auth:
            return _ClearAuthSMTP(self.handler, **self.SMTP_kwargs)
        return super().factory()


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self.server.lock:
            if self.server.replies:
                return self.server.replies.pop(0)
            message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), session.authenticated))
        return "250 2.0.0 OK: queued"


class SmtpServer:
    """The running server: `url` for PORTAL_SMTP_URL, and what it was sent (`messages`,
    `envelopes`: (MAIL FROM, RCPT TOs, authenticated))."""

    def __init__(self, *, auth: tuple[str, str] | None, starttls: Tls | None, implicit_tls: Tls | None) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.auth = auth
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str], bool]] = []
        self.replies: list[str] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = ""
        if self.auth:
            user = f"{quote(self.auth[0], safe='')}:{quote(self.auth[1], safe='')}@"
        return f"{scheme}://{user}{self.host}:{self.port}"

    def reply_next(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies ("451 …", "550 …") instead of 250."""
        with self.lock:
            self.replies.extend(replies)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once there are `count` of them (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"the SMTP server got {len(self.messages)} message(s), not {count}")

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.auth is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.auth
        )
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        """Listen (again) on the same port."""
        options: dict = {}
        if self.auth:
            options.update(authenticator=self._authenticate, auth_required=True)
        if self.starttls:
            options.update(tls_context=self.starttls.server, require_starttls=True)
        controller = _Controller(
            _Handler(self), hostname=self.host, port=self.port,
            ssl_context=self.implicit_tls.server if self.implicit_tls else None,
            clear_auth=bool(self.auth) and not (self.starttls or self.implicit_tls),
            **options,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening (connections are refused until start())."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def smtp_server(
    *, auth: tuple[str, str] | None = None, starttls: Tls | None = None, implicit_tls: Tls | None = None
) -> Iterator[SmtpServer]:
    """A running SMTP server on a free local port; stopped afterwards."""
    server = SmtpServer(auth=auth, starttls=starttls, implicit_tls=implicit_tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- reading messages -------------------------------------------------------------------------
def text_of(message: EmailMessage) -> str:
    """The plain-text part."""
    part = message.get_body(("plain",))
    assert part is not None, "the message has no text/plain part"
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML part."""
    part = message.get_body(("html",))
    assert part is not None, "the message has no text/html part"
    return part.get_content()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


_URL = re.compile(r"https?://[^\s<>\"')]+")


def html_links(message: EmailMessage) -> list[str]:
    """Every <a href> of the HTML part, in order."""
    parser = _Links()
    parser.feed(html_of(message))
    return parser.hrefs


def text_links(message: EmailMessage) -> list[str]:
    """Every http(s) URL written in the plain-text part, in order."""
    return _URL.findall(text_of(message))


def links_in(message: EmailMessage) -> list[str]:
    """The web links of a message (plain text and HTML, mailto: left out), each once, in order."""
    seen: dict[str, None] = {}
    for url in [*text_links(message), *html_links(message)]:
        if url.startswith(("http://", "https://")):
            seen.setdefault(url, None)
    return list(seen)
