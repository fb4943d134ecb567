"""Self-registration: from the /register form to a login, whatever the path.

Two kinds of request, one page for both answers ("check your email"):

- **trade**: someone who buys on account gives their e-mail. When a Brightpearl customer contact
  (or, when the merchant allows it, a supplier contact) has it as its primary e-mail, a
  verification link lets them choose a password and the login is linked to that contact.
- **web**: anyone else gives name, e-mail, password and address. Once the e-mail is verified a
  Brightpearl customer contact is created for them through the outbox (write kind
  `customer_contact`), and the login is linked to it when that is delivered; until then the
  account is "being set up". An e-mail that already belongs to a contact takes the trade path
  instead: no duplicate contact.

Nothing the visitor sees depends on the address: the form is committed as a registration with
an outbox item of kind `registration`, and the **check** (portal logins, Brightpearl contacts)
runs in the background. It decides which mail goes out:

    an active login has the address      -> "you already have an account" (sign in / reset)
    trade, no contact has it              -> "we found no account with this address"
    one or more contacts, or web and new  -> the verification link (24 h, single use)

The link's page asks for a password (trade; web already gave one) and then, by the mode
(`PORTAL_REGISTRATION`): open creates the login at once; approval leaves the request waiting for
an admin (who is told); several contacts sharing the address always wait for an admin to choose
one (Brightpearl does not keep e-mails unique: API addendum G.2). Closed refuses the form.

States: received -> verifying | existing_login | no_account; verifying -> awaiting_approval |
needs_contact | done; awaiting_approval | needs_contact -> done | refused.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.models import ContactSearchRow
from portal.core.audit import Audit
from portal.core.db import now_iso, write_transaction
from portal.core.features import Features
from portal.core.settings import Settings
from portal.core.users import User, UserError, UserStore, normalise_email
from portal.mail import Mail
from portal.outbox.queue import Attempt, Outbox, OutboxItem, Save, TryLater
from portal.security.tokens import TokenInvalid, Tokens

log = logging.getLogger("portal.accounts")

CHECK_KIND = "registration"
TOKEN_PURPOSE = "register"  # noqa: S105 - a token purpose, not a secret
NEW_CONTACT_KIND = "customer_contact"

# States a registration may be waiting in, for the person or for an admin.
OPEN_STATES = ("received", "verifying", "awaiting_approval", "needs_contact")
WAITING_FOR_ADMIN = ("awaiting_approval", "needs_contact")


class RegistrationError(ValueError):
    """An admin's or visitor's action does not fit the registration's state (str: why)."""


@dataclass(frozen=True)
class Candidate:
    """A Brightpearl contact that has the registration's e-mail as its primary e-mail."""

    contact_id: int
    role: str  # customer | supplier
    name: str
    company: str

    def as_json(self) -> dict[str, Any]:
        return {"contact_id": self.contact_id, "role": self.role, "name": self.name, "company": self.company}


@dataclass(frozen=True)
class Registration:
    """One registration request as the pages see it (no password hash)."""

    id: int
    kind: str
    email: str
    name: str
    company: str
    phone: str
    address: Mapping[str, str]
    state: str
    role: str | None
    contact_id: int | None
    candidates: tuple[Candidate, ...]
    user_id: int | None
    has_password: bool
    created_at: str

    @property
    def new_contact(self) -> bool:
        """True when a Brightpearl contact is to be created (web, and no contact had the email)."""
        return self.kind == "web" and not self.candidates

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Registration:
        candidates = tuple(Candidate(**c) for c in json.loads(row["candidates"] or "[]"))
        return cls(
            id=row["id"],
            kind=row["kind"],
            email=row["email"],
            name=row["name"] or "",
            company=row["company"] or "",
            phone=row["phone"] or "",
            address=json.loads(row["address"] or "{}"),
            state=row["state"],
            role=row["role"],
            contact_id=row["contact_id"],
            candidates=candidates,
            user_id=row["user_id"],
            has_password=bool(row["password_hash"]),
            created_at=row["created_at"],
        )


