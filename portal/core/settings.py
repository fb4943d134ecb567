"""The portal's settings: one frozen dataclass, read from `PORTAL_*` environment variables.

`Settings.from_env()` raises `SettingsError` with one readable sentence when a value is
missing or malformed; the CLI prints that sentence and exits, never a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.core.smtp_url import SmtpUrlError, address_of, parse_smtp_url

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A BCP 47 language tag as people write them: a language, then optional script/region/variant.
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_SWITCH = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}
REGISTRATION_MODES = ("open", "approval", "closed")
_WEAK_SECRETS = {"changeme", "secret", "password", "portal", "development"}


class SettingsError(ValueError):
    """A setting is missing or wrong; str(error) is one line meant for the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything the portal needs to run; see README for the environment variables."""

    data_dir: Path = Path("data")
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Brightpearl: base URL up to and including /public-api/{account}.  None = embedded sandbox.
    brightpearl_url: str | None = None
    brightpearl_app_ref: str = ""
    brightpearl_staff_token: str = ""
    brightpearl_account_token: str = ""
    # Requests per minute left to the merchant's other apps: the portal stops non-urgent calls
    # when Brightpearl says fewer than this many remain in the current minute.
    brightpearl_headroom: int = 40
    # Overall deadline for one Brightpearl call, retries and throttle waits included (seconds).
    brightpearl_deadline: float = 20.0
    # Mail (portal.mail): smtp://user:pass@host:587 (STARTTLS), smtps://…:465, or plain smtp://
    # for a local relay. Empty: every message lands in the local mailbox (/admin/mailbox).
    smtp_url: str = ""
    # The sender of every message; empty: portal@ the host of base_url.
    mail_from: str = ""
    # Where customers' replies go; empty: merchant_email (or no Reply-To at all).
    mail_reply_to: str = ""
    # Who may register (/register): open, approval (an admin approves each account) or closed.
    registration: str = "approval"
    # Whether a supplier contact's e-mail gets a supplier login through /register.
    supplier_registration: bool = False
    # Gated login: every page but login, registration, password reset and static files needs a
    # session. Off: public pages (the catalogue, later) are open to visitors.
    gated: bool = True
    # Admins must sign in with a second factor (TOTP); the demo turns it off.
    admin_two_factor: bool = True
    metrics_token: str = ""
    site_name: str = "Customer Portal"
    brand_colour: str = "#1f4e79"
    accent_colour: str = "#c8102e"
    # How customers reach the merchant when Brightpearl names no account manager with an email or
    # phone (account and address pages). Optional: empty shows neither.
    merchant_email: str = ""
    merchant_phone: str = ""
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    login_attempts_per_minute: int = 10
    page_size: int = 25
    # The merchant's time zone (an IANA name): moments (placed, shipped, comments) are shown in
    # it and "today" (overdue, statement periods) is its today. Date-only fields (tax and due
    # dates) are calendar days and never shift.
    timezone: str = "Europe/London"
    # The merchant's language and region (BCP 47): the pages' <html lang>, which browsers use
    # for date inputs (en-GB: day/month/year).
    locale: str = "en-GB"
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For/-Proto the portal
    # believes; every other peer is taken as the client itself (docs/deploy.md).
    trusted_proxies: tuple[str, ...] = ()
    demo: bool = False
    # Sandbox options (used when brightpearl_url is None).
    sandbox_seed: int = 7
    sandbox_customers: int = 40
    sandbox_orders: int = 600
    sandbox_latency_ms: int = 0
    sandbox_throttle_limit: int = 200
    # Tests only: cheap argon2 parameters.  Never read from the environment.
    fast_password_hashing: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    # --- derived -------------------------------------------------------------------------
    @property
    def uses_sandbox(self) -> bool:
        return self.brightpearl_url is None

    @property
    def zone(self) -> ZoneInfo:
        """The merchant's time zone (validated by `validate`)."""
        return ZoneInfo(self.timezone)

    @property
    def cookie_secure(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "portal.core.db"

    @property
    def secret_key_path(self) -> Path:
        """Where the generated secret key is kept when PORTAL_SECRET_KEY is not set."""
        return self.data_dir / "secret_key"

    @property
    def uploads_dir(self) -> Path:
        """Files people upload (uploads/logo/, uploads/supplier/): kept in backups with the database."""
        return self.data_dir / "uploads"

    def with_(self, **changes) -> Settings:
        """Return a copy with `changes` applied (tests and the CLI use this)."""
        return replace(self, **changes)

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        """Read `PORTAL_*` variables; raise SettingsError naming the first bad one."""
        env = dict(os.environ if env is None else env)
        values: dict = {}
        if "PORTAL_DATA_DIR" in env:
            values["data_dir"] = Path(env["PORTAL_DATA_DIR"])
        text = {
            "PORTAL_SECRET_KEY": "secret_key",
            "PORTAL_BASE_URL": "base_url",
            "PORTAL_BRIGHTPEARL_URL": "brightpearl_url",
            "PORTAL_BRIGHTPEARL_APP_REF": "brightpearl_app_ref",
            "PORTAL_BRIGHTPEARL_STAFF_TOKEN": "brightpearl_staff_token",
            "PORTAL_BRIGHTPEARL_ACCOUNT_TOKEN": "brightpearl_account_token",
            "PORTAL_SMTP_URL": "smtp_url",
            "PORTAL_MAIL_FROM": "mail_from",
            "PORTAL_MAIL_REPLY_TO": "mail_reply_to",
            "PORTAL_REGISTRATION": "registration",
            "PORTAL_METRICS_TOKEN": "metrics_token",
            "PORTAL_SITE_NAME": "site_name",
            "PORTAL_BRAND_COLOUR": "brand_colour",
            "PORTAL_ACCENT_COLOUR": "accent_colour",
            "PORTAL_MERCHANT_EMAIL": "merchant_email",
            "PORTAL_MERCHANT_PHONE": "merchant_phone",
            "PORTAL_TIMEZONE": "timezone",
            "PORTAL_LOCALE": "locale",
        }
        for var, name in text.items():
            if env.get(var, "").strip():
                values[name] = env[var].strip()
        numbers = {
            "PORTAL_BRIGHTPEARL_HEADROOM": ("brightpearl_headroom", int),
            "PORTAL_BRIGHTPEARL_DEADLINE": ("brightpearl_deadline", float),
            "PORTAL_SESSION_IDLE_MINUTES": ("session_idle_minutes", int),
            "PORTAL_SESSION_MAX_HOURS": ("session_max_hours", int),
            "PORTAL_LOGIN_ATTEMPTS_PER_MINUTE": ("login_attempts_per_minute", int),
        }
        for var, (name, kind) in numbers.items():
            raw = env.get(var, "").strip()
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise SettingsError(f"{var} must be a number, not {raw!r}") from None
        switches = {
            "PORTAL_SUPPLIER_REGISTRATION": "supplier_registration",
            "PORTAL_GATED": "gated",
            "PORTAL_ADMIN_TWO_FACTOR": "admin_two_factor",
        }
        for var, name in switches.items():
            raw = env.get(var, "").strip().lower()
            if raw:
                if raw not in _SWITCH:
                    raise SettingsError(f"{var} must be on or off, not {env[var].strip()!r}")
                values[name] = _SWITCH[raw]
        proxies = env.get("PORTAL_TRUSTED_PROXIES", "").strip()
        if proxies:
            values["trusted_proxies"] = tuple(part.strip() for part in proxies.split(",") if part.strip())
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError when a value cannot work."""
        scheme = urlsplit(self.base_url).scheme
        if scheme not in {"http", "https"}:
            raise SettingsError(f"PORTAL_BASE_URL must start with http:// or https://, not {self.base_url!r}")
        if self.brightpearl_url is not None:
            parts = urlsplit(self.brightpearl_url)
            if parts.scheme not in {"http", "https"} or "/public-api/" not in parts.path + "/":
                raise SettingsError(
                    "PORTAL_BRIGHTPEARL_URL must look like "
                    "https://euw1.brightpearlconnect.com/public-api/ACCOUNT"
                )
            if not self.brightpearl_app_ref:
                raise SettingsError("PORTAL_BRIGHTPEARL_APP_REF is required with PORTAL_BRIGHTPEARL_URL")
            if not (self.brightpearl_staff_token or self.brightpearl_account_token):
                raise SettingsError(
                    "PORTAL_BRIGHTPEARL_STAFF_TOKEN (or PORTAL_BRIGHTPEARL_ACCOUNT_TOKEN) is required "
                    "with PORTAL_BRIGHTPEARL_URL"
                )
        if self.secret_key and (len(self.secret_key) < 32 or self.secret_key.lower() in _WEAK_SECRETS):
            raise SettingsError("PORTAL_SECRET_KEY must be at least 32 random characters")
        for name in ("brand_colour", "accent_colour"):
            if not _COLOUR.match(getattr(self, name)):
                raise SettingsError(f"PORTAL_{name.upper()} must be a colour like #1f4e79")
        if self.brightpearl_headroom < 0 or self.brightpearl_headroom > 190:
            raise SettingsError("PORTAL_BRIGHTPEARL_HEADROOM must be between 0 and 190")
        if self.brightpearl_deadline <= 0:
            raise SettingsError("PORTAL_BRIGHTPEARL_DEADLINE must be positive")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    f"PORTAL_TRUSTED_PROXIES must list IP addresses or networks like 127.0.0.1,10.0.0.0/8, not {proxy!r}"
                ) from None
        if self.smtp_url:
            try:
                parse_smtp_url(self.smtp_url)
            except SmtpUrlError as error:
                raise SettingsError(str(error)) from None
        for name in ("mail_from", "mail_reply_to"):
            value = getattr(self, name)
            if value and address_of(value) is None:
                raise SettingsError(
                    f"PORTAL_{name.upper()} must be an e-mail address like shop@example.com "
                    f"or 'Shop <shop@example.com>', not {value!r}"
                )
        if self.registration not in REGISTRATION_MODES:
            raise SettingsError(
                f"PORTAL_REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}, not {self.registration!r}"
            )
        if not _LOCALE.match(self.locale):
            raise SettingsError(f"PORTAL_LOCALE must be a language tag like en-GB or de-DE, not {self.locale!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"PORTAL_TIMEZONE must be a time zone name like Europe/London or America/Chicago, not {self.timezone!r}"
            ) from None

    def with_secret(self) -> Settings:
        """Return settings whose secret key is set: the given one, or one kept in the data dir."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.secret_key_path
        if path.exists():
            key = path.read_text().strip()
        else:
            key = secrets.token_urlsafe(48)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
        return replace(self, secret_key=key)
