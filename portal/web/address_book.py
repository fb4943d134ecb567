"""The address book of the logged-in contact: the postal addresses Brightpearl holds for it,
the ones still on their way there, and adding one (outbox first, then one delivery attempt).

A new address is committed to the outbox first and delivered from there (exactly once, see
portal/brightpearl/writes/postal_address.py), so it is never lost when Brightpearl is slow or
down; until Brightpearl has it the list says honestly where it is.

Brightpearl calls: the contact with its addresses (1), plus one postal-address GET only for
addresses that answer left out (a real account may ignore includeOptional): cold <= 2, warm 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.models import ContactWithAddresses, PostalAddress, as_int
from portal.brightpearl.writes import postal_address
from portal.core.audit import Audit
from portal.core.countries import BY_ISO3, DEFAULT_COUNTRY, country_name
from portal.core.users import User
from portal.outbox.queue import Outbox, OutboxItem
from portal.security.access import may_see_address
from portal.web.address_form import FIELDS, AddressForm, new_key
from portal.web.parts import log_degraded

ROLE_ORDER = ("DEF", "BIL", "DEL")
ROLE_LABELS = {"DEF": "Main address", "BIL": "Billing", "DEL": "Default delivery"}

# Every address is permanent in Brightpearl (there is no delete), so a runaway script must not
# be able to fill the merchant's system with them.
MAX_PER_HOUR = 10


@dataclass(frozen=True)
class ShownAddress:
    """One entry of the list: an address Brightpearl has, or one on its way there."""

    key: str
    lines: list[str]
    country: str
    roles: list[str] = field(default_factory=list)
    state: str = "done"  # done | sending | waiting | failed (OutboxItem.progress)
    company: bool = False  # the company's address, inherited from its main contact
    will_be_default: bool = False  # a pending address the customer asked to make the default
    submitted_at: datetime | None = None


@dataclass
class Book:
    """The address list of one contact and what the form needs to know."""

    addresses: list[ShownAddress] = field(default_factory=list)
    available: bool = True  # False: Brightpearl could not be asked (only pending ones shown)
    missing: bool = False  # the login's contact does not exist in Brightpearl
    complete: bool = True  # False: Brightpearl may have addresses it did not list
    known_max_id: int = 0
    default_country: str = DEFAULT_COUNTRY

    @property
    def poll_seconds(self) -> int:
        """How often the list should refresh itself: 0 when nothing is on its way."""
        states = {a.state for a in self.addresses}
        if "sending" in states:
            return 3
        return 15 if "waiting" in states else 0


def blank_form(book: Book) -> AddressForm:
    """An empty form for this book: its country preset, a fresh idempotency key."""
    return AddressForm(country=book.default_country, idem_key=new_key(), known_max_id=book.known_max_id)


@dataclass
class AddressBook:
    """The logged-in contact's addresses, and adding one."""

    bp: Brightpearl
    outbox: Outbox
    audit: Audit
    user: User

    async def load(self) -> Book:
        """The contact's addresses (ownership checked) followed by the ones still on their way."""
        user = self.user
        pending = self.outbox.open_items(kind=postal_address.KIND, contact_id=user.contact_id)
        delivered = _address_ids(self.outbox.delivered_results(kind=postal_address.KIND, contact_id=user.contact_id))
        saved = _address_ids(item.result for item in pending)
        book = Book(known_max_id=max(delivered | saved, default=0))
        shown_ids: set[int] = set()
        try:
            contact = await self.bp.contacts.with_addresses(user.contact_id)
            if contact is None:
                book.missing = True
            else:
                found = dict(contact.postal_addresses)
                linked = set(found) | delivered
                wanted = set(contact.post_address_ids.values())
                if not contact.addresses_included:
                    # Brightpearl sent no postalAddresses section: only the defaults and the
                    # addresses the portal itself added can be looked up.
                    wanted |= delivered
                    book.complete = False
                missing_ids = sorted(wanted - set(found))
                if missing_ids:
                    found.update(await self.bp.contacts.postal_addresses(missing_ids))
                mine = [a for a in found.values() if may_see_address(user, contact, a, linked_ids=linked)]
                book.addresses = _in_brightpearl(contact, mine)
                shown_ids = {a.id for a in mine}
                book.known_max_id = max([book.known_max_id, *found, *contact.post_address_ids.values()])
                book.default_country = _home_country(contact, found)
        except BrightpearlError as error:
            log_degraded("addresses", error)
            book.available = False
        for item in pending:
            if as_int(item.result.get("address_id")) in shown_ids:
                continue  # Brightpearl has it already; the item only awaits its last step
            book.addresses.append(_on_its_way(item))
        return book

    def over_hourly_limit(self) -> bool:
        """True when the user has added MAX_PER_HOUR addresses in the last hour."""
        added = self.outbox.submitted_since(user_id=self.user.id, kind=postal_address.KIND, since=timedelta(hours=1))
        return added >= MAX_PER_HOUR

    async def add(self, form: AddressForm, known_max_id: int, ip: str) -> OutboxItem:
        """Queue the address of a valid `form` and try to deliver it at once; return the item as
        it is after that attempt. Raises OutboxConflict when the form's key was used for other
        details."""
        user = self.user
        item = self.outbox.submit(
            user_id=user.id,
            contact_id=user.contact_id,
            kind=postal_address.KIND,
            idem_key=form.idem_key,
            payload=postal_address.address_payload(
                form.wire(), default_delivery=form.default_delivery, known_max_id=known_max_id
            ),
            audit=lambda: self.audit.record(
                "address.add",
                actor_user_id=user.id,
                actor_email=user.email,
                ip=ip,
                target=f"contact:{user.contact_id}",
                detail={"country": form.country, "default_delivery": form.default_delivery},
            ),
        )
        return await self.outbox.deliver_now(item)


