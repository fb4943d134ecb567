"""`portal check`: is this server's configuration right? One line per thing, each failure with its fix."""

from __future__ import annotations

import asyncio
import logging
import os
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from portal.core.settings import _WEAK_SECRETS, Settings, SettingsError

SMTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, whether it is right, what was found or what to do."""

    name: str
    ok: bool
    text: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.text}"


def run_checks(env: Mapping[str, str] | None = None) -> list[Finding]:
    """Every finding for the settings in `env` (default: the process environment), in report order."""
    env = dict(os.environ if env is None else env)
    # The secret key has its own line; the other settings are read without it, so a weak key
    # does not hide what else is wrong.
    try:
        settings = Settings.from_env({k: v for k, v in env.items() if k != "PORTAL_SECRET_KEY"})
    except SettingsError as error:
        return [
            Finding("settings", False, f"{error} (the checks below the secret key need the settings)"),
            secret_key_finding(env, None),
        ]
    return [
        Finding("settings", True, "read from the PORTAL_* environment"),
        data_dir_finding(settings.data_dir),
        secret_key_finding(env, settings),
        database_finding(settings),
        base_url_finding(settings),
        brightpearl_finding(settings),
        smtp_finding(settings.smtp_url),
    ]


# --- one check each --------------------------------------------------------------------------------
def weak_secret(key: str) -> bool:
    return len(key) < 32 or key.lower() in _WEAK_SECRETS or len(set(key)) < 8


def secret_key_finding(env: Mapping[str, str], settings: Settings | None) -> Finding:
    key = env.get("PORTAL_SECRET_KEY", "").strip()
    if key:
        if weak_secret(key):
            return Finding("secret key", False, "PORTAL_SECRET_KEY is weak: set it to at least 32 random characters, "
                           "e.g. the output of `python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        return Finding("secret key", True, "PORTAL_SECRET_KEY is set")
    if settings is None:
        return Finding("secret key", True, "not in the environment; the key file is checked once the settings read")
    return secret_key_file_finding(settings)


def secret_key_file_finding(settings: Settings) -> Finding:
    path = settings.secret_key_path
    if not path.exists():
        return Finding("secret key", True, f"none yet: `portal serve` generates one into {path} on its first start")
    try:
        key = path.read_text().strip()
    except OSError as error:
        return Finding("secret key", False, f"cannot read {path} ({error.strerror}): give the portal's user read access")
    if weak_secret(key):
        return Finding("secret key", False, f"{path} holds a weak key: delete it (a new one is generated on start; "
                       "everyone is logged out) or put 32+ random characters in it")
    if path.stat().st_mode & 0o077:
        return Finding("secret key", False, f"{path} can be read by other users: chmod 600 {path}")
    return Finding("secret key", True, f"kept in {path}")


def data_dir_finding(data_dir: Path) -> Finding:
    target = data_dir.resolve()
    existing = target
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return Finding("data directory", False, f"{existing} is not a directory: set PORTAL_DATA_DIR to a directory")
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".portal-check-"):
            pass
    except OSError as error:
        return Finding("data directory", False, f"{existing} is not writable ({error.strerror}): "
                       f"chown it to the portal's user, or set PORTAL_DATA_DIR to a directory it can write")
    if existing != target:
        return Finding("data directory", True, f"{target} will be created on first start")
    return Finding("data directory", True, f"{target} is writable")


def database_finding(settings: Settings) -> Finding:
    import sqlite3

    from portal.core.migrations import known_names

    path = settings.db_path
    if not path.exists():
        return Finding("database", True, f"none yet: {path} is created on first start")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            has_table = conn.execute(
                "select 1 from sqlite_master where type = 'table' and name = '_sqlite_migrations'"
            ).fetchone()
            applied = [r[0] for r in conn.execute("select name from _sqlite_migrations")] if has_table else []
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return Finding("database", False, f"{path} cannot be read ({error}): restore a backup (`portal restore`)")
    known = known_names()
    newer = [name for name in applied if name not in known]
    if newer:
        return Finding("database", False, f"{path} was made by a newer release (migration {newer[-1]}): "
                       "run that release, or restore a backup made by this one")
    pending = [name for name in known if name not in applied]
    if pending:
        return Finding("database", True, f"{path}: {len(pending)} migration(s) will run on the next start")
    return Finding("database", True, f"{path} is up to date")


def base_url_finding(settings: Settings) -> Finding:
    if urlsplit(settings.base_url).scheme != "https":
        return Finding("base URL", False, f"PORTAL_BASE_URL is {settings.base_url}: in production it must be the "
                       "https:// address people use (TLS at the proxy, see docs/deploy.md)")
    return Finding("base URL", True, settings.base_url)


def data_centre(url: str) -> str:
    """The data centre a Brightpearl base URL names: `euw1` of euw1.brightpearlconnect.com, the
    host of a legacy ws-eu1.brightpearl.com, host:port of anything else (a sandbox)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith(".brightpearlconnect.com") or host.endswith(".brightpearl.com"):
        return host.split(".")[0]
    return parts.netloc


