"""Portal logins: who may log in, with which role, linked to which Brightpearl contact."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from portal.core.db import now_iso, write_transaction

ROLES = ("customer", "supplier", "admin")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")


# The states the admin's list filters on (query value -> SQL condition on `users`).
STATES: dict[str, str] = {
    "active": "active = 1",
    "deactivated": "active = 0",
    "temporary": "must_change_password = 1",
    "being_set_up": "role = 'customer' and contact_id is null",
}
LISTED = (
    "id, email, role, contact_id, name, active, must_change_password, totp_enabled_at, last_login_at, created_at"
)


def _search_where(q: str, role: str | None, state: str | None) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    if q:
        # casefold(): the connection's function (SQLite's lower() folds ASCII only).
        needle = q.strip().casefold()
        clause = "(instr(casefold(email), ?) > 0 or instr(casefold(name), ?) > 0"
        params += [needle, needle]
        if needle.isdigit() and len(needle) < 12:
            clause += " or contact_id = ?"
            params.append(int(needle))
        clauses.append(clause + ")")
    if role in ROLES:
        clauses.append("role = ?")
        params.append(role)
    if state in STATES:
        clauses.append(STATES[state])
    return (" where " + " and ".join(clauses)) if clauses else "", params


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


class UserError(ValueError):
    """A login cannot be created or changed as asked; str(error) says why."""


@dataclass(frozen=True)
class User:
    """The logged-in person as the web layer sees it (no password hash)."""

    id: int
    email: str
    role: str
    contact_id: int | None
    name: str
    # Signed in with a temporary password: every page but the password form is closed to them.
    must_change_password: bool = False
    two_factor: bool = False  # signs in with a TOTP code as well as the password

    @property
    def is_customer(self) -> bool:
        return self.role == "customer"

    @property
    def is_supplier(self) -> bool:
        return self.role == "supplier"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def being_set_up(self) -> bool:
        """A customer whose Brightpearl contact is still being created (a new web account)."""
        return self.role == "customer" and not self.contact_id

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @classmethod
    def from_row(cls, row: dict) -> User:
        return cls(
            id=row["id"],
            email=row["email"],
            role=row["role"],
            contact_id=row.get("contact_id"),
            name=row.get("name") or "",
            must_change_password=bool(row.get("must_change_password")),
            two_factor=bool(row.get("totp_enabled_at")),
        )


def normalise_email(email: str) -> str:
    """Return the email as the portal stores and compares it (trimmed, lower case)."""
    return email.strip().lower()


class UserStore:
    """Reads and writes the `users` table."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.conn.create_function("casefold", 1, _casefold, deterministic=True)

    def by_email(self, email: str) -> dict | None:
        """Return the full row (with password hash) for `email`, or None."""
        rows = list(self.db.query("select * from users where email = ?", [normalise_email(email)]))
        return rows[0] if rows else None

    def get(self, user_id: int) -> User | None:
        """Return the active user with this id, or None."""
        rows = list(self.db.query("select * from users where id = ? and active = 1", [user_id]))
        return User.from_row(rows[0]) if rows else None

    def add(
        self,
        *,
        email: str,
        password_hash: str,
        role: str,
        contact_id: int | None = None,
        name: str = "",
        must_change_password: bool = False,
        contact_pending: bool = False,
    ) -> User:
        """Create a login; raise UserError when the email, role or contact link is wrong.

        `must_change_password`: the password is temporary (set by an admin or an import).
        `contact_pending`: a customer whose Brightpearl contact is still being created (a new
        web account); it is linked later with `link_contact`."""
        email = normalise_email(email)
        if not EMAIL.match(email):
            raise UserError(f"{email!r} is not an email address")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if role in ("customer", "supplier") and not contact_id and not (contact_pending and role == "customer"):
            raise UserError(f"a {role} login needs --contact-id (the Brightpearl contact it belongs to)")
        if role == "admin":
            contact_id = None
        now = now_iso()
        with write_transaction(self.db):
            if self.by_email(email):
                raise UserError(f"a login for {email} already exists")
            user_id = (
                self.db["users"]
                .insert(
                    {
                        "email": email,
                        "password_hash": password_hash,
                        "role": role,
                        "contact_id": contact_id,
                        "name": name,
                        "active": 1,
                        "must_change_password": int(must_change_password),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                .last_pk
            )
        user = self.get(user_id)
        assert user is not None
        return user

    def ensure(self, *, email: str, password_hash: str, role: str, contact_id: int | None, name: str) -> User:
        """Create the login unless one exists for this email (demo seeding); return it."""
        row = self.by_email(email)
        if row:
            return User.from_row(row)
        return self.add(email=email, password_hash=password_hash, role=role, contact_id=contact_id, name=name)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Store a re-hash of the same password (new argon2 parameters): nothing else changes."""
        with write_transaction(self.db):
            self.db["users"].update(user_id, {"password_hash": password_hash, "updated_at": now_iso()})

    def change_password(self, user_id: int, password_hash: str, *, temporary: bool = False) -> int:
        """Give the user a new password and end ALL their sessions, in one transaction; return
        how many sessions ended. `temporary`: it must be changed at the next login."""
        now = now_iso()
        with write_transaction(self.db):
            self.db["users"].update(
                user_id,
                {
                    "password_hash": password_hash,
                    "must_change_password": int(temporary),
                    "password_changed_at": now,
                    "updated_at": now,
                },
            )
            ended = self.db.execute("delete from sessions where user_id = ?", [user_id]).rowcount
        return ended

    def link_contact(self, user_id: int, contact_id: int) -> None:
        """Link a web account to the Brightpearl contact created for it."""
        with write_transaction(self.db):
            self.db["users"].update(user_id, {"contact_id": int(contact_id), "updated_at": now_iso()})

    def row(self, user_id: int) -> dict | None:
        """The full row of this user, active or not (admin pages; includes the password hash)."""
        rows = list(self.db.query("select * from users where id = ?", [user_id]))
        return rows[0] if rows else None

    def listing(self, *, limit: int = 500) -> list[dict]:
        """Every login (active or not), admins first, then by e-mail; rows without the hash."""
        return list(
            self.db.query(
                "select id, email, role, contact_id, name, active, must_change_password, totp_enabled_at, "
                "last_login_at, created_at from users order by role = 'admin' desc, email limit ?",
                [limit],
            )
        )

    def search(self, *, q: str = "", role: str | None = None, state: str | None = None,
               limit: int = 25, offset: int = 0) -> tuple[list[dict], int]:
        """One page of logins matching the admin's filters, admins first, then by e-mail, and
        how many match in all. `q` is a substring of the e-mail or name (case-insensitive), or
        a login or contact id; `role` one of ROLES and `state` a key of STATES (others are
        ignored). Rows carry no password hash."""
        where, params = _search_where(q, role, state)
        total = next(iter(self.db.query(f"select count(*) as n from users{where}", params)))["n"]  # noqa: S608
        rows = list(
            self.db.query(
                f"select {LISTED} from users{where} order by role = 'admin' desc, email limit ? offset ?",  # noqa: S608
                [*params, max(1, limit), max(0, offset)],
            )
        )
        return rows, total

    def logins_for_contacts(self, contact_ids: Iterable[int | None]) -> dict[int, list[dict]]:
        """The logins linked to each of these Brightpearl contacts (id, email, role, active)."""
        ids = sorted({int(i) for i in contact_ids if i})
        found: dict[int, list[dict]] = {}
        if not ids:
            return found
        marks = ",".join("?" * len(ids))
        sql = f"select id, email, name, role, active, contact_id from users where contact_id in ({marks}) order by email"  # noqa: S608
        for row in self.db.query(sql, ids):
            found.setdefault(row["contact_id"], []).append(row)
        return found

    def update(self, user_id: int, **changes: object) -> None:
        """Change a login's `email`, `name`, `role` or `contact_id` (others are ignored); raise
        UserError when the e-mail is not one, another login has it, or the role is unknown."""
        values = {k: v for k, v in changes.items() if k in ("email", "name", "role", "contact_id")}
        if not values:
            return
        if "email" in values:
            values["email"] = normalise_email(str(values["email"]))
            if not EMAIL.match(str(values["email"])):
                raise UserError(f"{values['email']!r} is not an email address")
        if "role" in values and values["role"] not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        with write_transaction(self.db):
            if "email" in values and any(
                True for _ in self.db.query("select 1 from users where email = ? and id != ?", [values["email"], user_id])
            ):
                raise UserError(f"a login for {values['email']} already exists")
            self.db["users"].update(user_id, {**values, "updated_at": now_iso()})

    def has_admin(self) -> bool:
        """True when at least one active admin login exists."""
        rows = self.db.query("select 1 from users where role = 'admin' and active = 1 limit 1")
        return any(True for _ in rows)

    def set_active(self, user_id: int, active: bool) -> None:
        """Deactivate (ending every session at once) or reactivate a login."""
        with write_transaction(self.db):
            self.db["users"].update(user_id, {"active": int(active), "updated_at": now_iso()})
            if not active:
                self.db.execute("delete from sessions where user_id = ?", [user_id])

    def record_login(self, user_id: int) -> None:
        with write_transaction(self.db):
            self.db["users"].update(user_id, {"last_login_at": now_iso()})

    def add_many(self, rows: list[dict], *, also: Callable[[list[int]], None] | None = None) -> list[int]:
        """Create many logins in ONE transaction (an import); return their ids in order.

        Each row has email, password_hash, role (customer or supplier), contact_id, name and
        must_change_password. Any bad row, or an email that already has a login, raises
        UserError and nothing is created. `also(ids)` runs inside the same transaction after
        the inserts (the import marks itself applied and writes its audit there); whatever it
        raises rolls everything back too."""
        now = now_iso()
        prepared = []
        for row in rows:
            email = normalise_email(row["email"])
            if not EMAIL.match(email):
                raise UserError(f"{email!r} is not an email address")
            if row["role"] not in ("customer", "supplier") or not row.get("contact_id"):
                raise UserError(f"{email}: an imported login is a customer or supplier with a contact id")
            prepared.append({"email": email, "password_hash": row["password_hash"], "role": row["role"],
                             "contact_id": int(row["contact_id"]), "name": row.get("name") or "", "active": 1,
                             "must_change_password": int(bool(row.get("must_change_password"))),
                             "created_at": now, "updated_at": now})
        ids: list[int] = []
        with write_transaction(self.db):
            for values in prepared:
                if self.by_email(values["email"]):
                    raise UserError(f"a login for {values['email']} already exists")
                ids.append(int(self.db["users"].insert(values).last_pk))
            if also is not None:
                also(ids)
        return ids
