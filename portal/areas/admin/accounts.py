"""The accounts section of the admin area: every login, the registrations waiting for a
decision, and what an admin may do to a login (deactivate and reactivate, reset its two-factor
sign-in, set a temporary password, mail a reset link).

Every action is a POST that answers with a redirect back to the list (a refresh repeats
nothing) and is audited with the admin as the actor. An admin cannot deactivate themselves or
reset their own second factor (another admin does: the lock-out would be silent otherwise).
The full accounts page (search, filters, creating logins, import) is the admin-area issue's.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.accounts.passwords import mail_reset_link, store_password
from portal.accounts.registrations import Registration, RegistrationError, Registrations
from portal.core.audit import Audit
from portal.core.users import User, UserStore
from portal.mail import Mail
from portal.security.passwords import MAX_LENGTH, Passwords, password_problem
from portal.security.tokens import Tokens
from portal.security.two_factor import Actor, TwoFactor
from portal.web.area import NavLink, for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

# What the list says after an action (?done=…): fixed messages, so the URL carries no text.
DONE = {
    "deactivated": "The login is deactivated: its sessions have ended.",
    "reactivated": "The login is active again.",
    "two_factor_reset": "Two-factor sign-in is reset: the person signs in with their password and may set it up again.",
    "temporary_password": "The temporary password is set: every session of the login has ended, and the person must choose a new password when they next sign in.",
    "reset_link": "A password reset link is on its way.",
    "approved": "The registration is approved and the person has been emailed.",
    "refused": "The registration is refused and the person has been emailed.",
}


@dataclass
class AccountAdmin:
    """What the accounts page reads and does, for the admin asking."""

    users: UserStore
    registrations: Registrations
    two_factor: TwoFactor
    passwords: Passwords
    tokens: Tokens
    mail: Mail
    audit: Audit
    user: User

    def logins(self) -> list[dict]:
        """Every login; `last_login_at` as an aware datetime (None: never)."""
        rows = self.users.listing()
        for row in rows:
            row["last_login_at"] = datetime.fromisoformat(row["last_login_at"]) if row["last_login_at"] else None
        return rows

    def waiting(self) -> list[Registration]:
        return self.registrations.waiting_for_admin()

    def _target(self, user_id: int) -> dict:
        row = self.users.row(user_id)
        if row is None:
            raise NotFoundException()
        return row

    def set_active(self, user_id: int, active: bool, *, ip: str) -> str:
        row = self._target(user_id)
        if row["id"] == self.user.id and not active:
            raise RegistrationError("You cannot deactivate your own login: ask another administrator.")
        self.users.set_active(row["id"], active)
        self.audit.record("account_reactivated" if active else "account_deactivated", actor_user_id=self.user.id,
                          actor_email=self.user.email, ip=ip, target=f"user:{row['id']}")
        if not active:
            self.audit.record("sessions_ended", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                              target=f"user:{row['id']}", detail={"because": "account_deactivated"})
        return "reactivated" if active else "deactivated"

    def reset_two_factor(self, user_id: int, *, ip: str) -> str:
        row = self._target(user_id)
        if row["id"] == self.user.id:
            raise RegistrationError("Another administrator must reset your own two-factor sign-in.")
        self.two_factor.reset(row["id"], by=Actor(user_id=self.user.id, email=self.user.email, ip=ip))
        return "two_factor_reset"

    async def set_temporary_password(self, user_id: int, password: str, *, ip: str) -> str:
        row = self._target(user_id)
        problem = password_problem(password, email=row["email"])
        if problem:
            raise RegistrationError(f"Temporary password for {row['email']}: {problem}")
        store_password(row, await self.passwords.hash(password), users=self.users, tokens=self.tokens, mail=self.mail,
                       audit=self.audit, action="temporary_password_set", ip=ip, temporary=True, by=self.user)
        return "temporary_password"

    def send_reset_link(self, user_id: int, *, ip: str) -> str:
        row = self._target(user_id)
        if not row["active"]:
            raise RegistrationError(f"{row['email']} is deactivated: reactivate it first.")
        mail_reset_link(row, tokens=self.tokens, mail=self.mail, audit=self.audit, ip=ip, by=self.user)
        return "reset_link"

    def approve(self, registration_id: int, contact_id: int | None, *, ip: str) -> str:
        self.registrations.approve(registration_id, contact_id=contact_id, actor=self.user, ip=ip)
        return "approved"

    def refuse(self, registration_id: int, reason: str, *, ip: str) -> str:
        self.registrations.refuse(registration_id, actor=self.user, ip=ip, reason=reason)
        return "refused"


def section(
    *,
    users: UserStore,
    registrations: Registrations,
    two_factor: TwoFactor,
    passwords: Passwords,
    tokens: Tokens,
    mail: Mail,
    audit: Audit,
) -> Section:
    service = partial(AccountAdmin, users, registrations, two_factor, passwords, tokens, mail, audit)
    return Section(
        handlers=(accounts_page, account_active, account_two_factor_reset, account_temporary_password,
                  account_reset_link, registration_approve, registration_refuse),
        services={"account_admin": for_user(service)},
        nav=(NavLink("Accounts", "admin_accounts"),),
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _list(request: Request, admin: AccountAdmin, *, error: str | None = None, status: int = 200) -> Template:
    done = DONE.get(request.query_params.get("done", ""))
    return page(request, "views/admin/accounts.html", status_code=status, logins=admin.logins(),
                waiting=admin.waiting(), done=None if error else done, error=error, max_password=MAX_LENGTH)


async def _act(request: Request, admin: AccountAdmin, action: Callable[[], Awaitable[str] | str]) -> Template | Response:
    """Do `action`; back to the list with its outcome, or the list with the refusal (400)."""
    try:
        outcome = action()
        if inspect.isawaitable(outcome):
            outcome = await outcome
    except RegistrationError as error:
        return _list(request, admin, error=str(error), status=400)
    return go(request, with_query(request.app.route_reverse("admin_accounts"), {"done": outcome}))


@get("/admin/accounts", name="admin_accounts")
async def accounts_page(request: Request, account_admin: NamedDependency[AccountAdmin]) -> Template:
    return _list(request, account_admin)


@post("/admin/accounts/{user_id:int}/active", name="admin_account_active", status_code=200)
async def account_active(request: Request, user_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    form = await request.form()
    active = str(form.get("active", "")) == "1"
    return await _act(request, account_admin, lambda: account_admin.set_active(user_id, active, ip=_client(request)))


@post("/admin/accounts/{user_id:int}/two-factor/reset", name="admin_account_two_factor_reset", status_code=200)
async def account_two_factor_reset(request: Request, user_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    return await _act(request, account_admin, lambda: account_admin.reset_two_factor(user_id, ip=_client(request)))


@post("/admin/accounts/{user_id:int}/temporary-password", name="admin_account_temporary_password", status_code=200)
async def account_temporary_password(request: Request, user_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    form = await request.form()
    password = str(form.get("password", ""))
    return await _act(request, account_admin, lambda: account_admin.set_temporary_password(user_id, password, ip=_client(request)))


@post("/admin/accounts/{user_id:int}/reset-link", name="admin_account_reset_link", status_code=200)
async def account_reset_link(request: Request, user_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    return await _act(request, account_admin, lambda: account_admin.send_reset_link(user_id, ip=_client(request)))


@post("/admin/registrations/{registration_id:int}/approve", name="admin_registration_approve", status_code=200)
async def registration_approve(request: Request, registration_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    form = await request.form()
    raw = str(form.get("contact_id", ""))
    contact_id = int(raw) if raw.isdigit() and len(raw) < 12 else None
    return await _act(request, account_admin, lambda: account_admin.approve(registration_id, contact_id, ip=_client(request)))


@post("/admin/registrations/{registration_id:int}/refuse", name="admin_registration_refuse", status_code=200)
async def registration_refuse(request: Request, registration_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    form = await request.form()
    reason = str(form.get("reason", ""))[:300]
    return await _act(request, account_admin, lambda: account_admin.refuse(registration_id, reason, ip=_client(request)))
