"""CSRF tokens bound to the login session (replaces Litestar's CSRFMiddleware).

Litestar's token is a signed random value compared with a cookie (double submit): any token
pair the portal ever signed is accepted with any session, so a planted cookie plus a matching
token works against someone else's session (security checklist F2). Here:

- a logged-in request must carry the token *of its session*: an HMAC of the session id's hash
  under the secret key. Nothing is stored; a login mints a new session id, so it rotates the
  token too, and logging out ends it. The cookie plays no part in the check.
- a visitor (no live session: the login form) has no session to bind to, so their token is
  a signed random value in the cookie, submitted back with the form (double submit). All it
  guards is the login form, which the Origin check (middleware.py) also covers.

The token reaches pages the way Litestar's did (`csrf_token()`, `csrf_input`): forms carry it in
the hidden `_csrf_token` field (no JavaScript needed), htmx requests in the `X-CSRFToken`
header (`hx-headers` on `<body>`). The cookie holds the current token too (scripts and tests
read it), and is re-set when it differs, e.g. on the first page after logging in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from litestar.datastructures import Cookie, MutableScopeHeaders, UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from portal.security.middleware import UNSAFE, cookie_value, skips_session

HEADER = "x-csrftoken"
FORM_FIELD = "_csrf_token"
_NONCE_HEX = 32


class CsrfTokens:
    """Mint and check CSRF tokens under one secret key."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def for_session(self, session_token: str) -> str:
        """The token of the session whose cookie value is `session_token`."""
        return self._mac("csrf-session", hashlib.sha256(session_token.encode()).hexdigest())

    def new_visitor_token(self) -> str:
        """A fresh token for a visitor who is not logged in."""
        nonce = secrets.token_hex(_NONCE_HEX // 2)
        return nonce + self._mac("csrf-visitor", nonce)

    def is_visitor_token(self, token: str | None) -> bool:
        """True when `token` is a visitor token this key signed."""
        if not token or len(token) != _NONCE_HEX + 64:
            return False
        nonce, mac = token[:_NONCE_HEX], token[_NONCE_HEX:]
        return hmac.compare_digest(mac, self._mac("csrf-visitor", nonce))


class SessionCsrfMiddleware(ASGIMiddleware):
    """Refuse unsafe requests without the right token (403); give every page its token.

    Runs after SessionUserMiddleware, which leaves the live session's cookie value in
    `scope["auth"]`. Static files and /healthz are skipped, as they are for sessions.
    """

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return skips_session(scope["path"])

    def __init__(self, tokens: CsrfTokens, *, cookie_name: str, session_cookie_name: str, secure: bool) -> None:
        self.tokens = tokens
        self.cookie_name = cookie_name
        self.session_cookie_name = session_cookie_name
        self.secure = secure

    def expected(self, scope: Scope) -> str | None:
        """The token this request must carry: its session's, or the visitor's signed cookie."""
        session = scope.get("auth")
        if session:
            return self.tokens.for_session(session)
        cookie = cookie_value(scope, self.cookie_name)
        return cookie if self.tokens.is_visitor_token(cookie) else None

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        expected = self.expected(scope)
        state = ScopeState.from_scope(scope)
        if scope["method"] in UNSAFE:
            submitted = await _submitted_token(scope, receive)
            if expected is None or submitted is None or not hmac.compare_digest(submitted, expected):
                await _close_uploads(state)
                if not scope.get("auth") and cookie_value(scope, self.session_cookie_name):
                    # A session that ended (idle, expired) while its page was open: log in again.
                    raise NotAuthorizedException("Your session has ended.")
                raise PermissionDeniedException("CSRF token verification failed")
            state.csrf_token = expected
            try:
                await next_app(scope, receive, send)
            finally:
                await _close_uploads(state)
            return
        token = expected or self.tokens.new_visitor_token()
        state.csrf_token = token
        if cookie_value(scope, self.cookie_name) == token:
            await next_app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = csrf_cookie(self.cookie_name, token, secure=self.secure)
                MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
            await send(message)

        await next_app(scope, receive, send_with_cookie)


def csrf_cookie(name: str, token: str, *, secure: bool) -> Cookie:
    """The CSRF cookie holding `token` (not HttpOnly: scripts may read it)."""
    return Cookie(key=name, value=token, path="/", secure=secure, samesite="lax")


async def _submitted_token(scope: Scope, receive: Receive) -> str | None:
    """The token from the X-CSRFToken header, else from the form's `_csrf_token` field."""
    request = scope["litestar_app"].request_class(scope=scope, receive=receive)
    token = request.headers.get(HEADER)
    if not token and request.content_type[0] in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        # Parsed once: the handler's request.form() reuses what this reads.
        value = (await request.form()).get(FORM_FIELD)
        token = value if isinstance(value, str) else None
    return token or None


async def _close_uploads(state: ScopeState) -> None:
    """Close the files of a multipart form parsed here. Litestar closes them only when a handler
    takes them as its `data`; a request refused before its handler (a guard, a read-only view)
    or a handler reading `request.form()` would leave their temporary files open."""
    form = state.form
    if isinstance(form, dict):
        for value in form.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, UploadFile):
                    await item.close()