def verify_brightpearl(settings: Settings) -> None:
    """Make one cheap call to the configured Brightpearl account; raise what it raised
    (BrightpearlAuthError for rejected credentials, another BrightpearlError, or a network
    error). The client's own log lines are held back: callers report the outcome in one line.
    `portal check` and `portal serve` (before it starts) both ask this."""
    from portal.brightpearl.client import BrightpearlClient

    async def call() -> None:
        async with BrightpearlClient(
            settings.brightpearl_url or "",
            app_ref=settings.brightpearl_app_ref,
            staff_token=settings.brightpearl_staff_token,
            account_token=settings.brightpearl_account_token,
            deadline=min(settings.brightpearl_deadline, 15.0),
            breaker_threshold=1000,
        ) as client:
            await client.check_credentials()

    logger = logging.getLogger("portal.brightpearl")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        asyncio.run(call())
    finally:
        logger.setLevel(level)


def brightpearl_finding(settings: Settings) -> Finding:
    if settings.uses_sandbox:
        return Finding("brightpearl", False, "PORTAL_BRIGHTPEARL_URL is not set: set it, PORTAL_BRIGHTPEARL_APP_REF "
                       "and PORTAL_BRIGHTPEARL_STAFF_TOKEN (without them only `portal demo` runs)")
    from portal.brightpearl.errors import BrightpearlAuthError, BrightpearlError, BrightpearlUnavailable

    url = settings.brightpearl_url or ""
    where = f"{url} (data centre {data_centre(url)})"

    try:
        verify_brightpearl(settings)
    except BrightpearlAuthError as error:
        return Finding("brightpearl", False, f"{where} answered but rejected the credentials ({error.message}): "
                       "check PORTAL_BRIGHTPEARL_APP_REF and the token, and that the account code in the URL is yours")
    except BrightpearlUnavailable as error:
        if error.status is None and error.reason in ("connection", "timeout", "deadline"):
            return Finding("brightpearl", False, f"cannot reach {where}: {error.message}; check the host name "
                           "and that this server can make outgoing https connections")
        return Finding("brightpearl", False, f"{where} cannot answer now ({error.message}): try again in a "
                       "minute; if it stays, check Brightpearl's status page")
    except BrightpearlError as error:
        return Finding("brightpearl", False, f"{where} answered {error.message}: check the URL ends "
                       "with /public-api/ACCOUNT on your account's data centre")
    except Exception as error:  # noqa: BLE001 - one line for any network failure
        return Finding("brightpearl", False, f"cannot reach {where}: {error.__class__.__name__} {error}; "
                       "check the host name and that this server can make outgoing https connections")
    return Finding("brightpearl", True, f"{where} accepted the credentials")


def smtp_finding(smtp_url: str) -> Finding:
    """Reach the mail server of PORTAL_SMTP_URL (smtp://user:pass@host:587 with STARTTLS when offered,
    smtps://… for TLS from the start), say EHLO and log in when the URL has a user."""
    if not smtp_url:
        return Finding("mail", True, "not configured (PORTAL_SMTP_URL is not set)")
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        return Finding("mail", False, "PORTAL_SMTP_URL must look like smtp://user:password@mail.example.com:587")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError:
        return Finding("mail", False, "PORTAL_SMTP_URL has a port that is not a number")
    where = f"{parts.hostname}:{port}"
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, port, timeout=SMTP_TIMEOUT, context=context)
        else:
            server = smtplib.SMTP(parts.hostname, port, timeout=SMTP_TIMEOUT)
    except (OSError, smtplib.SMTPException) as error:
        return Finding("mail", False, f"cannot reach {where} ({error.__class__.__name__} {error}): check the host "
                       "and port in PORTAL_SMTP_URL and that this server may connect to it")
    try:
        server.ehlo()
        if parts.scheme == "smtp" and server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
    except smtplib.SMTPAuthenticationError as error:
        return Finding("mail", False, f"{where} refused the login ({error.smtp_code}): check the user and "
                       "password in PORTAL_SMTP_URL (URL-encode special characters)")
    except (OSError, smtplib.SMTPException) as error:
        return Finding("mail", False, f"{where} answered but failed ({error.__class__.__name__} {error}): "
                       "check the port and whether it wants smtps:// or smtp://")
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return Finding("mail", True, f"{where} accepted {'the login' if parts.username else 'a connection'}")
