"""The schema of the portal's SQLite database, as sqlite-utils migrations applied in order.

Append new migrations at the end; never edit one that has shipped (tests/test_upgrade.py opens
a database made by the previous release, tests/fixtures/upgrade/, and checks it keeps its data).
`upgrade(db)` is what start-up calls: it refuses a database a newer release has migrated, then
runs the pending migrations forward, each in its own transaction with its record.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("portal")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer release; str(error) is one line for the operator."""


def known_names() -> list[str]:
    """The migrations this release knows, in the order they run."""
    return [migration.name for migration in migrations._migrations]


def unknown_applied(db: Database) -> list[str]:
    """Migrations recorded in `db` that this release does not know (a newer release ran them)."""
    known = set(known_names())
    return [applied.name for applied in migrations.applied(db) if applied.name not in known]


def upgrade(db: Database) -> list[str]:
    """Bring `db` up to this release's schema; return the names of the migrations that ran.

    Raises SchemaTooNew, before changing anything, when a newer release has migrated `db`:
    running older code on a newer schema could write rows the newer code misreads.
    Each pending migration runs in one transaction with the row that records it (sqlite-utils),
    so a failed migration leaves the database as it was and stays pending.
    """
    newer = unknown_applied(db)
    if newer:
        raise SchemaTooNew(
            f"the database was made by a newer release of the portal (it has migration {newer[-1]}, "
            "which this one does not know): run that release, or restore a backup made by this one"
        )
    pending = [migration.name for migration in migrations.pending(db)]
    migrations.apply(db)
    return pending


