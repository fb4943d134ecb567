"""The `portal` command (DESIGN §5.1): demo, serve, sandbox, users add; backup, restore, check (docs/deploy.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click_default_group import DefaultGroup

from portal.core.settings import Settings, SettingsError


def fail(message: str) -> None:
    """Print one line for the operator and exit with status 2 (no traceback)."""
    click.echo(f"portal: {message}", err=True)
    sys.exit(2)


def load_settings(**overrides) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except SettingsError as error:
        fail(str(error))
        raise  # unreachable


def uvicorn_config(app, host: str, port: int, **options):
    """How the portal is served. uvicorn's proxy-header handling is off: which peers may say who
    the client is is the portal's PORTAL_TRUSTED_PROXIES (security/proxies.py), not uvicorn's
    default of believing 127.0.0.1."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, server_header=False, proxy_headers=False,
                          lifespan="on", **{"log_level": "info", **options})


def run_uvicorn(app, host: str, port: int) -> None:
    import uvicorn

    from portal.security import log_redaction

    config = uvicorn_config(app, host, port)  # configures uvicorn's loggers
    log_redaction.install()  # reset and setup links carry tokens: keep them out of the access log
    uvicorn.Server(config).run()


def build_app(settings: Settings):
    """The app for `settings`; one line and exit when its database cannot be used."""
    from portal.core.migrations import SchemaTooNew
    from portal.web.app import create_app

    try:
        return create_app(settings)
    except SchemaTooNew as error:
        fail(f"{settings.db_path}: {error}")


def open_db(settings: Settings):
    """The data directory's database, migrated; one line and exit when a newer release made it."""
    from portal.core.db import open_database
    from portal.core.migrations import SchemaTooNew

    try:
        return open_database(settings.db_path)
    except SchemaTooNew as error:
        fail(f"{settings.db_path}: {error}")


def serve_app(settings: Settings, host: str, port: int) -> None:
    """Build the app and serve it, holding the data directory's lock (a restore refuses a live one)."""
    from portal.ops.backup import serving_lock

    with serving_lock(settings.data_dir):
        app = build_app(settings)
        if settings.demo:
            click.echo(f"Portal demo on http://{host}:{port}  (data in {settings.data_dir.resolve()})")
            click.echo("Log in as alice@example.com, bob@example.com, sam@example.com or admin@example.com")
            click.echo("Password for all: portal-demo-pass")
            click.echo(f"Mail is not sent in the demo: read it at http://{host}:{port}/admin/mailbox "
                       "(log in as admin@example.com)")
        elif not settings.smtp_url:
            click.echo("PORTAL_SMTP_URL is not set: mail is not sent but kept in the local mailbox "
                       f"({settings.base_url.rstrip('/')}/admin/mailbox)")
        print_first_admin_link(app)
        run_uvicorn(app, host, port)


def print_first_admin_link(app) -> None:
    """While the portal has no administrator, print a one-time link that creates the first."""
    from portal.areas.setup import first_admin_link

    components = app.state["components"]
    link = first_admin_link(components.users, components.tokens, components.settings)
    if link:
        click.echo("No administrator yet. Within 60 minutes, open this one-time link to create the first:")
        click.echo(f"  {link}")
        click.echo("(or run: portal users add --role admin --email … --password-stdin)")


@click.group(cls=DefaultGroup, default="serve", default_if_no_args=False)
@click.version_option(package_name="brightpearl-portal")
def main() -> None:
    """Self-hosted customer and supplier portal for Brightpearl."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data folder (default: $PORTAL_DATA_DIR or ./data).")
@click.option("--customers", default=40, show_default=True, type=click.IntRange(1, 5000))
@click.option("--orders", default=600, show_default=True, type=click.IntRange(1, 100000))
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 10000),
              help="Delay the sandbox adds to every Brightpearl call.")
def demo(host: str, port: int, data_dir: Path | None, customers: int, orders: int, latency_ms: int) -> None:
    """Run the portal on its embedded Brightpearl sandbox with demo data."""
    overrides = dict(
        demo=True,
        brightpearl_url=None,
        # The demo shows every path: anyone may register, and the demo admin signs in with a
        # password alone (a real install requires a second factor for admins).
        registration="open",
        admin_two_factor=False,
        # The demo's addresses are made up: its mail is kept in the local mailbox, never sent.
        smtp_url="",
        base_url=f"http://{host}:{port}",
        sandbox_customers=customers,
        sandbox_orders=orders,
        sandbox_latency_ms=latency_ms,
    )
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    settings = load_settings(**overrides)
    serve_app(settings, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the portal against the Brightpearl account in the PORTAL_* settings."""
    settings = load_settings()
    if settings.uses_sandbox:
        fail("PORTAL_BRIGHTPEARL_URL is not set (use `portal demo` for the embedded sandbox)")
    check_brightpearl(settings)
    serve_app(settings, host, port)


