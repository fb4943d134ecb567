"""The cookies of a session: set when one starts (login, a changed password), cleared at logout."""

from __future__ import annotations

from litestar.datastructures import Cookie
from litestar.response import Response

from portal.core.settings import Settings
from portal.security.csrf import CsrfTokens, csrf_cookie
from portal.security.middleware import csrf_cookie_name, session_cookie_name


def set_session_cookies(response: Response, token: str, settings: Settings) -> Response:
    """Give `response` the cookie of the new session `token`, and the CSRF token bound to it
    (the visitor's or the old session's token no longer works)."""
    secure = settings.cookie_secure
    response.cookies.append(
        Cookie(
            key=session_cookie_name(secure),
            value=token,
            path="/",
            httponly=True,
            secure=secure,
            samesite="lax",
            max_age=settings.session_max_hours * 3600,
        )
    )
    csrf = CsrfTokens(settings.secret_key).for_session(token)
    response.cookies.append(csrf_cookie(csrf_cookie_name(secure), csrf, secure=secure))
    return response
