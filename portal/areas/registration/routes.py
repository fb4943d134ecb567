"""/register and the verification link's page."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from portal.security.headers import TOKEN_PAGE_HEADERS
from portal.security.passwords import MAX_LENGTH, MIN_LENGTH
from portal.security.tokens import TokenExpired, TokenInvalid, TokenUsed
from portal.web.address_form import COUNTRY_OPTIONS, FIELDS, new_key
from portal.web.htmx import go
from portal.web.rendering import page

from .service import (
    MAX_COMPANY,
    MAX_EMAIL,
    MAX_NAME,
    MAX_PHONE,
    RegisterForm,
    RegistrationPages,
    TooManyRequests,
    parse_register_form,
)


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _form(request: Request, pages: RegistrationPages, form: RegisterForm, status: int = 200) -> Template:
    if not form.address.idem_key:
        form.address.idem_key = new_key()
    return page(
        request,
        "views/registration/register.html",
        status_code=status,
        form=form,
        mode=pages.mode,
        address_fields=FIELDS,
        country_options=COUNTRY_OPTIONS,
        limits={"email": MAX_EMAIL, "name": MAX_NAME, "company": MAX_COMPANY, "phone": MAX_PHONE,
                "password": MAX_LENGTH, "min_password": MIN_LENGTH},
    )


@get("/register", name="register_form", opt={"feature": "registration"})
async def register_form(request: Request, registration: NamedDependency[RegistrationPages]) -> Template | Redirect:
    if registration.visitor:
        return Redirect("/")
    if registration.mode == "closed":
        return page(request, "views/registration/closed.html")
    kind = request.query_params.get("kind")
    return _form(request, registration, RegisterForm(kind="web" if kind == "web" else "trade"))


@post("/register", name="register", status_code=200, opt={"feature": "registration"})
async def register(request: Request, registration: NamedDependency[RegistrationPages]) -> Template | Response:
    if registration.visitor:
        return go(request, "/")
    if registration.mode == "closed":
        return page(request, "views/registration/closed.html", status_code=403)
    form = parse_register_form(await request.form())
    if not form.ok:
        return _form(request, registration, form, 400)
    try:
        await registration.register(form, ip=_client(request))
    except TooManyRequests:
        raise TooManyRequestsException(headers={"Retry-After": "60"}) from None
    return page(request, "views/registration/sent.html", email=form.email, mode=registration.mode)


def _link_problem(request: Request, error: TokenInvalid) -> Template:
    reason = "expired" if isinstance(error, TokenExpired) else "used" if isinstance(error, TokenUsed) else "invalid"
    response = page(request, "views/registration/link_problem.html", status_code=410 if reason != "invalid" else 400,
                    reason=reason)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


def _confirm_page(request: Request, pages: RegistrationPages, token: str, errors: dict, status: int = 200) -> Template:
    registration = pages.from_token(token)
    response = page(
        request,
        "views/registration/confirm.html",
        status_code=status,
        token=token,
        registration=registration,
        needs_password=pages.registrations.needs_password(registration),
        errors=errors,
        min_password=MIN_LENGTH,
        max_password=MAX_LENGTH,
    )
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


@get("/register/confirm/{token:str}", name="register_confirm_form", opt={"feature": "registration"})
async def confirm_form(request: Request, token: FromPath[str], registration: NamedDependency[RegistrationPages]) -> Template:
    # Showing the page changes nothing: mail scanners open links too. The button does it.
    try:
        return _confirm_page(request, registration, token, {})
    except TokenInvalid as error:
        return _link_problem(request, error)


@post("/register/confirm/{token:str}", name="register_confirm", status_code=200, opt={"feature": "registration"})
async def confirm(request: Request, token: FromPath[str], registration: NamedDependency[RegistrationPages]) -> Template | Response:
    form = await request.form()
    try:
        errors, done = await registration.confirm(
            token, str(form.get("password", "")), str(form.get("confirm", "")), ip=_client(request)
        )
        if errors or done is None:
            return _confirm_page(request, registration, token, errors, 400)
    except TokenInvalid as error:
        return _link_problem(request, error)
    if done.state == "done":
        return go(request, request.app.route_reverse("login_form") + "?registered=1")
    response = page(request, "views/registration/waiting.html", registration=done)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response