def _address_ids(results: Iterable[Mapping]) -> set[int]:
    return {as_int(result.get("address_id")) for result in results} - {0}


def _in_brightpearl(contact: ContactWithAddresses, addresses: Iterable[PostalAddress]) -> list[ShownAddress]:
    roles_of: dict[int, list[str]] = {}
    for role in ROLE_ORDER:
        address_id = contact.post_address_ids.get(role)
        if address_id:
            roles_of.setdefault(address_id, []).append(role)

    def order(address: PostalAddress) -> tuple:
        roles = roles_of.get(address.id, [])
        return (min((ROLE_ORDER.index(r) for r in roles), default=len(ROLE_ORDER)), address.id)

    shown = []
    for address in sorted(addresses, key=order):
        roles = roles_of.get(address.id, [])
        shown.append(
            ShownAddress(
                key=f"address-{address.id}",
                lines=_lines(address.line1, address.line2, address.line3, address.line4, address.postal_code),
                country=country_name(address.country_iso3 or address.country_iso2),
                roles=[ROLE_LABELS[r] for r in roles],
                company=address.contact_id not in (0, contact.id),
            )
        )
    return shown


def _on_its_way(item: OutboxItem) -> ShownAddress:
    wire = item.payload.get("address", {})
    return ShownAddress(
        key=f"pending-{item.id}",
        lines=_lines(*(wire.get(f.wire, "") for f in FIELDS)),
        country=country_name(wire.get("countryIsoCode")),
        state=item.progress,
        will_be_default=bool(item.payload.get("default_delivery")),
        submitted_at=item.created_at,
    )


def _lines(*parts: str) -> list[str]:
    return [p for p in (str(x or "").strip() for x in parts) if p]


def _home_country(contact: ContactWithAddresses, addresses: Mapping[int, PostalAddress]) -> str:
    """The country of the contact's main address (else of any of its addresses), else GB."""
    candidates = [addresses.get(contact.post_address_ids.get(role, 0)) for role in ROLE_ORDER]
    candidates += list(addresses.values())
    for address in candidates:
        if address is not None and address.country_iso3.upper() in BY_ISO3:
            return address.country_iso3.upper()
    return DEFAULT_COUNTRY