def check_brightpearl(settings: Settings) -> None:
    """Exit with one line when Brightpearl cannot be reached or rejects the credentials."""
    from portal.brightpearl.errors import BrightpearlAuthError, BrightpearlError
    from portal.ops.check import verify_brightpearl

    try:
        verify_brightpearl(settings)
    except BrightpearlAuthError as error:
        fail(f"Brightpearl rejected the credentials ({error.message})")
    except BrightpearlError as error:
        fail(f"could not use Brightpearl at {settings.brightpearl_url}: {error.message}")
    except Exception as error:  # noqa: BLE001 - one line for any network failure
        fail(f"could not reach Brightpearl at {settings.brightpearl_url}: {error.__class__.__name__} {error}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9000, show_default=True, type=int)
@click.option("--customers", default=40, show_default=True, type=click.IntRange(1, 5000))
@click.option("--orders", default=600, show_default=True, type=click.IntRange(1, 100000))
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 10000))
@click.option("--throttle-limit", default=200, show_default=True, type=click.IntRange(1, 100000),
              help="Requests per rolling minute before the sandbox answers 503.")
@click.option("--seed", default=7, show_default=True, type=int)
def sandbox(host: str, port: int, customers: int, orders: int, latency_ms: int, throttle_limit: int, seed: int) -> None:
    """Run the Brightpearl sandbox alone, to point `portal serve` at it."""
    from portal.demo import SANDBOX_ACCOUNT, SANDBOX_APP_REF, SANDBOX_STAFF_TOKEN, standalone_sandbox

    box = standalone_sandbox(
        seed=seed, customers=customers, orders=orders, latency_ms=latency_ms, throttle_limit=throttle_limit
    )
    click.echo(f"Brightpearl sandbox on http://{host}:{port}/public-api/{SANDBOX_ACCOUNT}")
    click.echo(f"  PORTAL_BRIGHTPEARL_URL=http://{host}:{port}/public-api/{SANDBOX_ACCOUNT}")
    click.echo(f"  PORTAL_BRIGHTPEARL_APP_REF={SANDBOX_APP_REF}")
    click.echo(f"  PORTAL_BRIGHTPEARL_STAFF_TOKEN={SANDBOX_STAFF_TOKEN}")
    run_uvicorn(box.app, host, port)


@main.group()
def users() -> None:
    """Manage portal logins."""


@users.command("add")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["customer", "supplier", "admin"]))
@click.option("--contact-id", type=click.IntRange(1), default=None, help="Brightpearl contact id (customers, suppliers).")
@click.option("--name", default="", help="Name shown in the portal.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@click.option("--temporary", is_flag=True, help="The person must choose a new password at their first login.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def users_add(
    email: str, role: str, contact_id: int | None, name: str, password_stdin: bool, temporary: bool, data_dir: Path | None
) -> None:
    """Create a login linked to a Brightpearl contact."""
    from portal.core.users import UserError, UserStore
    from portal.security.passwords import Passwords, password_problem

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, email=email)
    if problem:
        fail(f"password not accepted: {problem}")
    db = open_db(settings)
    try:
        user = UserStore(db).add(
            email=email, password_hash=Passwords().hash_sync(password), role=role, contact_id=contact_id, name=name,
            must_change_password=temporary,
        )
    except UserError as error:
        fail(str(error))
    finally:
        db.close()
    click.echo(f"created {user.role} login {user.email} (id {user.id})")


@users.command("reset-two-factor")
@click.option("--email", required=True)
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def users_reset_two_factor(email: str, data_dir: Path | None) -> None:
    """Turn two-factor sign-in off for a login that lost its device (audited; its sessions end)."""
    import getpass

    from portal.core.audit import Audit
    from portal.core.users import UserStore
    from portal.security.passwords import Passwords
    from portal.security.tokens import Tokens
    from portal.security.two_factor import Actor, TwoFactor

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {})).with_secret()
    db = open_db(settings)
    try:
        row = UserStore(db).by_email(email)
        if row is None:
            fail(f"no login for {email}")
        two_factor = TwoFactor(
            db, tokens=Tokens(db, settings.secret_key), passwords=Passwords(fast=True), audit=Audit(db),
            issuer=settings.site_name,
        )
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):  # no login name in this environment (a container, say)
            operator = "unknown"
        had = two_factor.reset(row["id"], by=Actor(email=f"cli:{operator}"))
    finally:
        db.close()
    if had:
        click.echo(f"two-factor sign-in is off for {row['email']}; they sign in with their password and can set it up again")
    else:
        click.echo(f"two-factor sign-in was not on for {row['email']}; nothing changed")


