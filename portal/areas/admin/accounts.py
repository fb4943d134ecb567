"""The accounts section of the admin area: every login (searched, filtered, paged in SQL), the
registrations waiting for a decision, creating a login linked to the Brightpearl contact the
admin looks up (account_lookup.py), editing one, and what an admin may do to a login
(deactivate and reactivate, reset its two-factor sign-in, set a temporary password, mail a
reset link).

Every action is a POST that answers with a redirect back to the list (a refresh repeats
nothing) and is audited with the admin as the actor; a form with a mistake comes back (400) with
the message beside the field and nothing changed. An admin cannot deactivate themselves, reset
their own second factor or stop being an admin (another admin does: the lock-out would be
silent otherwise). The list reads Brightpearl once per page at most (the companies of the
contacts shown, one ID-set GET, cached); when that fails the list shows without them.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.accounts.passwords import mail_reset_link, store_password
from portal.accounts.registrations import Registration, RegistrationError, Registrations
from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlError
from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.users import ROLES, User, UserError, UserStore
from portal.mail import Mail
from portal.security.passwords import MAX_LENGTH, Passwords, password_problem
from portal.security.tokens import Tokens
from portal.security.two_factor import Actor, TwoFactor
from portal.web.area import NavLink, for_user
from portal.web.htmx import go
from portal.web.listing import Page, list_view
from portal.web.params import valid_id, with_query
from portal.web.parts import PageParts, log_degraded
from portal.web.rendering import page, page_or_fragment

from . import account_lookup
from .account_forms import (
    MAX_EMAIL,
    MAX_NAME,
    STATE_NAMES,
    AccountChanges,
    AccountsQuery,
    NewAccount,
    pages_of,
    parse_accounts_query,
)
from .account_lookup import MAX_FIND, ROLE_NAMES, Candidate, contact_id_from
from .section import Section

LOOKUP_FAILED = "Brightpearl could not be asked just now, so the contact could not be looked up. Nothing was changed: try again in a minute."

# What the list says after an action (?done=…): fixed messages, so the URL carries no text.
DONE = {
    "deactivated": "The login is deactivated: its sessions have ended.",
    "reactivated": "The login is active again.",
    "two_factor_reset": "Two-factor sign-in is reset: the person signs in with their password and may set it up again.",
    "temporary_password": "The temporary password is set: every session of the login has ended, and the person must choose a new password when they next sign in.",
    "reset_link": "A password reset link is on its way.",
    "approved": "The registration is approved and the person has been emailed.",
    "refused": "The registration is refused and the person has been emailed.",
    "created_temporary": "The login is created with the temporary password you typed: hand it over yourself. It must be changed at the first sign-in.",
    "created_link": "The login is created, and a link to choose a password is on its way to it.",
    "created_admin": "The administrator login is created.",
    "edited": "The login is saved.",
    "unchanged": "Nothing was changed.",
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
    bp: Brightpearl
    settings: Settings
    user: User

    async def listing(self, query: AccountsQuery) -> tuple[AccountsQuery, dict[str, Any]]:
        """One page of the logins the filters match (a page past the last is the last), with the
        companies of their contacts where Brightpearl gives them; the query as shown."""
        size = self.settings.page_size

        def search(number: int) -> tuple[list[dict], int]:
            return self.users.search(q=query.q, role=query.role or None, state=query.state or None,
                                     limit=size, offset=(number - 1) * size)

        rows, total = search(query.page) if not query.pending else ([], 0)
        if not query.pending and query.page > pages_of(total, size) and total:
            query = replace(query, page=pages_of(total, size))
            rows, total = search(query.page)
        for row in rows:
            row["last_login_at"] = datetime.fromisoformat(row["last_login_at"]) if row["last_login_at"] else None
        parts = PageParts()
        ids = [row["contact_id"] for row in rows if row["contact_id"]]
        contacts = await parts.read("companies", self.bp.contacts.many(ids), {}) if ids else {}
        companies = {cid: contact.company_name for cid, contact in contacts.items() if contact.company_name}
        return query, {
            "page": Page(items=rows, number=query.page, pages=pages_of(total, size), total=total),
            "has_any": True,
            "companies": companies,
            "unavailable": parts.unavailable,
            "waiting": self.waiting(),
        }

    # --- creating a login ----------------------------------------------------------------
    async def lookup(self, find: str, contact_id: int | None) -> dict[str, Any]:
        """The create or edit form's lookup: the candidates `find` names and the one chosen
        (`contact_id`); `lookup_error` when Brightpearl could not be asked."""
        context: dict[str, Any] = {"find": find, "candidates": [], "chosen": None, "lookup_error": None,
                                   "searched": bool(find)}
        try:
            if find:
                context["candidates"] = await account_lookup.find(self.bp, self.users, find)
            if contact_id is not None:
                listed = [c for c in context["candidates"] if c.contact_id == contact_id]
                context["chosen"] = listed[0] if listed else await account_lookup.chosen(self.bp, self.users, contact_id)
            elif len(context["candidates"]) == 1:
                context["chosen"] = context["candidates"][0]
        except BrightpearlError as error:
            log_degraded("contact lookup", error)
            context["lookup_error"] = LOOKUP_FAILED
        return context

    async def create(self, form: NewAccount, *, ip: str) -> tuple[User | None, dict[str, str], Candidate | None]:
        """Create the login `form` describes; (the login, {}, its contact) or (None, errors by
        field, the contact when it was found). Nothing is written unless it all holds."""
        errors = form.problems()
        candidate = None
        if form.kind == "contact" and form.contact_id is not None:
            try:
                candidate = await account_lookup.chosen(self.bp, self.users, form.contact_id)
            except BrightpearlError as error:
                log_degraded("contact lookup", error)
                return None, {**errors, "form": LOOKUP_FAILED}, None
            if candidate is None:
                errors["contact_id"] = f"No customer or supplier contact in Brightpearl has the id {form.contact_id}."
            elif form.role not in candidate.roles:
                errors["role"] = f"This contact is a {candidate.kind} in Brightpearl: choose {' or '.join(candidate.roles)}."
        if "email" not in errors and self.users.by_email(form.email):
            errors["email"] = f"A login for {form.email} already exists."
        if errors:
            return None, errors, candidate
        temporary = form.temporary
        password = form.password if temporary else secrets.token_urlsafe(32)
        role = form.role if candidate else "admin"
        try:
            created = self.users.add(
                email=form.email, password_hash=await self.passwords.hash(password), role=role,
                contact_id=candidate.contact_id if candidate else None, name=form.name, must_change_password=temporary,
            )
        except UserError as error:  # another admin created it meanwhile
            return None, {"email": str(error).capitalize() + "."}, candidate
        self.audit.record("account_created", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"user:{created.id}",
                          detail={"email": created.email, "role": role, "contact_id": created.contact_id,
                                  "password": "temporary" if temporary else "reset_link"})
        if not temporary:
            row = self.users.row(created.id)
            assert row is not None
            mail_reset_link(row, tokens=self.tokens, mail=self.mail, audit=self.audit, ip=ip, by=self.user)
        return created, {}, candidate

    # --- editing a login ------------------------------------------------------------------
    def target(self, user_id: int) -> dict:
        """The login with this id (any state); 404 when there is none."""
        return self._target(valid_id(user_id))

    async def current_contact(self, row: Mapping[str, Any], parts: PageParts) -> Candidate | None:
        """The contact the login is linked to, as a candidate (None: none, or not readable)."""
        if not row["contact_id"]:
            return None
        return await parts.read("contact", account_lookup.chosen(self.bp, self.users, row["contact_id"]), None)

    async def update(self, user_id: int, changes: AccountChanges, *, ip: str) -> tuple[str | None, dict[str, str]]:
        """Save `changes` to the login; ("edited" or "unchanged", {}) or (None, errors by field)."""
        row = self.target(user_id)
        errors = changes.problems()
        admin = row["role"] == "admin"
        role = "admin" if admin else changes.role
        if admin and changes.role not in ("", "admin"):
            errors["role"] = ("You cannot stop being an administrator: ask another administrator."
                              if row["id"] == self.user.id else
                              "An administrator login stays one: create a customer or supplier login instead.")
        elif not admin and role not in ("customer", "supplier"):
            errors["role"] = "Choose customer or supplier."
        contact_id = None if admin else changes.contact_id
        if not admin and "contact_id" not in errors and "role" not in errors:
            if contact_id is None and row["contact_id"]:
                errors["contact_id"] = "A customer or supplier login needs its Brightpearl contact."
            elif contact_id is None and role != "customer":
                errors["contact_id"] = "A supplier login needs its Brightpearl contact."
            elif contact_id is not None and (contact_id != row["contact_id"] or role != row["role"]):
                try:
                    candidate = await account_lookup.chosen(self.bp, self.users, contact_id)
                except BrightpearlError as error:
                    log_degraded("contact lookup", error)
                    return None, {**errors, "form": LOOKUP_FAILED}
                if candidate is None:
                    errors["contact_id"] = f"No customer or supplier contact in Brightpearl has the id {contact_id}."
                elif role not in candidate.roles:
                    errors["role"] = f"Contact {contact_id} is a {candidate.kind} in Brightpearl: choose {' or '.join(candidate.roles)}."
        wanted = {"email": changes.email, "name": changes.name, "role": role, "contact_id": contact_id}
        changed = {k: [row[k], v] for k, v in wanted.items() if (row[k] or None) != (v or None)}
        if "email" in changed and "email" not in errors and self.users.by_email(changes.email):
            errors["email"] = f"A login for {changes.email} already exists."
        if errors:
            return None, errors
        if not changed:
            return "unchanged", {}
        try:
            self.users.update(row["id"], **{k: v for k, (_, v) in changed.items()})
        except UserError as error:
            return None, {"email": str(error).capitalize() + "."}
        self.audit.record("account_edited", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"user:{row['id']}", detail={"changed": changed})
        return "edited", {}

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
    bp: Brightpearl,
    settings: Settings,
) -> Section:
    service = partial(AccountAdmin, users, registrations, two_factor, passwords, tokens, mail, audit, bp, settings)
    return Section(
        handlers=(accounts_page, account_new, account_create, account_edit, account_update, account_active,
                  account_two_factor_reset, account_temporary_password, account_reset_link, registration_approve,
                  registration_refuse),
        services={"account_admin": for_user(service)},
        nav=(NavLink("Accounts", "admin_accounts"),),
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


ROLE_OPTIONS = [(role, ROLE_NAMES[role]) for role in ROLES]
STATE_OPTIONS = list(STATE_NAMES.items())


async def _list(request: Request, admin: AccountAdmin, *, error: str | None = None, status: int = 200) -> Template:
    done = DONE.get(request.query_params.get("done", ""))
    query, context = await admin.listing(parse_accounts_query(request.query_params))
    listing = list_view(request, "admin_accounts", query, context["page"], context["has_any"])
    return page_or_fragment(
        request, "views/admin/accounts.html", "views/admin/account_results.html", status_code=status,
        listing=listing, query=query, back=with_query("", query.as_params()).removeprefix("?"), done=None if error else done, error=error, max_password=MAX_LENGTH,
        max_query=64, role_options=ROLE_OPTIONS, state_options=STATE_OPTIONS, role_names=ROLE_NAMES, **context,
    )


async def _act(request: Request, admin: AccountAdmin, action: Callable[[], Awaitable[str] | str]) -> Template | Response:
    """Do `action`; back to the list with its outcome, or the list with the refusal (400)."""
    try:
        outcome = action()
        if inspect.isawaitable(outcome):
            outcome = await outcome
    except RegistrationError as error:
        return await _list(request, admin, error=str(error), status=400)
    # Back to the list as it was (its filters and page, sent as `back`; re-read, never echoed).
    back = (await request.form()).get("back", "")
    query = parse_accounts_query(dict(parse_qsl(back[:600]))) if isinstance(back, str) else AccountsQuery()
    return go(request, with_query(request.app.route_reverse("admin_accounts"), {**query.as_params(), "done": outcome}))


@get("/admin/accounts", name="admin_accounts")
async def accounts_page(request: Request, account_admin: NamedDependency[AccountAdmin]) -> Template:
    return await _list(request, account_admin)


def _new_page(request: Request, context: dict[str, Any], form: NewAccount, errors: Mapping[str, str],
              status: int = 200) -> Template:
    return page(request, "views/admin/account_new.html", status_code=status, form=form, errors=errors,
                role_names=ROLE_NAMES, max_password=MAX_LENGTH, max_find=MAX_FIND, max_name=MAX_NAME,
                max_email=MAX_EMAIL, **context)


@get("/admin/accounts/new", name="admin_account_new")
async def account_new(request: Request, account_admin: NamedDependency[AccountAdmin]) -> Template:
    """The create form: look the contact up (?find=), choose one (?contact=), or ?kind=admin."""
    params = request.query_params
    kind = "admin" if params.get("kind") == "admin" else "contact"
    find = " ".join(str(params.get("find", "")).split())[:MAX_FIND]
    context = await account_admin.lookup(find, contact_id_from(str(params.get("contact", "")))) if kind == "contact" \
        else {"find": "", "candidates": [], "chosen": None, "lookup_error": None, "searched": False}
    chosen = context["chosen"]
    form = NewAccount(kind=kind, contact_id=chosen.contact_id if chosen else None, role=chosen.role if chosen else "",
                      email=chosen.email.strip().lower() if chosen else "", name=chosen.name if chosen else "",
                      find=find)
    return _new_page(request, context, form, {})


@post("/admin/accounts/new", name="admin_account_create", status_code=200)
async def account_create(request: Request, account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    form = NewAccount.read(await request.form())
    created, errors, candidate = await account_admin.create(form, ip=_client(request))
    if created is None:
        context = await account_admin.lookup(form.find, None) if form.find and "form" not in errors else \
            {"find": form.find, "candidates": [], "chosen": None, "lookup_error": None, "searched": False}
        context["chosen"] = candidate
        return _new_page(request, context, form, errors, status=400)
    done = "created_admin" if created.is_admin else ("created_temporary" if form.temporary else "created_link")
    return go(request, with_query(request.app.route_reverse("admin_accounts"), {"done": done, "q": created.email}))


async def _edit_page(request: Request, admin: AccountAdmin, user_id: int, *, changes: AccountChanges | None = None,
                     errors: Mapping[str, str] | None = None, status: int = 200) -> Template:
    row = admin.target(user_id)
    params = request.query_params
    find = " ".join(str(params.get("find", "")).split())[:MAX_FIND]
    lookup = await admin.lookup(find, contact_id_from(str(params.get("contact", "")))) if find or params.get("contact") \
        else {"find": "", "candidates": [], "chosen": None, "lookup_error": None, "searched": False}
    parts = PageParts()
    current = await admin.current_contact(row, parts)
    if changes is None:
        chosen = lookup["chosen"]
        changes = AccountChanges(email=row["email"], name=row["name"] or "",
                                 role=chosen.role if chosen and row["role"] != "admin" and row["role"] not in chosen.roles else row["role"],
                                 contact_text=str(chosen.contact_id if chosen else (row["contact_id"] or "")))
    last_login = datetime.fromisoformat(row["last_login_at"]) if row["last_login_at"] else None
    return page(request, "views/admin/account_edit.html", status_code=status, login=row, last_login=last_login,
                changes=changes, errors=errors or {}, current=current, unavailable=parts.unavailable,
                role_names=ROLE_NAMES, max_find=MAX_FIND, max_name=MAX_NAME, max_email=MAX_EMAIL, **lookup)


@get("/admin/accounts/{user_id:int}/edit", name="admin_account_edit")
async def account_edit(request: Request, user_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template:
    """The edit form; ?find= looks up another contact to link, ?contact= puts its id in the form."""
    return await _edit_page(request, account_admin, user_id)


@post("/admin/accounts/{user_id:int}/edit", name="admin_account_update", status_code=200)
async def account_update(request: Request, user_id: FromPath[int], account_admin: NamedDependency[AccountAdmin]) -> Template | Response:
    changes = AccountChanges.read(await request.form())
    outcome, errors = await account_admin.update(user_id, changes, ip=_client(request))
    if outcome is None:
        return await _edit_page(request, account_admin, user_id, changes=changes, errors=errors, status=400)
    return go(request, with_query(request.app.route_reverse("admin_accounts"), {"done": outcome, "q": changes.email}))


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
