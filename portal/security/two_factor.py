"""Two-factor sign-in: TOTP codes (RFC 6238 with pyotp: 30-second steps, 6 digits, one step of
clock drift either way), the QR code an authenticator app scans (segno), and ten single-use
recovery codes.

Where things are kept (the `users` and `recovery_codes` tables of migration m004):

- **The pending secret** of a setup that is not confirmed yet is `users.totp_secret` with
  `totp_enabled_at` still NULL. It never travels in a form (a hidden field would sit in the
  browser's form cache and history); it is bound to the account, and only a logged-in session
  of that account can confirm it. Starting again replaces it; an account with two-factor on
  cannot start a setup (it turns it off first), so a setup never touches a working secret.
  Two-factor is on exactly when `totp_enabled_at` is set.
- **No replay**: `totp_last_step` is the time step of the last code accepted (at confirmation
  or login); a code of that step or an earlier one is refused, and the step is moved forward
  with a compare-and-set, so of two requests with the same code only one gets in.
- **Recovery codes** are 12 characters from a 31-letter alphabet (59 bits), shown once and
  stored only as SHA-256 hashes (a slow hash buys nothing for random codes of this size); using
  one stamps `used_at` with a compare-and-set, so it works once.
- **The login's second step** carries a single-use signed token (portal.security.tokens,
  purpose "login-two-factor", 5 minutes) naming the user whose password was right; wrong codes
  are counted per account in memory (`WrongCodes`, like the login throttles).

Every comparison of a code goes through `hmac.compare_digest` and looks at every candidate, so
the time taken says nothing about which one was close. Every change is written to the audit log
in the transaction that makes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pyotp
import segno
from sqlite_utils import Database

from portal.core.audit import Audit
from portal.core.db import now_iso, write_transaction
from portal.security.passwords import MAX_LENGTH, Passwords
from portal.security.tokens import TokenClaim, Tokens

STEP_SECONDS = 30
DIGITS = 6
# Codes of the step before and after the current one are accepted too (a phone's clock drifts).
VALID_WINDOW = 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code is read off paper. 31 letters ** 12 = 2 ** 59.4.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12
LOGIN_PURPOSE = "login-two-factor"
# Wrong codes per account before its sign-in tokens are voided, and for how long they count.
WRONG_CODES_ALLOWED = 5
WRONG_CODES_WINDOW = 15 * 60
ACCOUNTS_KEPT = 10_000
MAX_CODE_LENGTH = 40  # a recovery code typed with spaces and dashes is well under this

Method = Literal["totp", "recovery_code"]


class TwoFactorError(Exception):
    """The change asked for does not fit the account's state; str(error) says why, for people."""


@dataclass(frozen=True)
class Status:
    """Whether two-factor sign-in is on for an account, and how many recovery codes are unused."""

    enabled: bool
    enabled_at: datetime | None
    codes_left: int
    pending: bool  # a setup was started and not confirmed


@dataclass(frozen=True)
class Setup:
    """What a person needs to add the account to an authenticator app."""

    secret: str  # base32, as the app's "enter a key" field takes it
    uri: str  # the otpauth:// URI the QR code holds
    qr_data_uri: str  # data:image/svg+xml;base64,… for an <img src> (see qr_data_uri)

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, easier to type by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


@dataclass(frozen=True)
class Checked:
    """A second factor that was accepted: by which method, and the recovery codes left after it."""

    method: Method
    codes_left: int


@dataclass(frozen=True)
class Actor:
    """Who made a change, for the audit log (the account holder, an admin, or the CLI)."""

    user_id: int | None = None
    email: str = ""
    ip: str = ""


