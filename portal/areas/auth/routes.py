"""Logging in and out."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import TooManyRequestsException
from litestar.response import Redirect, Response, Template

from portal.pages.common import current_user, go, page
from portal.security.middleware import csrf_cookie_name, session_cookie_name
from portal.services import services

GENERIC_FAILURE = "That email and password do not match an active account."
TOO_MANY = "Too many attempts for this account. Wait 15 minutes and try again."

def safe_next(target: str | None) -> str:
    """Return `target` when it is a path on this site, else `/` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:500]
    return "/"


@get("/login", name="login_form")
async def login_form(request: Request) -> Template | Redirect:
    target = safe_next(request.query_params.get("next"))
    if current_user(request):
        return Redirect(target)
    return page(request, "views/login.html", email="", error=None, next=target)


@post("/login", name="login", status_code=200)
async def login(request: Request) -> Template | Response:
    svc = services(request)
    form = await request.form()
    email = str(form.get("email", ""))[:320].strip()
    password = str(form.get("password", ""))[:1024]
    target = safe_next(str(form.get("next", "") or ""))
    ip = request.client.host if request.client else ""
    key = email.lower()
    if not svc.login_attempts.allow(ip):
        svc.metrics.logins.labels("rate_limited").inc()
        raise TooManyRequestsException(headers={"Retry-After": "60"})

    def refuse(message: str, outcome: str) -> Template:
        svc.metrics.logins.labels(outcome).inc()
        svc.audit.record("login", outcome=outcome, actor_email=email, ip=ip)
        return page(request, "views/login.html", status_code=400, email=email, error=message, next=target)

    if not email or not password:
        return refuse(GENERIC_FAILURE, "failed")
    if svc.failed_logins.blocked(key):
        # Same answer for real and unknown accounts; still burn the hashing time.
        await svc.passwords.verify(None, password)
        return refuse(TOO_MANY, "throttled")
    row = svc.users.by_email(email)
    stored = row["password_hash"] if row and row["active"] else None
    ok, new_hash = await svc.passwords.verify(stored, password)
    if not ok or row is None:
        svc.failed_logins.add(key)
        return refuse(GENERIC_FAILURE, "failed")
    svc.failed_logins.clear(key)
    if new_hash:
        svc.users.set_password_hash(row["id"], new_hash)
    settings = svc.settings
    cookie_name = session_cookie_name(settings.cookie_secure)
    token = svc.sessions.create(
        row["id"],
        replaces=request.cookies.get(cookie_name),
        ip=ip,
        user_agent=request.headers.get("user-agent", ""),
    )
    svc.users.record_login(row["id"])
    svc.metrics.logins.labels("ok").inc()
    svc.audit.record("login", actor_user_id=row["id"], actor_email=row["email"], ip=ip)
    response = go(request, target)
    response.cookies.append(
        Cookie(
            key=cookie_name,
            value=token,
            path="/",
            httponly=True,
            secure=settings.cookie_secure,
            samesite="lax",
            max_age=settings.session_max_hours * 3600,
        )
    )
    # A fresh CSRF token after login: the next page load issues a new cookie.
    response.cookies.append(_expired(csrf_cookie_name(settings.cookie_secure), settings.cookie_secure))
    return response


@post("/logout", name="logout", status_code=200)
async def logout(request: Request) -> Response:
    svc = services(request)
    settings = svc.settings
    cookie_name = session_cookie_name(settings.cookie_secure)
    user = current_user(request)
    svc.sessions.end(request.cookies.get(cookie_name))
    if user:
        svc.audit.record("logout", actor_user_id=user.id, actor_email=user.email)
    response = go(request, "/login")
    response.cookies.append(_expired(cookie_name, settings.cookie_secure, httponly=True))
    response.cookies.append(_expired(csrf_cookie_name(settings.cookie_secure), settings.cookie_secure))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _expired(name: str, secure: bool, httponly: bool = False) -> Cookie:
    return Cookie(key=name, value="", path="/", max_age=0, secure=secure, httponly=httponly, samesite="lax")


route_handlers = [login_form, login, logout]
