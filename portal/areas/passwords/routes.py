"""Forgot password, reset with a link, change password (the forms and their answers)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.security.guards import signed_in
from portal.security.headers import TOKEN_PAGE_HEADERS
from portal.security.passwords import MAX_LENGTH, MIN_LENGTH
from portal.security.tokens import TokenExpired, TokenInvalid, TokenUsed
from portal.web.htmx import go
from portal.web.rendering import page
from portal.web.session_cookies import set_session_cookies

from .service import MAX_EMAIL, PasswordService, TooManyRequests


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _form_page(request: Request, name: str, status: int = 200, **context) -> Template:
    context.setdefault("min_password", MIN_LENGTH)
    context.setdefault("max_password", MAX_LENGTH)
    context.setdefault("max_email", MAX_EMAIL)
    return page(request, name, status_code=status, **context)


# --- forgot -------------------------------------------------------------------------------
@get("/password/forgot", name="password_forgot_form")
async def forgot_form(request: Request) -> Template:
    return _form_page(request, "views/passwords/forgot.html", email="", error=None)


@post("/password/forgot", name="password_forgot", status_code=200)
async def forgot(request: Request, password_service: NamedDependency[PasswordService]) -> Template:
    form = await request.form()
    email = str(form.get("email", ""))[: MAX_EMAIL + 1].strip()
    problem = password_service.email_problem(email)
    if problem:
        return _form_page(request, "views/passwords/forgot.html", 400, email=email[:MAX_EMAIL], error=problem)
    try:
        password_service.allow_request(_client(request))
    except TooManyRequests:
        raise TooManyRequestsException(headers={"Retry-After": "60"}) from None
    # The same answer for every address; whether a mail goes out is decided after it is sent.
    response = _form_page(request, "views/passwords/forgot_sent.html", email=email)
    response.background = BackgroundTask(password_service.send_reset_link, email, ip=_client(request))
    return response


# --- reset --------------------------------------------------------------------------------
def _link_problem(request: Request, error: TokenInvalid) -> Template:
    if isinstance(error, TokenExpired):
        reason, status = "expired", 410
    elif isinstance(error, TokenUsed):
        reason, status = "used", 410
    else:
        reason, status = "invalid", 400
    response = _form_page(request, "views/passwords/link_problem.html", status, reason=reason)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


@get("/password/reset/{token:str}", name="password_reset_form")
async def reset_form(request: Request, token: FromPath[str], password_service: NamedDependency[PasswordService]) -> Template:
    try:
        claim = password_service.check_reset(token)
    except TokenInvalid as error:
        return _link_problem(request, error)
    if password_service.reset_user(claim) is None:
        return _link_problem(request, TokenInvalid())
    response = _form_page(request, "views/passwords/reset.html", token=token, errors={})
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


@post("/password/reset/{token:str}", name="password_reset", status_code=200)
async def reset(request: Request, token: FromPath[str], password_service: NamedDependency[PasswordService]) -> Template | Response:
    form = await request.form()
    try:
        errors = await password_service.reset(
            token, str(form.get("password", "")), str(form.get("confirm", "")), ip=_client(request)
        )
    except TokenInvalid as error:
        return _link_problem(request, error)
    if errors:
        response = _form_page(request, "views/passwords/reset.html", 400, token=token, errors=errors)
        response.headers.update(TOKEN_PAGE_HEADERS)
        return response
    # No automatic login after a reset (security checklist REC-06): the person signs in.
    return go(request, request.app.route_reverse("login_form") + "?reset=done")


# --- change -------------------------------------------------------------------------------
@get("/password", name="password_form", guards=[signed_in()])
async def change_form(request: Request, password_service: NamedDependency[PasswordService]) -> Template:
    done = request.query_params.get("changed") == "1"
    return _form_page(request, "views/passwords/change.html", errors={}, done=done)


@post("/password", name="change_password", status_code=200, guards=[signed_in()])
async def change(request: Request, password_service: NamedDependency[PasswordService]) -> Template | Response:
    form = await request.form()
    errors, token = await password_service.change(
        str(form.get("current", "")),
        str(form.get("password", "")),
        str(form.get("confirm", "")),
        ip=_client(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    if errors or token is None:
        return _form_page(request, "views/passwords/change.html", 400, errors=errors, done=False)
    response = go(request, request.app.route_reverse("password_form") + "?changed=1")
    return set_session_cookies(response, token, password_service.settings)
