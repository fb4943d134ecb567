"""Logging in: the checks a login passes, in order, and what each outcome leaves behind
(metrics, audit rows, the failed-login counters, a new session)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.audit import Audit
from portal.core.metrics import Metrics
from portal.core.settings import Settings
from portal.core.users import User, UserStore
from portal.security.passwords import MAX_LENGTH, Passwords
from portal.security.sessions import SessionStore
from portal.security.throttles import FailedLogins, LoginAttempts

GENERIC_FAILURE = "That email and password do not match an active account."
TOO_MANY = "Too many attempts for this account. Wait 15 minutes and try again."
TOO_LONG = f"Passwords have at most {MAX_LENGTH:,} characters; this one is longer."


class TooManyAttempts(Exception):
    """This client address sent more login attempts this minute than allowed."""


@dataclass(frozen=True)
class LoginResult:
    """A session token for the cookie, or the message to show: about the whole form
    (`error`) or beside the password field (`password_error`)."""

    token: str | None = None
    error: str | None = None
    password_error: str | None = None


@dataclass
class Logins:
    """Logging in and out, for one visitor (None until they log in)."""

    users: UserStore
    sessions: SessionStore
    passwords: Passwords
    login_attempts: LoginAttempts
    failed_logins: FailedLogins
    audit: Audit
    metrics: Metrics
    settings: Settings
    visitor: User | None = None

    async def log_in(
        self, email: str, password: str, *, ip: str, user_agent: str, replaces: str | None
    ) -> LoginResult:
        """Check the credentials; on success start a session (replacing the visitor's old one).
        Raises TooManyAttempts when this address is over its limit. Every failure gives the
        same answer for an unknown email, a wrong password and a disabled account."""
        if not self.login_attempts.allow(ip):
            self.metrics.logins.labels("rate_limited").inc()
            raise TooManyAttempts()
        key = email.lower()
        if not email or not password:
            return self._refuse(GENERIC_FAILURE, "failed", email, ip)
        if len(password) > MAX_LENGTH:
            # No account can have it (every password set is at most MAX_LENGTH), and it says
            # nothing about the account, so it is said plainly, before any hashing.
            return self._refuse(TOO_LONG, "failed", email, ip, beside_password=True)
        if self.failed_logins.blocked(key):
            # Same answer for real and unknown accounts; still burn the hashing time.
            await self.passwords.verify(None, password)
            return self._refuse(TOO_MANY, "throttled", email, ip)
        row = self.users.by_email(email)
        stored = row["password_hash"] if row and row["active"] else None
        ok, new_hash = await self.passwords.verify(stored, password)
        if not ok or row is None:
            self.failed_logins.add(key)
            return self._refuse(GENERIC_FAILURE, "failed", email, ip)
        self.failed_logins.clear(key)
        if new_hash:
            self.users.set_password_hash(row["id"], new_hash)
        token = self.sessions.create(row["id"], replaces=replaces, ip=ip, user_agent=user_agent)
        self.users.record_login(row["id"])
        self.metrics.logins.labels("ok").inc()
        self.audit.record("login", actor_user_id=row["id"], actor_email=row["email"], ip=ip)
        return LoginResult(token=token)

    def log_out(self, token: str | None) -> None:
        """End the session named by the cookie `token` (of the visitor, when logged in)."""
        self.sessions.end(token)
        if self.visitor:
            self.audit.record("logout", actor_user_id=self.visitor.id, actor_email=self.visitor.email)

    def _refuse(self, message: str, outcome: str, email: str, ip: str, *, beside_password: bool = False) -> LoginResult:
        self.metrics.logins.labels(outcome).inc()
        self.audit.record("login", outcome=outcome, actor_email=email, ip=ip)
        return LoginResult(password_error=message) if beside_password else LoginResult(error=message)
