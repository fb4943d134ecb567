"""The first administrator of a fresh install, created through a one-time link.

While no admin login exists, `portal serve` prints a setup link at start (`first_admin_link`):
signed, for 60 minutes, single use. Whoever opens it chooses the admin's e-mail and password.
Once any admin exists every setup link stops working, printed or not. The other way is the
command line: `portal users add --role admin`.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.users import EMAIL, User, UserError, UserStore, normalise_email
from portal.security.passwords import Passwords, new_password_errors
from portal.security.tokens import TokenInvalid, Tokens

PURPOSE = "first-admin"
SUBJECT = "setup"
MAX_EMAIL = 320
MAX_NAME = 64


def first_admin_link(users: UserStore, tokens: Tokens, settings: Settings) -> str | None:
    """A new setup link while no admin exists, else None."""
    if users.has_admin():
        return None
    return settings.base_url.rstrip("/") + f"/setup/{tokens.mint(PURPOSE, SUBJECT)}"


@dataclass
class FirstAdmin:
    """The setup page's work, for whoever holds the link."""

    users: UserStore
    passwords: Passwords
    tokens: Tokens
    audit: Audit
    visitor: User | None = None

    def check(self, token: str) -> None:
        """Raise TokenInvalid (or Expired/Used) unless the link still works."""
        self.tokens.check(PURPOSE, token)
        if self.users.has_admin():
            raise TokenInvalid()

    async def create(self, token: str, *, email: str, name: str, password: str, confirm: str, ip: str) -> dict[str, str]:
        """Create the first admin; return the field errors (empty: done)."""
        self.check(token)
        errors: dict[str, str] = {}
        email = email.strip()
        if not email or len(email) > MAX_EMAIL or not EMAIL.match(normalise_email(email)):
            errors["email"] = "Enter an email address like name@example.com."
        if len(name) > MAX_NAME:
            errors["name"] = f"Use at most {MAX_NAME} characters."
        errors.update(new_password_errors(password, confirm, email=email))
        if errors:
            return errors
        password_hash = await self.passwords.hash(password)
        self.tokens.use(PURPOSE, token)
        try:
            user = self.users.add(email=email, password_hash=password_hash, role="admin", name=name.strip())
        except UserError as error:
            return {"email": str(error)}
        self.audit.record("first_admin_created", actor_user_id=user.id, actor_email=user.email, ip=ip, target=f"user:{user.id}")
        return {}
