"""The admin's forms for one login: the list's filters, creating a login, editing one.

Each form is read from the request into a frozen value and checked here, without side effects;
`errors` maps a field name to the message shown beside it ("form": the summary at the top).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.core.users import EMAIL, ROLES, STATES, normalise_email
from portal.security.passwords import password_problem
from portal.web.listing import ListQuery, parse_page, parse_search

from .account_lookup import MAX_FIND, contact_id_from

MAX_NAME = 200
MAX_EMAIL = 320
STATE_NAMES = {
    "active": "Active",
    "deactivated": "Deactivated",
    "temporary": "Temporary password",
    "being_set_up": "Being set up",
}
HANDOVERS = ("link", "temporary")  # how the person gets their first password


@dataclass(frozen=True)
class AccountsQuery(ListQuery):
    """The accounts list's filters. Unknown values are ignored (the filter is off) and a bad
    page number is page 1: the list is never refused for its query string."""

    q: str = ""
    role: str = ""
    state: str = ""
    pending: bool = False
    page: int = 1
    errors: Mapping[str, str] | None = None

    def params(self) -> dict[str, Any]:
        return {"q": self.q, "role": self.role, "state": self.state, "pending": "1" if self.pending else ""}

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.role or self.state)


def parse_accounts_query(params: Mapping[str, str]) -> AccountsQuery:
    ignored: dict[str, str] = {}
    role = params.get("role") or ""
    state = params.get("state") or ""
    return AccountsQuery(
        q=parse_search(params.get("q"), ignored),
        role=role if role in ROLES else "",
        state=state if state in STATES else "",
        pending=params.get("pending") in ("1", "on", "true"),
        page=parse_page(params.get("page"), ignored),
    )


def pages_of(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


def _text(form: Mapping[str, Any], name: str, limit: int) -> str:
    value = form.get(name, "")
    return " ".join(str(value).split())[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True)
class NewAccount:
    """What the create form sent. `kind`: "contact" (a customer or supplier login linked to a
    Brightpearl contact) or "admin" (no contact)."""

    kind: str = "contact"
    contact_id: int | None = None
    role: str = ""
    email: str = ""
    name: str = ""
    handover: str = "link"  # HANDOVERS
    password: str = field(default="", repr=False)
    find: str = ""  # the lookup that found the contact, to show the candidates again

    @property
    def temporary(self) -> bool:
        """True when the admin typed a temporary password (else a reset link is mailed)."""
        return self.handover == HANDOVERS[1]

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> NewAccount:
        password = form.get("password", "")
        return cls(
            kind="admin" if form.get("kind") == "admin" else "contact",
            contact_id=contact_id_from(_text(form, "contact_id", 12)),
            role=_text(form, "role", 20),
            email=normalise_email(_text(form, "email", MAX_EMAIL + 1)),
            name=_text(form, "name", MAX_NAME + 1),
            handover=_text(form, "handover", 20),
            password=password if isinstance(password, str) else "",
            find=_text(form, "find", MAX_FIND),
        )

    def problems(self) -> dict[str, str]:
        """What is wrong with the form on its own (the contact and the e-mail's owner are
        checked against Brightpearl and the logins)."""
        errors: dict[str, str] = {}
        email_problem = problem_of_email(self.email)
        if email_problem:
            errors["email"] = email_problem
        if len(self.name) > MAX_NAME:
            errors["name"] = f"Use at most {MAX_NAME} characters."
        if self.kind == "contact" and self.contact_id is None:
            errors["contact_id"] = "Find the Brightpearl contact and choose it first."
        if self.handover not in HANDOVERS:
            errors["handover"] = "Choose how the person gets their password."
        elif self.temporary:
            problem = password_problem(self.password, email=self.email)
            if problem:
                errors["password"] = problem
        return errors


def problem_of_email(email: str) -> str | None:
    if not email:
        return "Enter the email address the person logs in with."
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        return "Enter an email address like name@example.com."
    return None


@dataclass(frozen=True)
class AccountChanges:
    """What the edit form sent: the login's name, e-mail, role and Brightpearl contact (an
    empty contact id keeps a login that is being set up without one)."""

    email: str
    name: str
    role: str
    contact_text: str

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> AccountChanges:
        return cls(
            email=normalise_email(_text(form, "email", MAX_EMAIL + 1)),
            name=_text(form, "name", MAX_NAME + 1),
            role=_text(form, "role", 20),
            contact_text=_text(form, "contact_id", 12),
        )

    @property
    def contact_id(self) -> int | None:
        return contact_id_from(self.contact_text)

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        email_problem = problem_of_email(self.email)
        if email_problem:
            errors["email"] = email_problem
        if len(self.name) > MAX_NAME:
            errors["name"] = f"Use at most {MAX_NAME} characters."
        if self.contact_text and self.contact_id is None:
            errors["contact_id"] = "A Brightpearl contact id is a number, like 1001."
        return errors
