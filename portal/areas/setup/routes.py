"""/setup/{token}: the first administrator's form."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.security.headers import TOKEN_PAGE_HEADERS
from portal.security.passwords import MAX_LENGTH, MIN_LENGTH
from portal.security.tokens import TokenInvalid
from portal.web.htmx import go
from portal.web.rendering import page

from .service import MAX_EMAIL, MAX_NAME, FirstAdmin


def _form(request: Request, token: str, status: int = 200, **context) -> Template:
    context.setdefault("errors", {})
    context.setdefault("email", "")
    context.setdefault("admin_name", "")
    response = page(request, "views/setup/first_admin.html", status_code=status, token=token,
                    min_password=MIN_LENGTH, max_password=MAX_LENGTH, max_email=MAX_EMAIL, max_name=MAX_NAME, **context)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


def _gone(request: Request) -> Template:
    response = page(request, "views/setup/link_gone.html", status_code=410)
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


@get("/setup/{token:str}", name="first_admin_form")
async def first_admin_form(request: Request, token: FromPath[str], setup: NamedDependency[FirstAdmin]) -> Template:
    try:
        setup.check(token)
    except TokenInvalid:
        return _gone(request)
    return _form(request, token)


@post("/setup/{token:str}", name="first_admin", status_code=200)
async def first_admin(request: Request, token: FromPath[str], setup: NamedDependency[FirstAdmin]) -> Template | Response:
    form = await request.form()
    email, name = str(form.get("email", ""))[:MAX_EMAIL + 1], str(form.get("name", ""))[:MAX_NAME + 1]
    try:
        errors = await setup.create(
            token, email=email, name=name, password=str(form.get("password", "")),
            confirm=str(form.get("confirm", "")), ip=request.client.host if request.client else "",
        )
    except TokenInvalid:
        return _gone(request)
    if errors:
        return _form(request, token, 400, errors=errors, email=email.strip(), admin_name=name.strip())
    return go(request, request.app.route_reverse("login_form") + "?setup=done")
