"""Passwords: asking for a reset link, setting a new password with it, changing one's own.

What each step leaves behind:
- a reset request changes nothing on the account; the mail (only to an active login) is
  queued after the answer is sent, so the page and its timing are the same for every address
  (security checklist REC-01), and at most RESET_MAILS per address go out in RESET_WINDOW;
- a reset or a change stores the new hash, ends every session of the user and every reset link
  still unused, sends a "your password was changed" notice and writes the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.passwords import RESET, mail_reset_link, store_password
from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.users import EMAIL, User, UserStore, normalise_email
from portal.mail import Mail
from portal.security.passwords import MAX_LENGTH, Passwords, new_password_errors
from portal.security.sessions import SessionStore
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.security.tokens import TokenClaim, TokenInvalid, Tokens

RESET_MAILS = 3
RESET_WINDOW = 15 * 60
MAX_EMAIL = 320


class TooManyRequests(Exception):
    """This client address asked for more reset links this minute than allowed."""


@dataclass
class ResetThrottles:
    """How often reset links may be asked for: per client address a minute, per email."""

    per_address: LoginAttempts
    per_email: FailedLogins


@dataclass
class PasswordService:
    """Reset and change passwords, for one visitor (None when not logged in)."""

    users: UserStore
    sessions: SessionStore
    passwords: Passwords
    tokens: Tokens
    mail: Mail
    audit: Audit
    settings: Settings
    throttles: ResetThrottles
    visitor: User | None = None

    # --- forgot ---------------------------------------------------------------------------
    def email_problem(self, email: str) -> str | None:
        """Why `email` cannot be an address (shown beside the field), or None."""
        if not email:
            return "Enter the email address you log in with."
        if len(email) > MAX_EMAIL or not EMAIL.match(normalise_email(email)):
            return "Enter an email address like name@example.com."
        return None

    def allow_request(self, ip: str) -> None:
        """Count a reset request from `ip`; raise TooManyRequests over the limit."""
        if not self.throttles.per_address.allow(ip):
            raise TooManyRequests()

    async def send_reset_link(self, email: str, *, ip: str) -> None:
        """Mail a reset link when `email` belongs to an active login (run after the answer was
        sent; async so that it runs on the event loop, which alone uses the database).
        Unknown and inactive addresses get no mail; an address over its limit neither."""
        key = normalise_email(email)
        row = self.users.by_email(key)
        if row is None or not row["active"]:
            self.audit.record("password_reset_requested", outcome="unknown", actor_email=key, ip=ip)
            return
        if self.throttles.per_email.blocked(key):
            self.audit.record("password_reset_requested", outcome="throttled", actor_email=key, ip=ip)
            return
        self.throttles.per_email.add(key)
        mail_reset_link(row, tokens=self.tokens, mail=self.mail, audit=self.audit, ip=ip)

    # --- reset ----------------------------------------------------------------------------
    def check_reset(self, token: str) -> TokenClaim:
        """What a reset link says; raises TokenInvalid/TokenExpired/TokenUsed."""
        return self.tokens.check(RESET, token)

    def reset_user(self, claim: TokenClaim) -> dict | None:
        """The active login a reset link is for, or None."""
        row = self.users.row(int(claim.subject)) if claim.subject.isdigit() else None
        return row if row and row["active"] else None

    async def reset(self, token: str, password: str, confirm: str, *, ip: str) -> dict[str, str]:
        """Set the new password with a reset link; return the field errors (empty: done).
        Raises TokenInvalid/TokenExpired/TokenUsed when the link does not work (any more)."""
        row = self.reset_user(self.check_reset(token))
        if row is None:
            raise TokenInvalid()
        errors = new_password_errors(password, confirm, email=row["email"])
        if errors:
            return errors
        password_hash = await self.passwords.hash(password)
        self.tokens.use(RESET, token)  # once: a second request with the link fails here
        self._store(row, password_hash, action="password_reset", ip=ip)
        return {}

    # --- change ---------------------------------------------------------------------------
    async def change(self, current: str, password: str, confirm: str, *, ip: str, user_agent: str) -> tuple[dict[str, str], str | None]:
        """Change the visitor's own password; return (field errors, the new session's token).

        Every session of the user ends, this one too; the browser that changed it carries on
        in a new session (the returned token)."""
        user = self.visitor
        assert user is not None, "the route's guard lets only logged-in users in"
        row = self.users.row(user.id)
        if row is None:
            return {"current": "This account no longer exists."}, None
        if len(current) > MAX_LENGTH:
            return {"current": "That is not your current password."}, None
        ok, _ = await self.passwords.verify(row["password_hash"], current)
        if not ok:
            self.audit.record("password_changed", outcome="wrong_current", actor_user_id=user.id, actor_email=user.email, ip=ip)
            return {"current": "That is not your current password."}, None
        errors = new_password_errors(password, confirm, email=user.email)
        if not errors and password == current:
            errors = {"password": "Choose a password different from your current one."}
        if errors:
            return errors, None
        self._store(row, await self.passwords.hash(password), action="password_changed", ip=ip)
        return {}, self.sessions.create(user.id, ip=ip, user_agent=user_agent)

    def _store(self, row: dict, password_hash: str, *, action: str, ip: str) -> None:
        store_password(row, password_hash, users=self.users, tokens=self.tokens, mail=self.mail, audit=self.audit,
                       action=action, ip=ip)
