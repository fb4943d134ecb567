"""Two-factor sign-in for the person asking: what their page shows and the changes they make.
The rules (codes, secrets, recovery codes, the audit rows) are portal.security.two_factor's."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from portal.core.settings import Settings
from portal.core.users import User
from portal.security.two_factor import Actor, Setup, Status, TwoFactor, TwoFactorError

CODE_MISSING = "Enter the 6-digit code your app shows."
CODE_WRONG = "That code is not right. Enter the code your app shows now (it changes every 30 seconds)."
CODE_OR_RECOVERY_WRONG = "That code is not right. Enter the code your app shows now, or one of your recovery codes."
TOO_MANY_CODES = "Too many wrong codes. Wait 15 minutes, then try again."


@dataclass
class TwoFactorSettings:
    """Two-factor sign-in of the logged-in `user`."""

    two_factor: TwoFactor
    settings: Settings
    user: User

    @property
    def required_for_user(self) -> bool:
        """True when this portal requires two-factor sign-in of the user (an admin, by setting)."""
        return self.settings.admin_two_factor and self.user.is_admin

    @property
    def required(self) -> bool:
        """True when two-factor is required of the user and they have not set it up yet."""
        return self.required_for_user and not self.two_factor.enabled(self.user.id)

    def status(self) -> Status:
        return self.two_factor.status(self.user.id)

    def start(self) -> Setup | None:
        """A new pending setup, or None when two-factor is on already."""
        try:
            return self.two_factor.start_setup(self.user.id)
        except TwoFactorError:
            return None

    def pending(self) -> Setup | None:
        return self.two_factor.pending_setup(self.user.id)

    def cancel(self) -> None:
        self.two_factor.cancel_setup(self.user.id)

    def confirm(self, code: str, *, ip: str, session_token: str | None) -> tuple[list[str] | None, str | None]:
        """(the ten recovery codes, None) once two-factor is on; (None, the message beside the
        code field) otherwise. Other sessions of the account end: they were opened without it."""
        if not code.strip():
            return None, CODE_MISSING
        try:
            codes = self.two_factor.confirm(self.user.id, code, actor=self._actor(ip))
        except TwoFactorError as error:
            return None, str(error)
        if codes is None:
            return None, CODE_WRONG
        self.two_factor.end_other_sessions(self.user.id, session_token)
        return codes, None

    async def disable(self, password: str, code: str, *, ip: str, session_token: str | None) -> dict[str, str]:
        """Turn two-factor off with the password and a code: {} when done, else the problems by
        field ("password", "code")."""
        missing = {}
        if not password:
            missing["password"] = "Enter your current password."  # noqa: S105 - a message
        if not code.strip():
            missing["code"] = "Enter the code your app shows, or a recovery code."
        if missing:
            return missing
        problems = await self.two_factor.disable(self.user.id, password, code, actor=self._actor(ip))
        if "code" in problems and self.two_factor.blocked(self.user.id):
            problems["code"] = TOO_MANY_CODES
        if not problems:
            self.two_factor.end_other_sessions(self.user.id, session_token)
        return problems

    def regenerate(self, code: str, *, ip: str) -> tuple[list[str] | None, str | None]:
        """(ten new recovery codes, None), or (None, the message beside the code field)."""
        if not code.strip():
            return None, "Enter the code your app shows, or a recovery code."
        codes = self.two_factor.regenerate_codes(self.user.id, code, actor=self._actor(ip))
        if codes:
            return codes, None
        return None, TOO_MANY_CODES if self.two_factor.blocked(self.user.id) else CODE_OR_RECOVERY_WRONG

    def codes_download(self, codes: list[str]) -> str:
        """A data: URL of the codes as a text file, for a download link that needs no script."""
        text = "\n".join(
            [f"Recovery codes for {self.user.email} at {self.settings.site_name}", "Each code works once.", ""] + codes
        )
        return "data:text/plain;charset=utf-8," + quote(text + "\n")

    def _actor(self, ip: str) -> Actor:
        return Actor(self.user.id, self.user.email, ip)
