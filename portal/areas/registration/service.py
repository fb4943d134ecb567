"""The registration pages' work: reading the /register form and the verification link's page.

Every answer to the form is the same page whatever the address (see
portal.accounts.registrations: what is known about it is looked up in the background).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from portal.accounts.registrations import Registration, Registrations
from portal.core.settings import Settings
from portal.core.users import EMAIL, User, normalise_email
from portal.security.passwords import Passwords, new_password_errors, password_problem
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.web.address_form import AddressForm, parse_address_form

MAX_EMAIL = 320
MAX_NAME = 64  # Brightpearl takes 32 characters each for first and last name (addendum G.1)
MAX_COMPANY = 100
MAX_PHONE = 30
KINDS = ("trade", "web")


class TooManyRequests(Exception):
    """This client address sent more registrations this minute than allowed."""


@dataclass
class RegisterForm:
    """The /register form as sent: cleaned values and the errors by field."""

    kind: str = "trade"
    email: str = ""
    name: str = ""
    company: str = ""
    phone: str = ""
    password: str = ""
    address: AddressForm = field(default_factory=AddressForm)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and (self.kind == "trade" or self.address.ok)


def _clean(raw: object, limit: int) -> tuple[str, str | None]:
    text = raw if isinstance(raw, str) else ""
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return text.strip(), "Remove line breaks, tabs and other control characters."
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if len(text) > limit:
        return text[:limit], f"Use at most {limit} characters (this has {len(text)})."
    return text, None


def parse_register_form(form) -> RegisterForm:
    """Validate the form; only the fields of the chosen kind are read."""
    parsed = RegisterForm()
    kind = str(form.get("kind", ""))
    parsed.kind = kind if kind in KINDS else "trade"
    if kind not in KINDS:
        parsed.errors["kind"] = "Choose whether you already buy from us on account."
    email = str(form.get("email", "")).strip()
    parsed.email = email[:MAX_EMAIL]
    if not email:
        parsed.errors["email"] = "Enter your email address."
    elif len(email) > MAX_EMAIL or not EMAIL.match(normalise_email(email)):
        parsed.errors["email"] = "Enter an email address like name@example.com."
    if parsed.kind == "web":
        for name, limit in (("name", MAX_NAME), ("company", MAX_COMPANY), ("phone", MAX_PHONE)):
            value, error = _clean(form.get(name, ""), limit)
            setattr(parsed, name, value)
            if error:
                parsed.errors[name] = error
        if not parsed.name and "name" not in parsed.errors:
            parsed.errors["name"] = "Enter your name."
        parsed.password = str(form.get("password", ""))
        problem = password_problem(parsed.password, email=email)
        if problem:
            parsed.errors["password"] = problem
        parsed.address = parse_address_form(form)
    return parsed


@dataclass
class RegistrationThrottles:
    """Registrations per client address a minute, and per e-mail in a quarter of an hour."""

    per_address: LoginAttempts
    per_email: FailedLogins


@dataclass
class RegistrationPages:
    """What the registration pages do, for one visitor."""

    registrations: Registrations
    passwords: Passwords
    settings: Settings
    throttles: RegistrationThrottles
    visitor: User | None = None

    @property
    def mode(self) -> str:
        """open | approval | closed (PORTAL_REGISTRATION)."""
        return self.settings.registration

    async def register(self, form: RegisterForm, *, ip: str) -> None:
        """Commit a valid form (the check follows in the background). Over the per-address
        limit raises TooManyRequests; over the per-email limit nothing is stored and the
        answer is the same (that says nothing about the address either)."""
        if not self.throttles.per_address.allow(ip):
            raise TooManyRequests()
        # Hashed whatever the address, so the answer takes as long for every one.
        password_hash = await self.passwords.hash(form.password) if form.kind == "web" else None
        key = normalise_email(form.email)
        if self.throttles.per_email.blocked(key):
            return
        self.throttles.per_email.add(key)
        self.registrations.submit(
            kind=form.kind,
            email=form.email,
            ip=ip,
            name=form.name,
            company=form.company,
            phone=form.phone,
            address=form.address.wire() if form.kind == "web" else None,
            password_hash=password_hash,
        )

    def from_token(self, token: str) -> Registration:
        """The registration a link is for; raises the token errors (portal.security.tokens)."""
        return self.registrations.from_token(token)

    async def confirm(self, token: str, password: str, confirm: str, *, ip: str) -> tuple[dict[str, str], Registration | None]:
        """Use the link: (field errors, None) when the password is not right, else ((), the
        registration as it is now)."""
        registration = self.from_token(token)
        password_hash = None
        if self.registrations.needs_password(registration):
            errors = new_password_errors(password, confirm, email=registration.email)
            if errors:
                return errors, None
            password_hash = await self.passwords.hash(password)
        return {}, self.registrations.confirm(token, password_hash=password_hash, ip=ip)