@migrations()
def m001_users_and_sessions(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "email": str,
            "password_hash": str,
            "role": str,
            "contact_id": int,
            "name": str,
            "active": int,
            "created_at": str,
            "updated_at": str,
            "last_login_at": str,
        },
        pk="id",
        not_null={"email", "password_hash", "role", "active", "created_at", "updated_at"},
        defaults={"active": 1, "name": ""},
    )
    db["users"].create_index(["email"], unique=True)
    db["sessions"].create(
        {
            "id_hash": str,
            "user_id": int,
            "created_at": str,
            "last_seen_at": str,
            "expires_at": str,
            "ip": str,
            "user_agent": str,
        },
        pk="id_hash",
        not_null={"user_id", "created_at", "last_seen_at", "expires_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["sessions"].create_index(["user_id"])


@migrations()
def m002_settings_and_audit(db: Database) -> None:
    db["settings"].create({"key": str, "value": str, "updated_at": str}, pk="key", not_null={"value"})
    db["audit"].create(
        {
            "id": int,
            "at": str,
            "actor_user_id": int,
            "actor_email": str,
            "ip": str,
            "action": str,
            "target": str,
            "outcome": str,
            "detail": str,
        },
        pk="id",
        not_null={"at", "action", "outcome"},
    )
    db["audit"].create_index(["at"])
    # The audit log is append-only: history cannot be rewritten from inside the app.
    db.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
    )


@migrations()
def m003_outbox(db: Database) -> None:
    db["outbox"].create(
        {
            "id": int,
            "user_id": int,
            "contact_id": int,
            "kind": str,
            "idem_key": str,
            "target_id": int,
            "payload": str,
            "state": str,
            "attempts": int,
            "next_attempt_at": str,
            "lease_until": str,
            "result": str,
            "last_error": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"kind", "idem_key", "payload", "state", "attempts", "created_at", "updated_at"},
        defaults={"state": "pending", "attempts": 0},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["outbox"].create_index(["user_id", "idem_key"], unique=True)
    db["outbox"].create_index(["state", "next_attempt_at"])
    db["outbox"].create_index(["kind", "target_id"])


@migrations()
def m004_accounts_and_mail(db: Database) -> None:
    """Self-registration, password recovery, two-factor sign-in and mail (issue 9)."""
    users = db["users"]
    # A temporary password (set by an admin or an import) must be changed at the next login.
    users.add_column("must_change_password", int, not_null_default=0)
    users.add_column("password_changed_at", str)
    # Two-factor sign-in (TOTP): the secret once confirmed, when, and the last time step used
    # (a code is accepted once).
    users.add_column("totp_secret", str)
    users.add_column("totp_enabled_at", str)
    users.add_column("totp_last_step", int)
    db["recovery_codes"].create(
        {"id": int, "user_id": int, "code_hash": str, "created_at": str, "used_at": str},
        pk="id",
        not_null={"user_id", "code_hash", "created_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["recovery_codes"].create_index(["user_id"])
    # One row per single-use signed token (reset links, verification links, setup links): the
    # token names its nonce, and using it stamps used_at, once.
    db["tokens"].create(
        {"nonce": str, "purpose": str, "subject": str, "created_at": str, "expires_at": str, "used_at": str},
        pk="nonce",
        not_null={"purpose", "subject", "created_at", "expires_at"},
    )
    db["tokens"].create_index(["purpose", "subject"])
    db["registrations"].create(
        {
            "id": int,
            "kind": str,  # trade (an existing Brightpearl contact) | web (a new customer)
            "email": str,
            "name": str,
            "company": str,
            "phone": str,
            "address": str,  # JSON: the wire fields of a new postal address (web)
            "password_hash": str,
            "state": str,
            "role": str,
            "contact_id": int,
            "candidates": str,  # JSON: contact ids that share the email
            "user_id": int,
            "ip": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"kind", "email", "state", "created_at", "updated_at"},
        defaults={"name": "", "company": "", "phone": "", "address": "{}", "candidates": "[]"},
    )
    db["registrations"].create_index(["email"])
    db["registrations"].create_index(["state"])
    db["mailbox"].create(
        {
            "id": int,
            "outbox_id": int,
            "message_id": str,
            "sender": str,
            "recipients": str,
            "subject": str,
            "text": str,
            "html": str,
            "headers": str,
            "created_at": str,
        },
        pk="id",
        not_null={"message_id", "recipients", "subject", "created_at"},
    )
    db["mailbox"].create_index(["message_id"], unique=True)


@migrations()
def m005_admin_area(db: Database) -> None:
    """The admin area (issue 10): viewing the portal as a customer, spreadsheet imports, and
    the audit log's filters."""
    # An admin's session that shows the portal as this customer login, read-only.
    db["sessions"].add_column("viewing_as_user_id", int)
    # One row per uploaded spreadsheet: its rows as read (JSON), the dry run's verdict per row,
    # and, once applied, the report. Applying reads the rows from here, never the file again.
    db["imports"].create(
        {
            "id": int,
            "created_by": int,
            "created_at": str,
            "filename": str,
            "rows": str,
            "state": str,  # checked | applied
            "applied_at": str,
            "report": str,
        },
        pk="id",
        not_null={"created_at", "filename", "rows", "state"},
        defaults={"state": "checked", "report": "[]"},
    )
    db["audit"].create_index(["action"])
    db["audit"].create_index(["actor_email"])


@migrations()
def m006_quotes(db: Database) -> None:
    """Quotes (issue 11)."""
    # Quotes shared by mail (issue 11): one row per link sent; the link is a "quote-share" token
    # (portal.security.tokens) whose nonce is `nonce`, revoked by voiding that token.
    db["quote_shares"].create(
        {
            "id": int,
            "nonce": str,
            "order_id": int,
            "contact_id": int,
            "user_id": int,
            "email": str,
            "idem_key": str,
            "created_at": str,
            "expires_at": str,
            "revoked_at": str,
            "opened": int,
            "last_opened_at": str,
        },
        pk="id",
        not_null={"nonce", "order_id", "contact_id", "user_id", "email", "created_at", "expires_at"},
        defaults={"opened": 0},
    )
    db["quote_shares"].create_index(["nonce"], unique=True)
    db["quote_shares"].create_index(["contact_id", "order_id"])
    # Checkouts of quotes (issue 11): what the customer chose so far, step by step, and the
    # idempotency key minted when the checkout began, which the confirm form carries; once
    # confirmed, the outbox item placing it. `choices` and `fingerprint` are JSON.
    db["checkouts"].create(
        {
            "id": int,
            "user_id": int,
            "contact_id": int,
            "quote_id": int,
            "idem_key": str,
            "fingerprint": str,
            "choices": str,
            "created_at": str,
            "updated_at": str,
            "confirmed_at": str,
            "outbox_id": int,
        },
        pk="id",
        not_null={"user_id", "contact_id", "quote_id", "idem_key", "fingerprint", "choices", "created_at", "updated_at"},
        defaults={"choices": "{}"},
    )
    db["checkouts"].create_index(["user_id", "idem_key"], unique=True)
    db["checkouts"].create_index(["user_id", "quote_id"])
