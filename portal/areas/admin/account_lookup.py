"""Finding the Brightpearl contact a login belongs to, for the admin's create and edit forms.

The admin types an e-mail (contacts whose primary e-mail it is), a Brightpearl contact id (that
contact), or a name (contacts whose company, first or last name contains it). Each candidate says
who it is (name, company, e-mail, id), which roles a login for it may have (a customer contact
gets customer logins, a supplier supplier logins; staff none) and which logins it has already:
a Brightpearl company has several people, so a contact may have several logins, and the admin
sees the ones it has before adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Contact, ContactSearchRow
from portal.core.users import UserStore

MAX_FIND = 100  # characters of the lookup box
MAX_CONTACT_DIGITS = 10
ROLE_NAMES = {"customer": "Customer", "supplier": "Supplier", "admin": "Administrator"}


@dataclass(frozen=True)
class Candidate:
    """A Brightpearl contact a login may be linked to."""

    contact_id: int
    name: str
    company: str
    email: str
    roles: tuple[str, ...]  # the login roles it fits, the likeliest first
    logins: tuple[dict[str, Any], ...] = ()  # the logins linked to it already

    @property
    def kind(self) -> str:
        """What it is in Brightpearl, for people: "customer", "supplier" or both."""
        return " and ".join(self.roles)

    @property
    def role_options(self) -> list[tuple[str, str]]:
        """(value, text) of the roles a login for it may have, for a select."""
        return [(role, ROLE_NAMES[role]) for role in self.roles]

    @property
    def role(self) -> str:
        """The role a new login for it gets unless the admin chooses another."""
        return self.roles[0]


def contact_id_from(text: str) -> int | None:
    """The contact id typed, or None when `text` is not one."""
    text = text.strip()
    if text.isdigit() and len(text) <= MAX_CONTACT_DIGITS and 0 < int(text) < 2**31:
        return int(text)
    return None


def _row_roles(row: ContactSearchRow) -> tuple[str, ...]:
    roles = []
    # API note: a contact that says it is neither customer, supplier nor staff is taken as a
    # customer, as Brightpearl's own UI lists it (as registrations do).
    if row.is_customer or not (row.is_supplier or row.is_staff):
        roles.append("customer")
    if row.is_supplier:
        roles.append("supplier")
    return tuple(roles)


def _contact_roles(contact: Contact) -> tuple[str, ...]:
    if contact.is_supplier:
        return ("supplier",)
    return ("customer",) if contact.is_customer else ()


def _from_row(row: ContactSearchRow) -> Candidate | None:
    roles = _row_roles(row)
    if not roles:
        return None
    return Candidate(row.contact_id, row.full_name, row.company_name, row.primary_email, roles)


def _from_contact(contact: Contact) -> Candidate | None:
    roles = _contact_roles(contact)
    if not roles:
        return None
    return Candidate(contact.id, contact.full_name, contact.company_name, contact.email, roles)


def _with_logins(users: UserStore, found: list[Candidate]) -> list[Candidate]:
    logins = users.logins_for_contacts(c.contact_id for c in found)
    return [
        Candidate(c.contact_id, c.name, c.company, c.email, c.roles, tuple(logins.get(c.contact_id, ())))
        for c in found
    ]


async def find(bp: Brightpearl, users: UserStore, text: str) -> list[Candidate]:
    """The contacts `text` names (an id, an e-mail, or part of a name), by contact id.
    Raises BrightpearlError when Brightpearl cannot answer."""
    text = " ".join(text.split())[:MAX_FIND]
    if not text:
        return []
    contact_id = contact_id_from(text)
    if contact_id is not None:
        one = await chosen(bp, users, contact_id)
        return [one] if one else []
    rows = await (bp.contacts.by_email(text) if "@" in text else bp.contacts.by_name(text))
    found = [c for c in (_from_row(r) for r in rows) if c is not None]
    return _with_logins(users, sorted(found, key=lambda c: c.contact_id))


async def chosen(bp: Brightpearl, users: UserStore, contact_id: int) -> Candidate | None:
    """The contact with this id as a candidate (None: no such contact, or a staff contact).
    Raises BrightpearlError when Brightpearl cannot answer."""
    contact = await bp.contacts.one(contact_id)
    candidate = _from_contact(contact) if contact is not None else None
    return _with_logins(users, [candidate])[0] if candidate else None
