"""Accepting a quote through a checkout: review the lines, choose where it is delivered and how
it is shipped, how it is paid (on account only within the credit left), a purchase-order
reference and delivery instructions, then confirm. Confirming commits the order to the outbox
and tries it once; it is placed in Brightpearl exactly once from there (as the admin chose on
/admin/orders: the quote accepted in place, or a new sales order; see
portal/brightpearl/writes/quote_acceptance.py and sales_order.py).

Brightpearl calls (cold / warm; the reads are cached and shared with other pages):
    review    the quote + statuses                                    <= 2 / 0
    delivery  + the contact with its addresses (+ shipping methods when the merchant offers
              a choice)                                               <= 4 / 0
    payment   + the contact's price lists, balance and payment methods <= 6 / 0
    confirm   + the lists an order is placed with (channels, warehouses; read here so that a
              confirm made while Brightpearl is down has them)        <= 6 / 0
    placing   the quote read afresh (it may have changed; the copy shown when Brightpearl
              cannot be asked): 1
A new address typed in the checkout is also added to the address book (outbox kind
postal_address, as on the address page).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException

from portal.brightpearl.errors import BrightpearlError
from portal.brightpearl.invalidation import Change
from portal.brightpearl.models import PartyAddress, PostalAddress, as_int
from portal.brightpearl.writes import postal_address, quote_acceptance, sales_order
from portal.core.audit import Audit
from portal.core.countries import BY_ISO2, BY_ISO3, country_name
from portal.core.features import Features
from portal.core.formatting import money
from portal.core.order_defaults import NEW_ORDER
from portal.core.users import User
from portal.domain.account import Credit, account_currency
from portal.domain.order_defaults import EffectiveOrderDefaults, OrderLists, resolve
from portal.domain.quote_snapshot import Difference, differences, snapshot, unchanged
from portal.domain.quotes import Quote
from portal.outbox.queue import Outbox, OutboxConflict, OutboxItem
from portal.security.access import may_see_address
from portal.web.address_book import AddressBook
from portal.web.parts import log_degraded

from .checkout_forms import NEW_ADDRESS, ON_ACCOUNT, QUOTE_ADDRESS, DeliveryForm, PaymentForm
from .drafts import Draft, Drafts
from .quotes import QuoteReader
from .responses import DECLINED, QuoteResponses

AUDIT_ACTION = "quote.checkout_confirmed"
# The defaults each of Brightpearl's lists decides (channels, warehouses, price lists, statuses).
_LIST_FIELDS = (
    ("channel_id",),
    ("warehouse_id",),
    ("price_list_id",),
    ("quote_accepted_status_id", "portal_order_status_id", "quote_converted_status_id"),
)
ON_ACCOUNT_LABEL = "On account: pay against our invoice"


class QuoteClosed(Exception):
    """The quote can no longer be accepted: its last day has passed (`reason` "expired"), or
    the customer declined it ("declined")."""

    def __init__(self, reason: str = "expired") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AddressOption:
    """A delivery address the customer may choose."""

    key: str  # "quote", "address-<id>" or "pending-<outbox id>"
    label: str
    lines: tuple[str, ...]
    wire: Mapping[str, str]  # Brightpearl's address fields (a sales order's delivery address)


@dataclass(frozen=True)
class PaymentOption:
    code: str  # a Brightpearl payment-method code, or ON_ACCOUNT
    label: str
    refused: str | None = None  # why it cannot be chosen now
    detail: str = ""


@dataclass
class Options:
    """What the customer may choose, and which parts could not be asked of Brightpearl."""

    addresses: list[AddressOption] = field(default_factory=list)
    shipping: list[tuple[int, str]] = field(default_factory=list)
    payments: list[PaymentOption] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)

    def payment_rules(self) -> dict[str, str | None]:
        return {p.code: p.refused for p in self.payments}


@dataclass(frozen=True)
class Placed:
    draft: Draft
    item: OutboxItem


class AlreadyPlaced(Exception):
    """Another checkout of the same quote (another tab, or a colleague's login) was confirmed."""

    def __init__(self, draft_id: int, user_id: int) -> None:
        super().__init__(f"checkout {draft_id} of this quote was confirmed first")
        self.draft_id, self.user_id = draft_id, user_id


@dataclass(frozen=True)
class Changed:
    """The quote changed since the customer reviewed it: what changed; confirm again."""

    draft: Draft
    changes: list[Difference]


def _lines(*parts: str) -> tuple[str, ...]:
    return tuple(p for p in (str(x or "").strip() for x in parts) if p)


def _party_wire(party: PartyAddress) -> dict[str, str]:
    iso3 = party.country_iso3 or (BY_ISO2[party.country_iso2.upper()].iso3 if party.country_iso2.upper() in BY_ISO2 else "")
    return {
        "addressFullName": party.full_name, "companyName": party.company,
        "addressLine1": party.line1, "addressLine2": party.line2, "addressLine3": party.line3,
        "addressLine4": party.line4, "postalCode": party.postal_code, "countryIsoCode": iso3,
        "telephone": party.telephone, "mobileTelephone": party.mobile, "email": party.email,
    }


def _address_wire(address: Mapping[str, str], name: str, company: str, email: str) -> dict[str, str]:
    wire = {key: str(address.get(key) or "") for key in sales_order.DELIVERY_ADDRESS_FIELDS}
    wire.update(addressFullName=wire["addressFullName"] or name, companyName=wire["companyName"] or company,
                email=wire["email"] or email)
    return wire


def address_lines(wire: Mapping[str, str]) -> tuple[str, ...]:
    """An address's lines for people (its country named)."""
    return _lines(wire.get("addressLine1", ""), wire.get("addressLine2", ""), wire.get("addressLine3", ""),
                  wire.get("addressLine4", ""), wire.get("postalCode", ""), country_name(wire.get("countryIsoCode")))


@dataclass
class Checkout:
    """The checkouts of one login."""

    reader: QuoteReader
    drafts: Drafts
    outbox: Outbox
    audit: Audit
    features: Features
    user: User

    @property
    def bp(self):
        return self.reader.bp

    # --- the quote ----------------------------------------------------------------------------
    async def quote(self, quote_id: int) -> Quote:
        """The login's quote, still standing; 404 for anything that is not their quote,
        QuoteClosed when its last day has passed or the customer declined it."""
        if not self.features.is_on("quotes"):
            raise NotFoundException()
        found = await self.reader.quote_of_contact(int(quote_id), self.user.contact_id or -1)
        if found is None:
            raise NotFoundException()
        if found.expired:
            raise QuoteClosed()
        answers = QuoteResponses(self.reader, self.outbox, self.audit, self.user).given(found.order.id)
        if any(answer.answer == DECLINED for answer in answers):
            raise QuoteClosed("declined")
        return found

    async def fresh_quote(self, quote_id: int) -> Quote:
        """The quote as Brightpearl has it now, read afresh: what the order is placed from. When
        Brightpearl cannot be asked, the copy the customer just confirmed (the delivery re-reads
        it before it writes, and refuses it if it changed)."""
        shown = await self.quote(quote_id)
        self.bp.forget(Change.ORDER, int(quote_id))
        try:
            return await self.quote(quote_id)
        except BrightpearlError as error:
            log_degraded("checkout confirm", error)
            return shown

    async def _effective_defaults(self) -> EffectiveOrderDefaults:
        """The order defaults in effect (portal.domain.order_defaults.resolve). A list Brightpearl
        cannot give now leaves the admin's own choice standing (it was checked when saved), so an
        order confirmed during an outage is still committed, and placed once Brightpearl is back."""
        stored = self.reader.order_defaults.current()
        bp = self.bp
        found = await asyncio.gather(
            bp.products.channels(), bp.warehouse.warehouses(), bp.products.price_lists(), bp.orders.statuses(),
            return_exceptions=True,
        )
        failed = [isinstance(value, BaseException) for value in found]
        for value in found:
            if isinstance(value, BaseException) and not isinstance(value, BrightpearlError):
                raise value
        lists = OrderLists(*[{} if bad else value for bad, value in zip(failed, found, strict=True)])
        effective = resolve(stored, lists)
        kept = {name for bad, names in zip(failed, _LIST_FIELDS, strict=True) if bad for name in names}
        return replace(effective, **{name: getattr(stored, name) for name in kept if getattr(stored, name) is not None})

    async def preload(self) -> None:
        """Read what placing the order needs (cached for hours), so a confirm made while
        Brightpearl is down has it."""
        await self._effective_defaults()

    @property
    def placement(self) -> str:
        """How the order is placed (portal.core.order_defaults.PLACEMENTS)."""
        return self.reader.order_defaults.current().quote_placement

    def begin(self, quote: Quote, idem_key: str) -> Draft:
        return self.drafts.begin(self.user, quote.order.id, idem_key, snapshot(quote.order))

    def draft(self, draft_id: int) -> Draft:
        return self.drafts.get(self.user, draft_id)

    # --- what may be chosen ---------------------------------------------------------------------
    async def options(self, quote: Quote, *, payments: bool = False) -> Options:
        """The delivery addresses and shipping methods (and, with `payments`, the ways to pay)."""
        options = Options()
        tasks = [self._addresses(quote, options), self._shipping(quote, options)]
        if payments:
            tasks.append(self._payments(quote, options))
        await asyncio.gather(*tasks)
        return options

    async def _addresses(self, quote: Quote, options: Options) -> None:
        user = self.user
        party = quote.order.delivery
        name = party.full_name or user.name
        company = party.company or quote.order.party.company
        if party.line1.strip():
            wire = _party_wire(party)
            options.addresses.append(AddressOption(QUOTE_ADDRESS, "The address on the quote", address_lines(wire), wire))
        delivered = {as_int(r.get("address_id")) for r in
                     self.outbox.delivered_results(kind=postal_address.KIND, contact_id=user.contact_id)} - {0}
        shown: set[int] = set()
        try:
            contact = await self.bp.contacts.with_addresses(user.contact_id)
        except BrightpearlError as error:
            log_degraded("checkout addresses", error)
            options.unavailable["addresses"] = "Your saved addresses cannot be shown right now."
            contact = None
        if contact is not None:
            found: dict[int, PostalAddress] = dict(contact.postal_addresses)
            linked = set(found) | delivered
            default = contact.post_address_ids.get("DEL")
            for address in sorted(found.values(), key=lambda a: (a.id != default, a.id)):
                if not may_see_address(user, contact, address, linked_ids=linked):
                    continue
                wire = _address_wire(_postal_wire(address), name, company, user.email)
                shown.add(address.id)
                if _same_place(wire, options.addresses):
                    continue  # the quote's own address, saved too: offered once
                label = "Your default delivery address" if address.id == default else "Saved address"
                options.addresses.append(AddressOption(f"address-{address.id}", label, address_lines(wire), wire))
        for item in self.outbox.open_items(kind=postal_address.KIND, contact_id=user.contact_id):
            if as_int(item.result.get("address_id")) in shown:
                continue
            wire = _address_wire(item.payload.get("address", {}), name, company, user.email)
            options.addresses.append(AddressOption(f"pending-{item.id}", "Added recently", address_lines(wire), wire))

    async def _shipping(self, quote: Quote, options: Options) -> None:
        offered = self.reader.order_defaults.current().shipping_method_ids
        if not offered:
            return
        try:
            methods = await self.bp.warehouse.shipping_methods()
        except BrightpearlError as error:
            log_degraded("checkout shipping", error)
            options.unavailable["shipping"] = "The delivery methods cannot be shown right now: we use the quote's."
            return
        options.shipping = [(i, methods[i].name or f"Method {i}") for i in offered if i in methods]

    async def _payments(self, quote: Quote, options: Options) -> None:
        defaults = self.reader.order_defaults.current()
        currency = quote.order.currency_code
        found: list[PaymentOption] = []
        if defaults.on_account:
            found.append(await self._on_account(quote))
        if defaults.payment_method_codes:
            try:
                methods = await self.bp.accounting.payment_methods()
            except BrightpearlError as error:
                log_degraded("checkout payment methods", error)
                options.unavailable["payments"] = "Some ways to pay cannot be shown right now."
                methods = {}
            for code in defaults.payment_method_codes:
                method = methods.get(code)
                if method is not None and method.takes(currency):
                    found.append(PaymentOption(code, method.name or code))
        options.payments = found

    async def _on_account(self, quote: Quote) -> PaymentOption:
        """On account, with why it cannot be chosen when the credit left does not cover the quote."""
        total, currency = quote.order.total, quote.order.currency_code
        try:
            contact, price_lists = await asyncio.gather(
                self.bp.contacts.one(self.user.contact_id), self.bp.products.price_lists()
            )
            account = account_currency(contact, price_lists) if contact is not None else None
            if contact is None or account is None:
                return PaymentOption(ON_ACCOUNT, ON_ACCOUNT_LABEL, "Your account's credit cannot be checked: choose another way to pay.")
            if account.code != currency:
                return PaymentOption(ON_ACCOUNT, ON_ACCOUNT_LABEL,
                                     f"Your account is kept in {account.code} and this quote is in {currency}: it cannot go on account.")
            balance = await self.bp.accounting.balance(contact.id, account.code)
        except BrightpearlError as error:
            log_degraded("checkout credit", error)
            return PaymentOption(ON_ACCOUNT, ON_ACCOUNT_LABEL, "We cannot check your credit right now: choose another way to pay, or try again later.")
        credit = Credit(currency=account.code, limit=contact.credit_limit, balance=balance if balance is not None else Decimal(0))
        if not credit.has_limit:
            return PaymentOption(ON_ACCOUNT, ON_ACCOUNT_LABEL, "Your account has no credit limit with us, so orders cannot go on account.")
        left = credit.available or Decimal(0)
        detail = f"Credit left: {money(left, account.code)}"
        if left < total:
            return PaymentOption(ON_ACCOUNT, ON_ACCOUNT_LABEL,
                                 f"Your credit left ({money(left, account.code)}) does not cover this order ({money(total, currency)}).",
                                 detail)
        return PaymentOption(ON_ACCOUNT, ON_ACCOUNT_LABEL, None, detail)

    # --- the steps --------------------------------------------------------------------------------
    async def choose_delivery(self, draft: Draft, form: DeliveryForm, options: Options, ip: str) -> Draft:
        """Record the delivery step. A new address is added to the address book too (queued,
        delivered to Brightpearl as on the address page)."""
        if form.address == NEW_ADDRESS and form.new_address is not None:
            new = form.new_address
            book = AddressBook(self.bp, self.outbox, self.audit, self.user)
            # The checkout's key, so the step sent twice adds the address once.
            new.idem_key = f"checkout-{draft.idem_key}-address"
            try:
                await book.add(new, (await book.load()).known_max_id, ip)
            except OutboxConflict:
                pass  # the same step sent again with another address: the first one is in the book
            party = draft_party(self.user, options)
            wire = _address_wire(new.wire(), party[0], party[1], self.user.email)
        else:
            chosen = next(a for a in options.addresses if a.key == form.address)
            wire = dict(chosen.wire)
        shipping_name = dict(options.shipping).get(form.shipping_method_id or 0, "")
        return self.drafts.choose(draft, address=form.address, delivery_address=wire,
                                  shipping_method_id=form.shipping_method_id, shipping_name=shipping_name)

    def choose_payment(self, draft: Draft, form: PaymentForm, options: Options) -> Draft:
        label = next((p.label for p in options.payments if p.code == form.payment), "")
        return self.drafts.choose(draft, payment_label=label, **form.choices())

    # --- confirming ---------------------------------------------------------------------------------
    def placed_checkout(self, quote_id: int) -> Draft | None:
        """This login's confirmed checkout of the quote, if there is one."""
        return self.drafts.placed_for(self.user, quote_id)

    async def place(self, draft: Draft, quote: Quote, ip: str) -> Placed | Changed | AlreadyPlaced:
        """Commit the order to the outbox (once per checkout key, once per quote) and try it once."""
        if draft.confirmed:
            return Placed(draft, self.outbox.get(draft.outbox_id or 0))
        if not unchanged(draft.fingerprint, quote.order):
            names = {i: s.name for i, s in (await self.bp.orders.statuses()).items()}
            changes = differences(draft.fingerprint, quote.order, status_names=names)
            return Changed(self.drafts.review_again(draft, snapshot(quote.order)), changes)
        kind, payload = await self._order(draft, quote)
        user, key = self.user, f"checkout:{draft.idem_key}"
        db = self.drafts.db

        def audited() -> None:
            # In the outbox's transaction: the order, its audit row and the checkout's
            # "confirmed" are committed together or not at all. A quote is placed once, whichever
            # tab or login of the customer confirms it first.
            other = list(db.query(
                "select id, user_id from checkouts where contact_id = ? and quote_id = ? and outbox_id is not null and id != ?",
                [draft.contact_id, quote.order.id, draft.id],
            ))
            if other:
                raise AlreadyPlaced(other[0]["id"], other[0]["user_id"])
            self.audit.record(AUDIT_ACTION, actor_user_id=user.id, actor_email=user.email, ip=ip,
                              target=f"order:{quote.order.id}",
                              detail={"kind": kind, "ref": payload["ref"], "payment": draft.choices.get("payment", "")})
            db.execute(
                "update checkouts set outbox_id = (select id from outbox where user_id = ? and idem_key = ?), "
                "confirmed_at = datetime('now') where id = ? and outbox_id is null",
                [user.id, key, draft.id],
            )

        try:
            item = self.outbox.submit(user_id=user.id, contact_id=user.contact_id, kind=kind, idem_key=key,
                                      payload=payload, target_id=quote.order.id, audit=audited)
        except AlreadyPlaced as placed:
            return placed
        except OutboxConflict:
            # The same checkout confirmed at once from elsewhere with another reading: that one stands.
            item = self.outbox.by_key(user_id=user.id, idem_key=key)
            assert item is not None
        item = await self.outbox.deliver_now(item)
        return Placed(self.drafts.reload(draft), item)

    async def _order(self, draft: Draft, quote: Quote) -> tuple[str, dict[str, Any]]:
        """The outbox kind and payload that place this checkout, as the admin chose."""
        stored = self.reader.order_defaults.current()
        effective = await self._effective_defaults()
        choices = draft.choices
        order = quote.order
        ref = quote_acceptance.portal_ref(self.user.id, draft.idem_key)
        author = self.user.name or self.user.email
        shipping_id = as_int(choices.get("shipping_method_id")) or None
        summary = self.summary(draft, quote)
        if stored.quote_placement == NEW_ORDER:
            payload = sales_order.sales_order_payload(
                quote=order, ref=ref, customer_id=order.customer_contact_id, status_id=effective.portal_order_status_id,
                converted_status_id=effective.quote_converted_status_id or order.status_id, author=author,
                delivery_address=choices.get("delivery_address"), shipping_method_id=shipping_id or order.shipping_method_id or None,
                po_reference=str(choices.get("po_reference", "")), channel_id=effective.channel_id,
                warehouse_id=effective.warehouse_id, price_list_id=effective.price_list_id,
                lead_source_id=effective.lead_source_id, project_id=effective.project_id, fingerprint=draft.fingerprint,
            )
            payload["order_note"] = quote_acceptance.acceptance_note(
                author=author, po_reference=str(choices.get("po_reference", "")),
                payment_method=str(choices.get("payment_label", "")),
                delivery_instructions=str(choices.get("instructions", "")),
            ).replace("Quote accepted online.", f"Placed online from quote {order.id}.", 1)
            return sales_order.KIND, {**payload, "summary": summary}
        changed = self._changed_address(quote, choices)
        shipping_name = summary.get("shipping", "") if shipping_id and shipping_id != order.shipping_method_id else ""
        note = quote_acceptance.acceptance_note(
            author=author, po_reference=str(choices.get("po_reference", "")),
            payment_method=str(choices.get("payment_label", "")),
            delivery_instructions=str(choices.get("instructions", "")), changed_delivery_address=changed,
            shipping_method=shipping_name,
        )
        status = effective.quote_accepted_status_id or order.status_id
        payload = quote_acceptance.acceptance_payload(quote=order, ref=ref, status_id=status, note=note, author=author,
                                                      fingerprint=draft.fingerprint)
        return quote_acceptance.KIND, {**payload, "summary": summary}

    def _changed_address(self, quote: Quote, choices: Mapping[str, Any]) -> Sequence[str]:
        """The chosen delivery address's lines when they are not the quote's own (else none)."""
        wire = choices.get("delivery_address") or {}
        if choices.get("address") == QUOTE_ADDRESS or not wire:
            return ()
        chosen = address_lines(wire)
        own = address_lines(_party_wire(quote.order.delivery))
        same = [line.casefold() for line in chosen] == [line.casefold() for line in own]
        return () if same else (wire.get("addressFullName", ""), wire.get("companyName", ""), *chosen)

    def summary(self, draft: Draft, quote: Quote) -> dict[str, Any]:
        """What the confirmation page and mails say of the order (kept with the outbox item)."""
        order, choices = quote.order, draft.choices
        lines = quote.lines
        return {
            "quote_id": order.id,
            "currency": order.currency_code,
            "lines": [
                {"name": line.row.name, "sku": line.row.sku, "quantity": f"{line.row.quantity.normalize():f}", "amount": str(line.amount)}
                for line in lines.lines
            ],
            "net": str(order.net), "tax": str(order.tax), "total": str(order.total),
            "address": list(address_lines(choices.get("delivery_address") or {})),
            "shipping": str(choices.get("shipping_name", "")),
            "payment": str(choices.get("payment_label", "")),
            "po_reference": str(choices.get("po_reference", "")),
            "instructions": str(choices.get("instructions", "")),
            "company": order.party.company or order.delivery.company,
            # Accepted in place, a new delivery address is a note for staff to apply.
            "address_changed": self.placement != NEW_ORDER and bool(self._changed_address(quote, choices)),
        }

    def placed(self, item: OutboxItem) -> dict[str, Any]:
        """What the confirmation page says of the order: its state (OutboxItem.progress), the
        number Brightpearl gave a new order, whether the quote changed before it was taken."""
        outcome = item.result.get("outcome", "")
        return {
            "state": item.progress,
            "new_order": item.kind == sales_order.KIND,
            "order_id": as_int(item.result.get("order_id")) or None,
            "quote_changed": item.state == "failed" and outcome == quote_acceptance.QUOTE_CHANGED,
            "quote_gone": item.state == "failed" and outcome == quote_acceptance.QUOTE_GONE,
        }

    def changes(self, item: OutboxItem) -> list[Difference]:
        """What changed in the quote, when Brightpearl's copy no longer matched the confirmed one."""
        if item.state != "failed" or item.result.get("outcome") != quote_acceptance.QUOTE_CHANGED:
            return []
        return differences(item.payload.get("fingerprint") or {}, item.result.get("seen") or {})

    def item(self, draft: Draft) -> OutboxItem | None:
        return self.outbox.get(draft.outbox_id) if draft.outbox_id else None

    async def again(self, draft: Draft) -> Draft:
        """After Brightpearl refused the order because the quote had changed: the refused item
        is set aside (abandoned, with the reason) and the checkout reopens for the quote as it
        is now, under a new key."""
        item = self.item(draft)
        if item is None or item.state != "failed" or item.result.get("outcome") != quote_acceptance.QUOTE_CHANGED:
            return draft
        self.outbox.abandon(item.id, "the quote changed in Brightpearl; the customer reviews it again")
        return self.drafts.again(draft, item.result.get("seen") or {})


def _same_place(wire: Mapping[str, str], offered: Sequence[AddressOption]) -> bool:
    """True when an address with the same lines (ignoring case) is offered already."""
    lines = [line.casefold() for line in address_lines(wire)]
    return any([line.casefold() for line in option.lines] == lines for option in offered)


def _postal_wire(address: PostalAddress) -> dict[str, str]:
    iso3 = address.country_iso3 if address.country_iso3.upper() in BY_ISO3 else (
        BY_ISO2[address.country_iso2.upper()].iso3 if address.country_iso2.upper() in BY_ISO2 else address.country_iso3)
    return {"addressLine1": address.line1, "addressLine2": address.line2, "addressLine3": address.line3,
            "addressLine4": address.line4, "postalCode": address.postal_code, "countryIsoCode": iso3}


def draft_party(user: User, options: Options) -> tuple[str, str]:
    """The name and company a new delivery address is for: those of the quote's address."""
    quote_address = next((a for a in options.addresses if a.key == QUOTE_ADDRESS), None)
    if quote_address is not None:
        return quote_address.wire.get("addressFullName", "") or user.name, quote_address.wire.get("companyName", "")
    return user.name, ""
