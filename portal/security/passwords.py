"""Argon2id password hashing, run off the event loop.

argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4) cost ~150 ms of CPU
and 64 MiB per hash, so hashes run in worker threads behind a limiter sized for two cores: a
burst of logins cannot stall the event loop or exhaust memory.
"""

from __future__ import annotations

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST

from portal.security.common_passwords import is_common

MIN_LENGTH = 8
# The one limit on a password's length, in characters: every password set (CLI, seeding, any
# future form) and every login is checked against it, and a longer one is refused, never cut.
MAX_LENGTH = 1024

# Hashes running at once: one per core of a small server, so logins never starve the event loop.
HASHES_AT_ONCE = 2


class PasswordTooLong(ValueError):
    """A password over MAX_LENGTH characters was given to be hashed."""


def _within_limit(password: str) -> str:
    if len(password) > MAX_LENGTH:
        raise PasswordTooLong(f"passwords have at most {MAX_LENGTH} characters")
    return password


class Passwords:
    """Hash and verify passwords; `fast=True` (tests only) uses argon2's cheapest profile."""

    def __init__(self, *, fast: bool = False) -> None:
        self._hasher = PasswordHasher.from_parameters(CHEAPEST) if fast else PasswordHasher()
        # Verified against when the email is unknown, so both paths cost the same time.
        self._dummy_hash = self._hasher.hash("not a real password, only a timing equaliser")
        self._limiter: anyio.CapacityLimiter | None = None

    def _capacity(self) -> anyio.CapacityLimiter:
        # Created on first use: a CapacityLimiter belongs to the event loop it is made in.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(HASHES_AT_ONCE)
        return self._limiter

    def hash_sync(self, password: str) -> str:
        """Return the argon2id hash of `password` (blocking; for the CLI and seeding).
        Raises PasswordTooLong over MAX_LENGTH characters."""
        return self._hasher.hash(_within_limit(password))

    async def hash(self, password: str) -> str:
        """Return the argon2id hash of `password`, computed in a worker thread.
        Raises PasswordTooLong over MAX_LENGTH characters."""
        return await anyio.to_thread.run_sync(self._hasher.hash, _within_limit(password), limiter=self._capacity())

    async def verify(self, stored_hash: str | None, password: str) -> tuple[bool, str | None]:
        """Check `password`; return (ok, new_hash_if_parameters_changed).

        With `stored_hash=None` (unknown user) a dummy hash is verified so the answer takes
        as long as for a real account, and the result is always (False, None).
        """

        def work() -> tuple[bool, str | None]:
            target = stored_hash or self._dummy_hash
            try:
                self._hasher.verify(target, password)
            except (VerificationError, InvalidHashError):
                return False, None
            if stored_hash is None:
                return False, None
            if self._hasher.check_needs_rehash(stored_hash):
                return True, self._hasher.hash(password)
            return True, None

        return await anyio.to_thread.run_sync(work, limiter=self._capacity())


def password_problem(password: str, *, email: str = "") -> str | None:
    """Return why `password` is not acceptable as a new password, or None when it is.

    Any characters are allowed (spaces, emoji), with no rules about their kinds; only length,
    the most common passwords and the person's own e-mail address are refused."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH:,} characters (this one has {len(password):,})."
    if is_common(password):
        return "This is one of the most common passwords, so it is easy to guess. Choose another."
    if email and password.strip().casefold() in {email.strip().casefold(), email.split("@")[0].strip().casefold()}:
        return "Do not use your email address as your password."
    return None


def new_password_errors(password: str, confirm: str, *, email: str = "") -> dict[str, str]:
    """The problems of a new password typed twice, by form field ("password", "confirm")."""
    problem = password_problem(password, email=email)
    if problem:
        return {"password": problem}
    if confirm != password:
        return {"confirm": "The two passwords are not the same."}
    return {}
