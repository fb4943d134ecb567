"""The two-factor page (`/account/two-factor`) and its forms. Every form is a plain POST with
its CSRF field; each answers with a page (no JavaScript needed), errors beside their field."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from portal.security.passwords import MAX_LENGTH
from portal.security.two_factor import MAX_CODE_LENGTH
from portal.web.rendering import page

from .service import TwoFactorSettings

# What the page says after a change that redirected back to it (?done=…).
DONE = {
    "off": "Two-factor sign-in is off. You sign in with your password alone.",
    "cancelled": "The setup was cancelled. Two-factor sign-in is still off.",
}


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _session_token(request: Request) -> str | None:
    # SessionUserMiddleware leaves the live session's cookie value here.
    return request.scope.get("auth")


def _back(request: Request, name: str, **query: str) -> Redirect:
    url = request.app.route_reverse(name)
    return Redirect(url + (f"?done={query['done']}" if query.get("done") else ""), status_code=303)


def _settings(
    request: Request, service: TwoFactorSettings, *, status_code: int = 200, errors: dict | None = None, done: str = ""
) -> Template:
    return page(
        request,
        "views/two_factor/settings.html",
        status_code=status_code,
        status=service.status(),
        required=service.required,
        required_for_you=service.required_for_user,
        errors=errors or {},
        done=DONE.get(done),
        max_code=MAX_CODE_LENGTH,
        max_password=MAX_LENGTH,
    )


def _codes(request: Request, service: TwoFactorSettings, codes: list[str], *, first_time: bool) -> Template:
    return page(
        request,
        "views/two_factor/codes.html",
        codes=codes,
        first_time=first_time,
        download=service.codes_download(codes),
    )


@get("/account/two-factor", name="two_factor")
async def settings_page(request: Request, account_two_factor: NamedDependency[TwoFactorSettings]) -> Template:
    """Whether two-factor sign-in is on, and the forms to set it up, turn it off or make new codes."""
    return _settings(request, account_two_factor, done=request.query_params.get("done", ""))


@post("/account/two-factor/setup", name="two_factor_setup", status_code=303)
async def start_setup(request: Request, account_two_factor: NamedDependency[TwoFactorSettings]) -> Redirect:
    """Start (or start again) a setup: a new secret, shown on the setup page."""
    if account_two_factor.start() is None:
        return _back(request, "two_factor")
    return _back(request, "two_factor_setup_page")


@get("/account/two-factor/setup", name="two_factor_setup_page")
async def setup_page(request: Request, account_two_factor: NamedDependency[TwoFactorSettings]) -> Template | Redirect:
    """The QR code and the key of the setup in progress, and the code that confirms it."""
    setup = account_two_factor.pending()
    if setup is None:
        return _back(request, "two_factor")
    return page(request, "views/two_factor/setup.html", setup=setup, error=None, max_code=MAX_CODE_LENGTH)


@post("/account/two-factor/confirm", name="two_factor_confirm", status_code=200)
async def confirm_setup(
    request: Request, account_two_factor: NamedDependency[TwoFactorSettings]
) -> Template | Redirect:
    """A right code turns two-factor on and shows the recovery codes, once; a wrong one shows the
    setup page again with the error beside the field."""
    form = await request.form()
    codes, error = account_two_factor.confirm(
        str(form.get("code", ""))[: MAX_CODE_LENGTH + 1], ip=_ip(request), session_token=_session_token(request)
    )
    if codes:
        return _codes(request, account_two_factor, codes, first_time=True)
    setup = account_two_factor.pending()
    if setup is None:
        return _back(request, "two_factor")
    return page(
        request, "views/two_factor/setup.html", status_code=400, setup=setup, error=error, max_code=MAX_CODE_LENGTH
    )


@post("/account/two-factor/cancel", name="two_factor_cancel", status_code=303)
async def cancel_setup(request: Request, account_two_factor: NamedDependency[TwoFactorSettings]) -> Redirect:
    account_two_factor.cancel()
    return _back(request, "two_factor", done="cancelled")


@post("/account/two-factor/disable", name="two_factor_disable", status_code=303)
async def disable(request: Request, account_two_factor: NamedDependency[TwoFactorSettings]) -> Template | Redirect:
    """Turn two-factor off: the current password and a code (or recovery code)."""
    form = await request.form()
    problems = await account_two_factor.disable(
        str(form.get("password", ""))[: MAX_LENGTH + 1],
        str(form.get("code", ""))[: MAX_CODE_LENGTH + 1],
        ip=_ip(request),
        session_token=_session_token(request),
    )
    if problems:
        return _settings(request, account_two_factor, status_code=400, errors={"disable": problems})
    return _back(request, "two_factor", done="off")


@post("/account/two-factor/recovery-codes", name="two_factor_recovery_codes", status_code=200)
async def regenerate_codes(request: Request, account_two_factor: NamedDependency[TwoFactorSettings]) -> Template:
    """Ten new recovery codes (the old ones stop working), for a right code."""
    form = await request.form()
    codes, error = account_two_factor.regenerate(str(form.get("code", ""))[: MAX_CODE_LENGTH + 1], ip=_ip(request))
    if codes:
        return _codes(request, account_two_factor, codes, first_time=False)
    return _settings(request, account_two_factor, status_code=400, errors={"regenerate": {"code": error}})