def candidates_from(rows: tuple[ContactSearchRow, ...], *, suppliers: bool) -> list[Candidate]:
    """The contacts a login may be linked to: customers, and suppliers when allowed."""
    found = []
    for row in rows:
        if row.is_customer or (not row.is_supplier and not row.is_staff):
            # API note: a contact is one of customer, supplier or staff (addendum G.2); one that
            # says none of them is taken as a customer, as Brightpearl's own UI lists it.
            role = "customer"
        elif row.is_supplier and suppliers:
            role = "supplier"
        else:
            continue
        found.append(Candidate(row.contact_id, role, row.full_name, row.company_name))
    return sorted(found, key=lambda c: c.contact_id)


class Registrations:
    """The registrations table and every step of a registration."""

    def __init__(
        self,
        db: Database,
        *,
        users: UserStore,
        bp: Brightpearl,
        mail: Mail,
        outbox: Outbox,
        tokens: Tokens,
        audit: Audit,
        settings: Settings,
        features: Features | None = None,
    ) -> None:
        self.db = db
        self.users = users
        self.bp = bp
        self.mail = mail
        self.outbox = outbox
        self.tokens = tokens
        self.audit = audit
        self.settings = settings
        self.features = features  # supplier logins follow the "supplier" feature too

    # --- reading --------------------------------------------------------------------------
    def get(self, registration_id: int) -> Registration | None:
        row = self._row(registration_id)
        return Registration.from_row(row) if row else None

    def waiting_for_admin(self) -> list[Registration]:
        """Requests an admin must approve or link, oldest first."""
        rows = self.db.query(
            "select * from registrations where state in (?, ?) order by id", list(WAITING_FOR_ADMIN)
        )
        return [Registration.from_row(row) for row in rows]

    def _row(self, registration_id: int) -> dict | None:
        rows = list(self.db.query("select * from registrations where id = ?", [registration_id]))
        return rows[0] if rows else None

    # --- 1. the form ------------------------------------------------------------------------
    def submit(
        self,
        *,
        kind: str,
        email: str,
        ip: str,
        name: str = "",
        company: str = "",
        phone: str = "",
        address: Mapping[str, str] | None = None,
        password_hash: str | None = None,
    ) -> int:
        """Commit a registration and its check (one transaction); return its id. The answer
        the visitor gets does not depend on anything this finds out later."""
        email = normalise_email(email)
        now = now_iso()
        with write_transaction(self.db):
            registration_id = (
                self.db["registrations"]
                .insert(
                    {
                        "kind": kind,
                        "email": email,
                        "name": name,
                        "company": company,
                        "phone": phone,
                        "address": json.dumps(dict(address or {}), sort_keys=True),
                        "password_hash": password_hash,
                        "state": "received",
                        "ip": ip[:64],
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                .last_pk
            )
            self.audit.record("registration_received", actor_email=email, ip=ip, target=f"registration:{registration_id}",
                              detail={"kind": kind})
        self.outbox.submit(
            user_id=None, contact_id=None, kind=CHECK_KIND, idem_key=f"registration:{registration_id}",
            payload={"registration_id": registration_id}, target_id=registration_id,
        )
        return registration_id

    # --- 2. the check (outbox kind "registration") ------------------------------------------
    async def check(self, attempt: Attempt, save: Save) -> dict:
        """Decide which mail a new registration gets (see the module docstring)."""
        registration_id = int(attempt.payload["registration_id"])
        row = self._row(registration_id)
        if row is None or row["state"] != "received":
            return {"state": row["state"] if row else "missing"}
        email = row["email"]
        existing = self.users.by_email(email)
        if existing is not None and existing["active"]:
            self._mail(row, "register_existing", {"login_path": "/login", "reset_path": "/password/forgot"})
            self._set(registration_id, state="existing_login")
            return {"state": "existing_login"}
        try:
            rows = await self.bp.contacts.by_email(email)
        except BrightpearlError as error:
            raise TryLater(f"contact search: {error}") from error
        candidates = candidates_from(rows, suppliers=self.suppliers_allowed())
        if row["kind"] == "trade" and not candidates:
            self._mail(row, "register_no_account", {"register_path": "/register?kind=web"})
            self._set(registration_id, state="no_account")
            return {"state": "no_account"}
        token = self.tokens.mint(TOKEN_PURPOSE, registration_id)
        self._mail(row, "register_verify", {"confirm_path": f"/register/confirm/{token}",
                                            "needs_password": row["kind"] == "trade" or bool(candidates)})
        self._set(registration_id, state="verifying", candidates=json.dumps([c.as_json() for c in candidates]))
        return {"state": "verifying", "candidates": len(candidates)}

    def suppliers_allowed(self) -> bool:
        """Whether a supplier contact's e-mail gets a supplier login: PORTAL_SUPPLIER_REGISTRATION
        and the supplier feature switched on (admin > Features)."""
        return self.settings.supplier_registration and (self.features is None or self.features.is_on("supplier"))

    # --- 3. the link ------------------------------------------------------------------------
    def from_token(self, token: str) -> Registration:
        """The registration a verification link is for, still waiting for it.
        Raises TokenInvalid/TokenExpired/TokenUsed (portal.security.tokens)."""
        claim = self.tokens.check(TOKEN_PURPOSE, token)
        registration = self.get(int(claim.subject)) if claim.subject.isdigit() else None
        if registration is None or registration.state != "verifying":
            raise TokenInvalid()
        return registration

    def needs_password(self, registration: Registration) -> bool:
        """True when the link's page asks for a password (everyone but a new web account, who
        chose one with the form). A password typed on the form is never used for an existing
        contact: whoever typed it may not own the mailbox, and the link proves only that."""
        return not registration.new_contact

    def confirm(self, token: str, *, password_hash: str | None, ip: str) -> Registration:
        """Use the verification link (once) and take the registration to its next state;
        return it as it is now. `password_hash` is the one chosen on the link's page."""
        registration = self.from_token(token)
        self.tokens.use(TOKEN_PURPOSE, token)
        updates: dict[str, Any] = {}
        if password_hash:
            updates["password_hash"] = password_hash
        self.audit.record("registration_verified", actor_email=registration.email, ip=ip,
                          target=f"registration:{registration.id}")
        if len(registration.candidates) > 1:
            self._set(registration.id, state="needs_contact", **updates)
        elif self.settings.registration == "approval":
            self._set(registration.id, state="awaiting_approval", **updates)
        else:
            self._set(registration.id, **updates)
            self._create_login(registration.id, contact_id=None, actor=None, ip=ip)
        updated = self.get(registration.id)
        assert updated is not None
        if updated.state in WAITING_FOR_ADMIN:
            self._mail(self._row(registration.id), "register_waiting", {})
        return updated

    # --- 4. an admin's decision -----------------------------------------------------------
    def approve(self, registration_id: int, *, contact_id: int | None, actor: User, ip: str) -> User:
        """Create the login of a waiting registration (linked to `contact_id`, which must be one
        of its candidates when there are several); mail the person. Raises RegistrationError."""
        registration = self.get(registration_id)
        if registration is None or registration.state not in WAITING_FOR_ADMIN:
            raise RegistrationError("This request is no longer waiting for a decision.")
        if len(registration.candidates) > 1 and contact_id not in {c.contact_id for c in registration.candidates}:
            raise RegistrationError("Choose which Brightpearl contact this login belongs to.")
        user = self._create_login(registration_id, contact_id=contact_id, actor=actor, ip=ip)
        self._mail(self._row(registration_id), "register_approved", {"login_path": "/login"}, user_id=user.id)
        return user

    def refuse(self, registration_id: int, *, actor: User, ip: str, reason: str = "") -> None:
        """Refuse a waiting registration; mail the person (the reason is not sent)."""
        registration = self.get(registration_id)
        if registration is None or registration.state not in WAITING_FOR_ADMIN:
            raise RegistrationError("This request is no longer waiting for a decision.")
        self._set(registration_id, state="refused")
        self.audit.record("registration_refused", actor_user_id=actor.id, actor_email=actor.email, ip=ip,
                          target=f"registration:{registration_id}", detail={"reason": reason[:300]})
        self._mail(self._row(registration_id), "register_refused", {})

    # --- helpers --------------------------------------------------------------------------
    def _create_login(self, registration_id: int, *, contact_id: int | None, actor: User | None, ip: str) -> User:
        row = self._row(registration_id)
        assert row is not None
        registration = Registration.from_row(row)
        if not row["password_hash"]:
            raise RegistrationError("This request has no password yet.")
        if registration.new_contact:
            role, contact = "customer", None
        else:
            chosen = next(
                (c for c in registration.candidates if c.contact_id == (contact_id or registration.candidates[0].contact_id)),
                None,
            )
            if chosen is None:
                raise RegistrationError("Choose which Brightpearl contact this login belongs to.")
            role, contact = chosen.role, chosen.contact_id
        try:
            user = self.users.add(
                email=registration.email, password_hash=row["password_hash"], role=role, contact_id=contact,
                name=registration.name or (registration.candidates[0].name if registration.candidates else ""),
                contact_pending=contact is None,
            )
        except UserError as error:
            raise RegistrationError(str(error)) from error
        self._set(registration_id, state="done", user_id=user.id, role=role, contact_id=contact)
        self.audit.record(
            "registration_approved" if actor else "registered",
            actor_user_id=actor.id if actor else user.id,
            actor_email=actor.email if actor else user.email,
            ip=ip,
            target=f"user:{user.id}",
            detail={"registration": registration_id, "role": role, "contact_id": contact},
        )
        if contact is None:
            self.outbox.submit(
                user_id=user.id, contact_id=None, kind=NEW_CONTACT_KIND, idem_key=f"registration:{registration_id}:contact",
                payload=new_contact_payload(registration), target_id=user.id,
            )
        return user

    def _set(self, registration_id: int, **values: Any) -> None:
        with write_transaction(self.db):
            self.db["registrations"].update(registration_id, {**values, "updated_at": now_iso()})

    def _mail(self, row: Mapping[str, Any] | None, template: str, context: dict, *, user_id: int | None = None) -> None:
        assert row is not None
        self.mail.submit(
            to=row["email"],
            template=template,
            context={"name": row["name"] or "", **context},
            key=f"registration:{row['id']}:{template}",
            user_id=user_id,
        )


def new_contact_payload(registration: Registration) -> dict[str, Any]:
    """What the `customer_contact` write needs: the address (wire fields) and the person."""
    first, _, last = registration.name.strip().partition(" ")
    return {
        "email": registration.email,
        "first_name": first[:32],
        "last_name": last.strip()[:32],
        "company": registration.company[:100],
        "phone": registration.phone[:40],
        "address": dict(registration.address),
    }


def contact_created(users: UserStore, audit: Audit) -> Callable[[OutboxItem], None]:
    """What happens once a web customer's contact exists in Brightpearl: their login (the
    item's target) is linked to it, and they see their account instead of "being set up"."""

    def link(item: OutboxItem) -> None:
        contact_id = item.result.get("contact_id")
        if item.target_id and contact_id:
            users.link_contact(int(item.target_id), int(contact_id))
            audit.record("contact_created", actor_user_id=item.target_id, target=f"contact:{contact_id}",
                         detail={"adopted": bool(item.result.get("adopted"))})

    return link