def qr_data_uri(text: str) -> str:
    """`text` as a QR code, an SVG in a base64 data URI for `<img src>`.

    segno's SVG is one <path> with presentation attributes (stroke, transform) and no script or
    style; inline it would not break `style-src 'self'` either (presentation attributes are not
    the `style` attribute). It goes in an <img> all the same: the page needs no markup from a
    library (the URI is escaped like any attribute), the img's alt names it for screen readers,
    and the CSP's `img-src 'self' data:` allows it. The light modules are white, not
    transparent: scanners need the quiet zone to contrast in dark themes too.
    """
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def normalise_code(code: str) -> str:
    """A typed code as compared: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def looks_like_totp(code: str) -> bool:
    """True when `code` (normalised) is six digits: an app's code, not a recovery code."""
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def new_recovery_code() -> str:
    """A fresh recovery code as shown: `abcd-efgh-jkmn`."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def wall_clock() -> float:
    """Seconds since the epoch, looked up on each call (tests set this module's `time`)."""
    return time.time()


class WrongCodes:
    """Wrong second-factor codes per account in the last window, in memory (one process, like
    portal.security.throttles), for at most `max_accounts` accounts."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, max_accounts: int = ACCOUNTS_KEPT) -> None:
        self._clock = clock
        self.max_accounts = max_accounts
        self._times: OrderedDict[int, deque[float]] = OrderedDict()

    def _recent(self, user_id: int) -> int:
        cutoff = self._clock() - WRONG_CODES_WINDOW
        times = self._times.get(user_id)
        return sum(1 for t in times if t >= cutoff) if times else 0

    def blocked(self, user_id: int) -> bool:
        """True once the account had WRONG_CODES_ALLOWED wrong codes within the window."""
        return self._recent(user_id) >= WRONG_CODES_ALLOWED

    def add(self, user_id: int) -> int:
        """Count one wrong code; return how many the account had in the window."""
        times = self._times.pop(user_id, None) or deque(maxlen=WRONG_CODES_ALLOWED)
        times.append(self._clock())
        self._times[user_id] = times
        while len(self._times) > self.max_accounts:
            self._times.popitem(last=False)
        return self._recent(user_id)

    def clear(self, user_id: int) -> None:
        self._times.pop(user_id, None)


class TwoFactor:
    """Two-factor sign-in for the portal's accounts: setting it up, checking codes at login,
    recovery codes, turning it off, and an admin's reset.

    `now` is the wall clock TOTP steps are counted from (seconds since the epoch; by default
    `wall_clock`). `issuer` is what authenticator apps show above the account (the site's name).
    """

    def __init__(
        self,
        db: Database,
        *,
        tokens: Tokens,
        passwords: Passwords,
        audit: Audit,
        issuer: str,
        now: Callable[[], float] | None = None,
        wrong_codes: WrongCodes | None = None,
    ) -> None:
        self.db = db
        self.tokens = tokens
        self.passwords = passwords
        self.audit = audit
        self.issuer = issuer
        self.now = now or wall_clock
        self.wrong_codes = wrong_codes or WrongCodes()

    # --- reading ---------------------------------------------------------------------------
    def _row(self, user_id: int) -> dict | None:
        rows = list(
            self.db.query(
                "select id, email, password_hash, totp_secret, totp_enabled_at, totp_last_step from users where id = ?",
                [user_id],
            )
        )
        return rows[0] if rows else None

    def status(self, user_id: int) -> Status:
        """Whether two-factor is on for `user_id`, since when, and the recovery codes left."""
        row = self._row(user_id) or {}
        enabled_at = row.get("totp_enabled_at")
        return Status(
            enabled=bool(enabled_at),
            enabled_at=datetime.fromisoformat(enabled_at) if enabled_at else None,
            codes_left=self.codes_left(user_id) if enabled_at else 0,
            pending=bool(row.get("totp_secret")) and not enabled_at,
        )

    def enabled(self, user_id: int) -> bool:
        row = self._row(user_id)
        return bool(row and row["totp_enabled_at"])

    def codes_left(self, user_id: int) -> int:
        """How many of the account's recovery codes are unused."""
        rows = list(
            self.db.query("select count(*) as n from recovery_codes where user_id = ? and used_at is null", [user_id])
        )
        return rows[0]["n"]

    # --- setting up ------------------------------------------------------------------------
    def start_setup(self, user_id: int) -> Setup:
        """A new secret for `user_id`, pending until `confirm`; replaces an earlier pending one.
        Raises TwoFactorError when two-factor is already on."""
        secret = pyotp.random_base32()  # 32 letters: 160 bits, RFC 4226's recommended length
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update users set totp_secret = ?, totp_last_step = null where id = ? and totp_enabled_at is null",
                [secret, user_id],
            )
        if cursor.rowcount != 1:
            raise TwoFactorError("Two-factor sign-in is already on for this account.")
        row = self._row(user_id)
        assert row is not None
        return self._setup(secret, row["email"])

    def pending_setup(self, user_id: int) -> Setup | None:
        """The setup started and not confirmed yet (to show its QR code again), or None."""
        row = self._row(user_id)
        if not row or not row["totp_secret"] or row["totp_enabled_at"]:
            return None
        return self._setup(row["totp_secret"], row["email"])

    def cancel_setup(self, user_id: int) -> None:
        """Forget a pending setup (nothing changes when two-factor is on)."""
        with write_transaction(self.db):
            self.db.execute("update users set totp_secret = null where id = ? and totp_enabled_at is null", [user_id])

    def _setup(self, secret: str, email: str) -> Setup:
        uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
            name=email, issuer_name=self.issuer
        )
        return Setup(secret=secret, uri=uri, qr_data_uri=qr_data_uri(uri))

    def confirm(self, user_id: int, code: str, *, actor: Actor | None = None) -> list[str] | None:
        """Turn two-factor on when `code` is right for the pending secret; return the ten new
        recovery codes (to show once), or None for a wrong code. Raises TwoFactorError when no
        setup is pending (never started, or already confirmed elsewhere)."""
        row = self._row(user_id)
        if not row or not row["totp_secret"] or row["totp_enabled_at"]:
            raise TwoFactorError("There is no setup to confirm. Start again.")
        step = self._matching_step(row["totp_secret"], normalise_code(code)[:MAX_CODE_LENGTH], row["totp_last_step"])
        if step is None:
            return None
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        now = now_iso()
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update users set totp_enabled_at = ?, totp_last_step = ?, updated_at = ? "
                "where id = ? and totp_secret = ? and totp_enabled_at is null",
                [now, step, now, user_id, row["totp_secret"]],
            )
            if cursor.rowcount != 1:
                raise TwoFactorError("This setup was replaced or confirmed already. Start again.")
            self._replace_codes(user_id, codes, now)
            self._audit("two_factor.enable", user_id, row["email"], actor)
        return codes

    # --- checking codes ---------------------------------------------------------------------
    def _matching_step(self, secret: str, code: str, last_step: int | None) -> int | None:
        """The time step (within VALID_WINDOW of now) whose code is `code` and that is later than
        `last_step`, or None. Every step in the window is compared, so timing shows nothing.
        (pyotp's TOTP.verify does the same window but does not say which step matched, which
        refusing replays needs.)"""
        if not looks_like_totp(code):
            return None
        otp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
        current = otp.timecode(self.now())
        found = None
        for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
            if hmac.compare_digest(otp.generate_otp(step), code) and (last_step is None or step > last_step):
                found = step
        return found

    def verify_totp(self, user_id: int, code: str) -> bool:
        """True when `code` is the authenticator's code for now (±1 step) and no code of its
        step or a later one was accepted before; the step is then recorded, so it works once."""
        row = self._row(user_id)
        if not row or not row["totp_enabled_at"] or not row["totp_secret"]:
            return False
        step = self._matching_step(row["totp_secret"], normalise_code(code)[:MAX_CODE_LENGTH], row["totp_last_step"])
        if step is None:
            return False
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update users set totp_last_step = ? where id = ? and totp_enabled_at is not null "
                "and (totp_last_step is null or totp_last_step < ?)",
                [step, user_id, step],
            )
        return cursor.rowcount == 1

    def use_recovery_code(self, user_id: int, code: str, *, actor: Actor | None = None) -> int | None:
        """Use one of the account's recovery codes: return how many are left after it, or None
        when `code` is not an unused one of them."""
        wanted = _code_hash(code[:MAX_CODE_LENGTH])
        rows = list(
            self.db.query(
                "select r.id, r.code_hash, u.email from recovery_codes r join users u on u.id = r.user_id "
                "where r.user_id = ? and r.used_at is null and u.totp_enabled_at is not null",
                [user_id],
            )
        )
        match = None
        for row in rows:  # every unused code is compared, none skipped once one matched
            if hmac.compare_digest(row["code_hash"], wanted):
                match = row
        if match is None:
            return None
        with write_transaction(self.db):
            cursor = self.db.execute(
                "update recovery_codes set used_at = ? where id = ? and used_at is null", [now_iso(), match["id"]]
            )
            if cursor.rowcount != 1:
                return None
            left = self.codes_left(user_id)
            self._audit("two_factor.recovery_code_used", user_id, match["email"], actor, {"codes_left": left})
        return left

    def check(self, user_id: int, code: str, *, actor: Actor | None = None) -> Checked | None:
        """Accept an authenticator code or a recovery code (told apart by their shape) for
        `user_id`; None when it is neither, or when the account had too many wrong codes lately
        (`blocked`). A code is used up by being accepted; a wrong one is counted."""
        if self.wrong_codes.blocked(user_id):
            return None
        code = code[:MAX_CODE_LENGTH]
        checked = None
        if looks_like_totp(normalise_code(code)):
            if self.verify_totp(user_id, code):
                checked = Checked("totp", self.codes_left(user_id))
        else:
            left = self.use_recovery_code(user_id, code, actor=actor)
            checked = None if left is None else Checked("recovery_code", left)
        if checked is None:
            self.wrong_codes.add(user_id)
        else:
            self.wrong_codes.clear(user_id)
        return checked

    def blocked(self, user_id: int) -> bool:
        """True while the account's wrong codes (WRONG_CODES_ALLOWED in WRONG_CODES_WINDOW, at
        login or on the settings page) keep it from trying more."""
        return self.wrong_codes.blocked(user_id)

    # --- changing ---------------------------------------------------------------------------
    def regenerate_codes(self, user_id: int, code: str, *, actor: Actor | None = None) -> list[str] | None:
        """Ten new recovery codes (the old ones stop working) when `code` is right; else None."""
        if not self.enabled(user_id) or self.check(user_id, code, actor=actor) is None:
            return None
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        row = self._row(user_id)
        assert row is not None
        with write_transaction(self.db):
            self._replace_codes(user_id, codes, now_iso())
            self._audit("two_factor.recovery_codes_regenerated", user_id, row["email"], actor)
        return codes

    async def disable(self, user_id: int, password: str, code: str, *, actor: Actor | None = None) -> dict[str, str]:
        """Turn two-factor off; it needs the account's password and a code (authenticator or
        recovery). Returns {} when done, else the problems by field ("password", "code")."""
        row = self._row(user_id)
        if not row or not row["totp_enabled_at"]:
            return {"code": "Two-factor sign-in is not on for this account."}
        # The password is checked first and always (its time is the same either way).
        ok, _ = await self.passwords.verify(row["password_hash"], password[: MAX_LENGTH + 1])
        problems: dict[str, str] = {}
        if not ok:
            problems["password"] = "That is not your current password."  # noqa: S105 - a message, not a password
        elif self.check(user_id, code, actor=actor) is None:
            problems["code"] = "That code is not right. Enter the code your app shows now, or a recovery code."
        if problems:
            self._audit(
                "two_factor.disable", user_id, row["email"], actor, {"refused": sorted(problems)}, outcome="refused"
            )
            return problems
        with write_transaction(self.db):
            self._clear(user_id)
            self._audit("two_factor.disable", user_id, row["email"], actor)
        return {}

    def reset(self, user_id: int, *, by: Actor, end_sessions: bool = True) -> bool:
        """An admin (or the CLI) turns two-factor off for someone who lost their device: the
        secret and recovery codes go, and (by default) the account's sessions end. Returns False
        when two-factor was neither on nor being set up (nothing to do; still audited)."""
        row = self._row(user_id)
        if row is None:
            return False
        had = bool(row["totp_secret"] or row["totp_enabled_at"])
        with write_transaction(self.db):
            self._clear(user_id)
            if end_sessions:
                self.db.execute("delete from sessions where user_id = ?", [user_id])
            self.audit.record(
                "two_factor.reset",
                outcome="ok" if had else "unchanged",
                actor_user_id=by.user_id,
                actor_email=by.email,
                ip=by.ip,
                target=f"user:{user_id}",
                detail={"email": row["email"]},
            )
        return had

    def end_other_sessions(self, user_id: int, keep_session_token: str | None) -> int:
        """End the account's sessions except the one whose cookie is `keep_session_token` (after
        its second factor changed, a session opened before by someone else should not last)."""
        keep = hashlib.sha256(keep_session_token.encode()).hexdigest() if keep_session_token else ""
        cursor = self.db.execute("delete from sessions where user_id = ? and id_hash != ?", [user_id, keep])
        return cursor.rowcount

    def _clear(self, user_id: int) -> None:
        self.db.execute(
            "update users set totp_secret = null, totp_enabled_at = null, totp_last_step = null, updated_at = ? "
            "where id = ?",
            [now_iso(), user_id],
        )
        self.db.execute("delete from recovery_codes where user_id = ?", [user_id])

    def _replace_codes(self, user_id: int, codes: list[str], now: str) -> None:
        self.db.execute("delete from recovery_codes where user_id = ?", [user_id])
        self.db["recovery_codes"].insert_all(
            [{"user_id": user_id, "code_hash": _code_hash(code), "created_at": now} for code in codes]
        )

    def _audit(
        self,
        action: str,
        user_id: int,
        email: str,
        actor: Actor | None,
        detail: dict | None = None,
        *,
        outcome: str = "ok",
    ) -> None:
        actor = actor or Actor(user_id, email)
        self.audit.record(
            action,
            outcome=outcome,
            actor_user_id=actor.user_id,
            actor_email=actor.email,
            ip=actor.ip,
            target=f"user:{user_id}",
            detail=detail,
        )

    # --- the login's second step ------------------------------------------------------------
    def login_token(self, user_id: int) -> str:
        """A single-use token (5 minutes) saying `user_id` gave the right password; the code
        form carries it."""
        return self.tokens.mint(LOGIN_PURPOSE, user_id)

    def login_claim(self, token: str) -> TokenClaim:
        """What a code form's token says, still unused. Raises TokenInvalid, TokenExpired or
        TokenUsed (portal.security.tokens)."""
        return self.tokens.check(LOGIN_PURPOSE, token)

    def use_login_token(self, token: str) -> TokenClaim:
        """Use the code form's token up (once only; raises like `login_claim`)."""
        return self.tokens.use(LOGIN_PURPOSE, token)

    def void_login_tokens(self, user_id: int) -> int:
        """End every unused code-form token of `user_id` (too many wrong codes)."""
        return self.tokens.void(LOGIN_PURPOSE, user_id)
