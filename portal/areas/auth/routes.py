"""Logging in and out (public routes)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.response import Redirect, Response, Template

from portal.security.middleware import csrf_cookie_name, session_cookie_name
from portal.security.passwords import MAX_LENGTH
from portal.security.tokens import MAX_TOKEN_LENGTH
from portal.security.two_factor import MAX_CODE_LENGTH
from portal.web.htmx import go
from portal.web.rendering import page
from portal.web.session_cookies import set_session_cookies

from .service import Logins, TooManyAttempts

MAX_EMAIL = 320


def safe_next(target: str | None) -> str:
    """Return `target` when it is a path on this site, else `/` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:500]
    return "/"


def login_page(
    request: Request,
    *,
    email: str = "",
    error: str | None = None,
    password_error: str | None = None,
    target: str = "/",
) -> Template:
    """The login form; `error` is about the whole form, `password_error` is shown beside the
    password field."""
    return page(
        request,
        "views/auth/login.html",
        status_code=400 if error or password_error else 200,
        email=email,
        error=error,
        password_error=password_error,
        next=target,
        max_email=MAX_EMAIL,
        max_password=MAX_LENGTH,
    )


def code_page(
    request: Request, *, login_token: str, email: str, target: str, error: str | None = None
) -> Template:
    """The login's second step: the code form, carrying the password step's single-use token;
    `error` is shown beside the code field."""
    return page(
        request,
        "views/auth/two_factor.html",
        status_code=400 if error else 200,
        login_token=login_token,
        email=email,
        error=error,
        next=target,
        max_code=MAX_CODE_LENGTH,
    )


@get("/login", name="login_form")
async def login_form(request: Request, logins: NamedDependency[Logins]) -> Template | Redirect:
    target = safe_next(request.query_params.get("next"))
    if logins.visitor:
        return Redirect(target)
    return login_page(request, target=target)


@post("/login", name="login", status_code=200)
async def login(request: Request, logins: NamedDependency[Logins]) -> Template | Response:
    settings = logins.settings
    form = await request.form()
    email = str(form.get("email", ""))[:MAX_EMAIL].strip()
    # Never cut: a cut password would log in with only its prefix. Logins refuses one too long.
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "") or ""))
    cookie_name = session_cookie_name(settings.cookie_secure)
    try:
        result = await logins.log_in(
            email,
            password,
            ip=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
            replaces=request.cookies.get(cookie_name),
        )
    except TooManyAttempts:
        raise TooManyRequestsException(headers={"Retry-After": "60"}) from None
    if result.two_factor_token:
        return code_page(request, login_token=result.two_factor_token, email=email, target=target)
    if result.token is None:
        return login_page(
            request, email=email, error=result.error, password_error=result.password_error, target=target
        )
    return signed_in(go(request, target), result.token, logins)


@post("/login/two-factor", name="login_two_factor", status_code=200)
async def login_two_factor(request: Request, logins: NamedDependency[Logins]) -> Template | Response:
    """The code form: a right code starts the session as the login form does; a wrong one shows
    the form again with the same token; a token that cannot be used goes back to the login form."""
    form = await request.form()
    login_token = str(form.get("login_token", ""))[: MAX_TOKEN_LENGTH + 1]
    code = str(form.get("code", ""))[: MAX_CODE_LENGTH + 1]
    target = safe_next(str(form.get("next", "") or ""))
    try:
        result = await logins.second_step(
            login_token,
            code,
            ip=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
            replaces=request.cookies.get(session_cookie_name(logins.settings.cookie_secure)),
        )
    except TooManyAttempts:
        raise TooManyRequestsException(headers={"Retry-After": "60"}) from None
    if result.restart:
        return login_page(request, error=result.restart, target=target)
    if result.token is None:
        return code_page(request, login_token=login_token, email=result.email, target=target, error=result.code_error)
    if result.checked and result.checked.method == "recovery_code":
        # Say how many are left before going on (a page of links only: its CSRF token is the
        # visitor's, no form on it could be sent with the new session).
        response = page(
            request,
            "views/auth/recovery_code_used.html",
            codes_left=result.checked.codes_left,
            next=target,
        )
        return signed_in(response, result.token, logins)
    return signed_in(go(request, target), result.token, logins)


def signed_in(response: Response, session_token: str, logins: Logins) -> Response:
    """`response` with the new session's cookies (portal.web.session_cookies)."""
    return set_session_cookies(response, session_token, logins.settings)


@post("/logout", name="logout", status_code=200)
async def logout(request: Request, logins: NamedDependency[Logins]) -> Response:
    settings = logins.settings
    cookie_name = session_cookie_name(settings.cookie_secure)
    logins.log_out(request.cookies.get(cookie_name))
    response = go(request, "/login")
    response.cookies.append(_expired(cookie_name, settings.cookie_secure, httponly=True))
    response.cookies.append(_expired(csrf_cookie_name(settings.cookie_secure), settings.cookie_secure))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _expired(name: str, secure: bool, httponly: bool = False) -> Cookie:
    return Cookie(key=name, value="", path="/", max_age=0, secure=secure, httponly=httponly, samesite="lax")
