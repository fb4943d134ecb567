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
from portal.security.tokens import TokenExpired, TokenInvalid, TokenUsed
from portal.security.two_factor import Actor, Checked, TwoFactor

GENERIC_FAILURE = "That email and password do not match an active account."
TOO_MANY = "Too many attempts for this account. Wait 15 minutes and try again."
TOO_LONG = f"Passwords have at most {MAX_LENGTH:,} characters; this one is longer."
# The second step (two-factor sign-in).
CODE_MISSING = "Enter the 6-digit code from your authenticator app, or a recovery code."
CODE_WRONG = "That code is not right. Enter the code your app shows now, or one of your recovery codes."
SIGN_IN_EXPIRED = "Your sign-in took longer than 5 minutes, so it was stopped. Log in again."
SIGN_IN_ENDED = "That sign-in cannot be continued (it was finished or stopped). Log in again."
TOO_MANY_CODES = "Too many wrong codes for this account. Wait 15 minutes, then log in again."


class TooManyAttempts(Exception):
    """This client address sent more login attempts this minute than allowed."""


@dataclass(frozen=True)
class LoginResult:
    """A session token for the cookie, or the message to show: about the whole form
    (`error`) or beside the password field (`password_error`)."""

    token: str | None = None
    error: str | None = None
    password_error: str | None = None
    # The password was right and the account signs in with a second factor: no session yet,
    # only this single-use token for the code form (portal.security.two_factor).
    two_factor_token: str | None = None


@dataclass(frozen=True)
class SecondStepResult:
    """The code form's outcome: a session token (`checked` says by which method), the message
    beside the code field (`code_error`, the form is shown again with the same token), or a
    message for the login form (`restart`: the token is expired, used, or not ours)."""

    token: str | None = None
    checked: Checked | None = None
    code_error: str | None = None
    restart: str | None = None
    email: str = ""


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
    two_factor: TwoFactor
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
        if row.get("totp_enabled_at"):
            # No session until the code is right: the code form carries who got this far.
            self.metrics.logins.labels("second_factor_needed").inc()
            self.audit.record(
                "login", outcome="second_factor_needed", actor_user_id=row["id"], actor_email=row["email"], ip=ip
            )
            return LoginResult(two_factor_token=self.two_factor.login_token(row["id"]))
        return LoginResult(token=self._start_session(row["id"], row["email"], ip, user_agent, replaces))

    async def second_step(
        self, login_token: str, code: str, *, ip: str, user_agent: str, replaces: str | None
    ) -> SecondStepResult:
        """Check the code form: the token from the password step, then the code (authenticator
        or recovery code). On success start the session as `log_in` does. Raises TooManyAttempts
        when this address is over its limit (the same limit as the password form)."""
        if not self.login_attempts.allow(ip):
            self.metrics.logins.labels("rate_limited").inc()
            raise TooManyAttempts()
        try:
            claim = self.two_factor.login_claim(login_token)
        except TokenExpired:
            return self._restart(SIGN_IN_EXPIRED, "expired", ip)
        except TokenUsed:
            return self._restart(SIGN_IN_ENDED, "used", ip)
        except TokenInvalid:
            return self._restart(SIGN_IN_ENDED, "invalid", ip)
        user = self.users.get(int(claim.subject)) if claim.subject.isdigit() else None
        if user is None or not user.two_factor:
            # Disabled, or two-factor reset, since the password was given.
            return self._restart(SIGN_IN_ENDED, "invalid", ip)
        if self.two_factor.blocked(user.id):
            self.two_factor.void_login_tokens(user.id)
            return self._restart(TOO_MANY_CODES, "throttled", ip, user)
        if not code.strip():
            return SecondStepResult(code_error=CODE_MISSING, email=user.email)
        checked = self.two_factor.check(user.id, code, actor=Actor(user.id, user.email, ip))
        if checked is None:
            self.metrics.logins.labels("failed").inc()
            self.audit.record(
                "login.two_factor", outcome="failed", actor_user_id=user.id, actor_email=user.email, ip=ip
            )
            if self.two_factor.blocked(user.id):  # that was one too many
                self.two_factor.void_login_tokens(user.id)
                return SecondStepResult(restart=TOO_MANY_CODES, email=user.email)
            return SecondStepResult(code_error=CODE_WRONG, email=user.email)
        try:
            self.two_factor.use_login_token(login_token)
        except TokenInvalid:
            # Another request with this token got in first (a double submit).
            return self._restart(SIGN_IN_ENDED, "used", ip, user)
        token = self._start_session(user.id, user.email, ip, user_agent, replaces, second_factor=checked.method)
        return SecondStepResult(token=token, checked=checked, email=user.email)

    def _start_session(
        self, user_id: int, email: str, ip: str, user_agent: str, replaces: str | None, *, second_factor: str = ""
    ) -> str:
        token = self.sessions.create(user_id, replaces=replaces, ip=ip, user_agent=user_agent)
        self.users.record_login(user_id)
        self.metrics.logins.labels("ok").inc()
        detail = {"second_factor": second_factor} if second_factor else None
        self.audit.record("login", actor_user_id=user_id, actor_email=email, ip=ip, detail=detail)
        return token

    def _restart(self, message: str, outcome: str, ip: str, user: User | None = None) -> SecondStepResult:
        self.metrics.logins.labels("throttled" if outcome == "throttled" else "failed").inc()
        self.audit.record(
            "login.two_factor",
            outcome=outcome,
            actor_user_id=user.id if user else None,
            actor_email=user.email if user else "",
            ip=ip,
        )
        return SecondStepResult(restart=message)

    def log_out(self, token: str | None) -> None:
        """End the session named by the cookie `token` (of the visitor, when logged in)."""
        self.sessions.end(token)
        if self.visitor:
            self.audit.record("logout", actor_user_id=self.visitor.id, actor_email=self.visitor.email)

    def _refuse(self, message: str, outcome: str, email: str, ip: str, *, beside_password: bool = False) -> LoginResult:
        self.metrics.logins.labels(outcome).inc()
        self.audit.record("login", outcome=outcome, actor_email=email, ip=ip)
        return LoginResult(password_error=message) if beside_password else LoginResult(error=message)
