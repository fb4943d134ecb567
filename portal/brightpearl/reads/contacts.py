"""Reads of contact-service (API.md §6): contacts, their postal addresses, e-mail lookups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..models import Contact, ContactSearchRow, ContactWithAddresses, PostalAddress
from .base import Kind, Reads


class ContactReads(Reads):
    """Typed, cached reads of contact-service."""

    async def many(self, ids: Sequence[int]) -> dict[int, Contact]:
        """The contacts with these ids that exist, by id."""
        return await self.by_ids(Kind.CONTACT, ids, "contact-service/contact/{ids}", Contact.from_wire, id_key="contactId")

    async def one(self, contact_id: int) -> Contact | None:
        """One contact, or None when it does not exist."""
        return (await self.many([contact_id])).get(int(contact_id))

    async def with_addresses(self, contact_id: int) -> ContactWithAddresses | None:
        """The contact and every postal address linked to it, from ONE Contact GET with the
        optional `postalAddresses` section; None when the contact does not exist.

        It is cached as the contact itself, so `one()` shares it and a contact change drops it.
        A contact cached by a plain `one()` read is read once more, with the section.
        `addresses_included` is False when Brightpearl ignored the parameter or only an older
        plain copy could be served (Brightpearl down): then read the DEF/BIL/DEL ids of
        `post_address_ids` with `postal_addresses()`.
        """
        contact_id = int(contact_id)
        cached = self.cache.peek(Kind.CONTACT, contact_id)
        if cached is not None and not isinstance(cached, ContactWithAddresses):
            self.cache.invalidate(Kind.CONTACT, contact_id)
        # API note: the includeOptional value for the section is UNCONFIRMED (API.md §4.5,
        # §16 item 7); `postalAddresses` is the documented section name. A real account that
        # ignores it still answers the plain contact, which degrades to DEF/BIL/DEL.
        found = (
            await self.by_ids(
                Kind.CONTACT,
                [contact_id],
                "contact-service/contact/{ids}?includeOptional=postalAddresses",
                ContactWithAddresses.from_wire,
                id_key="contactId",
            )
        ).get(contact_id)
        if found is None or isinstance(found, ContactWithAddresses):
            return found
        return ContactWithAddresses.extend(found)

    async def by_email(self, email: str) -> tuple[ContactSearchRow, ...]:
        """Contacts whose primary e-mail is exactly `email` (case-insensitive). Brightpearl's
        search is looser than that (API.md §6.2), so its rows are compared here again; several
        contacts may share one address."""
        wanted = email.strip().casefold()
        if not wanted:
            return ()

        async def load() -> tuple[ContactSearchRow, ...]:
            found = await self.client.search("contact-service/contact-search", {"primaryEmail": email.strip()})
            rows = (ContactSearchRow.from_wire(r) for r in found.rows)
            return tuple(r for r in rows if r.contact_id and r.primary_email.strip().casefold() == wanted)

        return await self.cached(Kind.CONTACTS_BY_EMAIL, wanted, load)

    async def by_name(self, text: str, *, limit: int = 50) -> tuple[ContactSearchRow, ...]:
        """Contacts whose company name, first name or last name contains `text` (or, for two or
        more words, whose first name has the first word and last name the rest), by contact id,
        at most `limit`: contact-search on its `companyName`, `firstName` and `lastName`
        columns (API.md §6.2), one search per column, merged. For the admin's lookups; cached
        briefly, as the e-mail lookups are (a contact change drops both)."""
        wanted = " ".join(text.split())
        if not wanted:
            return ()
        queries = [{"companyName": wanted}, {"firstName": wanted}, {"lastName": wanted}]
        words = wanted.split(" ")
        if len(words) > 1:
            queries.append({"firstName": words[0], "lastName": " ".join(words[1:])})

        async def load() -> tuple[ContactSearchRow, ...]:
            found: dict[int, ContactSearchRow] = {}
            for params in queries:
                result = await self.client.search("contact-service/contact-search", params, max_rows=limit)
                for wire_row in result.rows:
                    row = ContactSearchRow.from_wire(wire_row)
                    if row.contact_id:
                        found.setdefault(row.contact_id, row)
            return tuple(found[i] for i in sorted(found)[:limit])

        # The e-mail lookups' kind, under a key no e-mail can have: it is dropped with them.
        return await self.cached(Kind.CONTACTS_BY_EMAIL, ("name", wanted.casefold(), limit), load)

    async def postal_addresses(self, ids: Iterable[int]) -> dict[int, PostalAddress]:
        """The postal addresses with these ids that exist, by id."""
        wanted = [int(i) for i in ids if int(i) > 0]
        return await self.by_ids(
            Kind.POSTAL_ADDRESS, wanted, "contact-service/postal-address/{ids}", PostalAddress.from_wire, id_key="addressId"
        )