@main.group()
def tracking() -> None:
    """Carrier tracking links: a URL pattern per Brightpearl shipping method."""


def _tracking_patterns(data_dir: Path | None):
    """Open the database of the data folder; return (db, TrackingPatterns)."""
    from portal.core.tracking import TrackingPatterns

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    db = open_db(settings)
    return db, TrackingPatterns(db)


_METHOD_ID = click.option("--method-id", required=True, type=click.IntRange(1, 2**31 - 1),
                          help="Brightpearl shipping method id (Settings > Shipping methods).")
_DATA = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None)


@tracking.command("set")
@_METHOD_ID
@click.option("--pattern", required=True,
              help="https:// URL with {reference} once, e.g. 'https://www.ups.com/track?tracknum={reference}'.")
@_DATA
def tracking_set(method_id: int, pattern: str, data_dir: Path | None) -> None:
    """Link shipments of one shipping method to the carrier's tracking page."""
    from portal.core.tracking import TrackingPatternError

    db, patterns = _tracking_patterns(data_dir)
    try:
        stored = patterns.set(method_id, pattern)
    except TrackingPatternError as error:
        fail(f"pattern not accepted: {error}")
    finally:
        db.close()
    click.echo(f"method {method_id}: {stored}")


@tracking.command("unset")
@_METHOD_ID
@_DATA
def tracking_unset(method_id: int, data_dir: Path | None) -> None:
    """Stop linking shipments of one shipping method (the reference stays shown as text)."""
    db, patterns = _tracking_patterns(data_dir)
    try:
        removed = patterns.unset(method_id)
    finally:
        db.close()
    click.echo(f"method {method_id}: pattern removed" if removed else f"method {method_id} had no pattern")


@tracking.command("list")
@_DATA
def tracking_list(data_dir: Path | None) -> None:
    """Show the tracking URL pattern of each shipping method that has one."""
    db, patterns = _tracking_patterns(data_dir)
    try:
        found = patterns.all()
    finally:
        db.close()
    if not found:
        click.echo("no tracking patterns set")
    for method_id, pattern in sorted(found.items()):
        click.echo(f"{method_id}\t{pattern}")


# --- running it for real (docs/deploy.md) ------------------------------------------------------------
@main.command()
@click.option("--to", "to", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write (e.g. /var/backups/portal/portal-$(date +%F).tar.gz).")
@_DATA
def backup(to: Path, data_dir: Path | None) -> None:
    """Write the database (a consistent copy, safe while serving), the secret key and uploads to one archive."""
    from portal.ops.backup import BackupError
    from portal.ops.backup import backup as write_backup

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    try:
        report = write_backup(settings, to)
    except BackupError as error:
        fail(str(error))
    click.echo(f"backed up {settings.data_dir} to {report.path} ({report.size / 1e6:.1f} MB, {report.files} files)")
    if not report.secret_key:
        click.echo("note: the secret key is PORTAL_SECRET_KEY in the environment, not in the archive: keep it safe too")


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the database, key and uploads already in the data directory.")
@_DATA
def restore(archive: Path, force: bool, data_dir: Path | None) -> None:
    """Put a backup into the data directory (empty, unless --force; never one a running portal uses)."""
    from portal.ops.backup import BackupError
    from portal.ops.backup import restore as read_backup

    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}))
    try:
        manifest = read_backup(archive, settings.data_dir, force=force)
    except BackupError as error:
        fail(str(error))
    click.echo(f"restored {archive} (made {manifest.get('created_at')} by portal {manifest.get('portal_version')}) "
               f"into {settings.data_dir}; start the portal to use it")


@main.command()
def check() -> None:
    """Check the PORTAL_* settings, the data directory, Brightpearl and mail; exit 0 only when all is right."""
    from portal.ops.check import run_checks

    findings = run_checks()
    for finding in findings:
        click.echo(finding.line())
    if not all(finding.ok for finding in findings):
        sys.exit(1)


if __name__ == "__main__":
    main()
