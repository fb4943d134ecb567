"""The order defaults section of the admin area: how the portal places orders in Brightpearl
(channel, warehouse, price-list fallback, lead source, project, the statuses of an accepted
quote and of an order placed from the portal, the merchant's notification address), and the
carrier tracking link of each shipping method.

Brightpearl's lists (channels, warehouses, price lists, order statuses, shipping methods) are
the page's essential data: an admin chooses from them, and without them a choice cannot be
checked, so when Brightpearl cannot answer the page is the error page ("Brightpearl is not
answering right now") and nothing changes. Left unset, each choice follows Brightpearl
(portal.domain.order_defaults): the demo works untouched. Lead source and project have no list
in Brightpearl's API (API-ADDENDUM §C.1: `leadSourceId`, `projectId`, int or null): they are
numbers the admin copies from Brightpearl, optional.

Quotes and checkout: how an accepted quote reaches Brightpearl (accepted in place, or placed as
a new sales order), the statuses of a converted, a changes-requested and a declined quote, the
custom field holding a quote's last day, and what the checkout offers: Brightpearl's active
payment methods (accounting-service/payment-method, API-ADDENDUM D.1), "on account" within the
customer's credit, and the shipping methods a customer may choose (none: the quote's own).

The tracking patterns are the ones the CLI sets (`portal tracking set`, portal.core.tracking),
validated by the same code. Every change is audited.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import PaymentMethod, ShippingMethod
from portal.core.audit import Audit
from portal.core.order_defaults import (
    ACCEPT_IN_PLACE,
    DEFAULT_QUOTE_VALIDITY_DAYS,
    MAX_CHOICES,
    MAX_FIELD_CODE,
    MAX_ID,
    MAX_QUOTE_TERMS,
    MAX_QUOTE_VALIDITY_DAYS,
    PLACEMENTS,
    OrderDefaults,
    OrderDefaultsStore,
)
from portal.core.site_settings import SiteSettings
from portal.core.tracking import MAX_PATTERN_LENGTH, PLACEHOLDER, TrackingPatternError, TrackingPatterns
from portal.core.users import EMAIL, User, normalise_email
from portal.domain.order_defaults import (
    QUOTE_STATUS_FIELDS,
    EffectiveOrderDefaults,
    OrderLists,
    brightpearl_defaults,
    resolve,
)
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import valid_id, with_query
from portal.web.rendering import page

from .section import Section

MAX_EMAIL = 320
DONE = {
    "saved": "The order defaults are saved: the next order the portal places uses them.",
    "unchanged": "Nothing changed.",
    "pattern_set": "The tracking link is saved: shipments of this method link to the carrier.",
    "pattern_removed": "The tracking link is removed: the reference is shown as text.",
}
# The form's fields: chosen from Brightpearl's lists, and ids typed as numbers.
SELECTS = ("channel_id", "warehouse_id", "price_list_id", "quote_accepted_status_id", "portal_order_status_id",
           *QUOTE_STATUS_FIELDS)
NUMBERS = ("lead_source_id", "project_id")
# Checkboxes: a field that may come many times, and the hidden field saying the form had them
# (a browser sends nothing for an unticked box, so without it "none ticked" and "not in the
# form" would look the same: a form without the boxes keeps what is stored).
MULTI = ("payment_method_codes", "shipping_method_ids")
CHECKOUT_MARK = "checkout_form"
FIELD_CODE = re.compile(rf"[A-Za-z0-9_]{{1,{MAX_FIELD_CODE}}}")
LABELS = {
    "channel_id": "Channel",
    "warehouse_id": "Warehouse",
    "price_list_id": "Price list when the customer's account names none",
    "quote_accepted_status_id": "Status of a quote the customer accepts",
    "portal_order_status_id": "Status of an order placed from the portal",
    "lead_source_id": "Lead source id",
    "project_id": "Project id",
    "notification_email": "Notification email",
    "quote_validity_days": "Days a quote stands",
    "quote_terms": "Terms printed on quotes",
    "quote_placement": "How an accepted quote is placed",
    "quote_converted_status_id": "Status of a quote a new order was placed from",
    "quote_changes_status_id": "Status of a quote the customer asks to change",
    "quote_declined_status_id": "Status of a quote the customer declines",
    "quote_valid_until_field": "Custom field with the quote’s last day",
    "payment_method_codes": "Payment methods offered at checkout",
    "shipping_method_ids": "Shipping methods the customer may choose",
}
PAYMENT_REQUIRED = "Offer at least one way to pay: tick a payment method or “On account”."


@dataclass(frozen=True)
class CheckoutLists:
    """Brightpearl's payment and shipping methods the checkout choices are made from."""

    payment_methods: Mapping[str, PaymentMethod]
    shipping_methods: Mapping[int, ShippingMethod]

    def offerable(self) -> list[PaymentMethod]:
        """The active payment methods, by name (an inactive one takes no payment)."""
        return sorted((m for m in self.payment_methods.values() if m.active), key=lambda m: m.name.casefold())

    def inactive(self) -> list[PaymentMethod]:
        return sorted((m for m in self.payment_methods.values() if not m.active), key=lambda m: m.name.casefold())

    def methods(self) -> list[ShippingMethod]:
        """The shipping methods, by name."""
        return sorted(self.shipping_methods.values(), key=lambda m: m.name.casefold())


@dataclass(frozen=True)
class DefaultsForm:
    """What the form shows: the values (as typed) and the errors by field."""

    values: Mapping[str, object]  # text; a list of text for MULTI fields; "1" or "" for on_account
    errors: Mapping[str, str]


@dataclass
class OrderDefaultsAdmin:
    """What the order defaults and tracking pages read and do, for the admin asking."""

    bp: Brightpearl
    store: OrderDefaultsStore
    tracking: TrackingPatterns
    audit: Audit
    user: User

    async def lists(self) -> OrderLists:
        """Brightpearl's lists (essential: a failure is the error page)."""
        channels, warehouses, price_lists, statuses = await asyncio.gather(
            self.bp.products.channels(), self.bp.warehouse.warehouses(), self.bp.products.price_lists(),
            self.bp.orders.statuses(),
        )
        return OrderLists(channels=channels, warehouses=warehouses, price_lists=price_lists, statuses=statuses)

    async def checkout_lists(self) -> CheckoutLists:
        """Brightpearl's payment and shipping methods (essential, as `lists`)."""
        payment_methods, shipping_methods = await asyncio.gather(
            self.bp.accounting.payment_methods(), self.bp.warehouse.shipping_methods())
        return CheckoutLists(payment_methods=payment_methods, shipping_methods=shipping_methods)

    async def all_lists(self) -> tuple[OrderLists, CheckoutLists]:
        """Every list the page chooses from, read at once."""
        return await asyncio.gather(self.lists(), self.checkout_lists())

    def stored(self) -> OrderDefaults:
        return self.store.current()

    def form_of(self, defaults: OrderDefaults) -> DefaultsForm:
        return DefaultsForm(values={f.name: _shown(getattr(defaults, f.name)) for f in fields(OrderDefaults)}, errors={})

    def parse(self, form: Mapping[str, str | Sequence[str]], lists: OrderLists,
              checkout: CheckoutLists | None = None) -> tuple[OrderDefaults | None, DefaultsForm]:
        """The defaults the form asks for, or None with the errors beside the fields. `form`
        holds text by name, and a list of text for the MULTI fields."""
        checkout = checkout or CheckoutLists(payment_methods={}, shipping_methods={})
        values: dict[str, Any] = {
            name: str(form.get(name, "")).strip()[:400]
            for name in (*SELECTS, *NUMBERS, "notification_email", "quote_validity_days", "quote_placement",
                         "quote_valid_until_field")}
        values["quote_terms"] = str(form.get("quote_terms", "")).replace("\r\n", "\n").strip()[: MAX_QUOTE_TERMS * 2]
        errors: dict[str, str] = {}
        parsed: dict[str, object] = {}
        choices = {
            "channel_id": (set(lists.channels), "Choose one of Brightpearl's channels listed."),
            "warehouse_id": (set(lists.warehouses), "Choose one of Brightpearl's warehouses listed."),
            "price_list_id": ({p.id for p in lists.selling_price_lists()}, "Choose one of the selling price lists listed."),
            "quote_accepted_status_id": ({s.id for s in lists.sales_statuses()}, "Choose one of the sales order statuses listed."),
            "portal_order_status_id": ({s.id for s in lists.sales_statuses()}, "Choose one of the sales order statuses listed."),
            **{name: ({s.id for s in lists.sales_statuses()}, "Choose one of the sales order statuses listed.")
               for name in QUOTE_STATUS_FIELDS},
        }
        for name, (known, message) in choices.items():
            text = values[name]
            if not text:
                parsed[name] = None
            elif text.isdigit() and int(text) in known:
                parsed[name] = int(text)
            else:
                errors[name] = message
        for name in NUMBERS:
            text = values[name]
            if not text:
                parsed[name] = None
            elif text.isdigit() and 0 < int(text) < MAX_ID:
                parsed[name] = int(text)
            else:
                errors[name] = "Enter Brightpearl's id, a whole number from 1, or leave it empty."
        email = values["notification_email"]
        if email and (len(email) > MAX_EMAIL or not EMAIL.match(normalise_email(email))):
            errors["notification_email"] = "Enter an email address like orders@example.com, or leave it empty."
        parsed["notification_email"] = normalise_email(email) if email else ""
        days = values["quote_validity_days"]
        if not days:
            parsed["quote_validity_days"] = DEFAULT_QUOTE_VALIDITY_DAYS
        elif days.isdigit() and 0 < int(days) <= MAX_QUOTE_VALIDITY_DAYS:
            parsed["quote_validity_days"] = int(days)
        else:
            errors["quote_validity_days"] = f"Enter a number of days from 1 to {MAX_QUOTE_VALIDITY_DAYS}, or leave it empty for {DEFAULT_QUOTE_VALIDITY_DAYS}."
        if len(values["quote_terms"]) > MAX_QUOTE_TERMS:
            errors["quote_terms"] = f"Keep the terms to {MAX_QUOTE_TERMS} characters (they are {len(values['quote_terms'])})."
        parsed["quote_terms"] = values["quote_terms"]
        if "warehouse_id" not in errors and parsed.get("warehouse_id") and "channel_id" not in errors:
            channel = lists.channels.get(parsed.get("channel_id") or brightpearl_defaults(lists)["channel_id"] or 0)
            if channel and channel.warehouse_ids and parsed["warehouse_id"] not in channel.warehouse_ids:
                names = ", ".join(lists.warehouses[w].name for w in channel.warehouse_ids if w in lists.warehouses)
                errors["warehouse_id"] = f"The channel {channel.name} ships from {names or 'other warehouses'}: choose one of those."
        parsed |= _quote_choices(values, errors)
        values |= _checkout_values(form, self.store.current(), checkout)
        parsed |= _checkout_choices(values, checkout, errors)
        form_view = DefaultsForm(values=values, errors=errors)
        if errors:
            return None, form_view
        return OrderDefaults(**parsed), form_view  # type: ignore[arg-type]

    def save(self, defaults: OrderDefaults, *, ip: str) -> str:
        before = self.store.current()
        changed = {f.name: [getattr(before, f.name), getattr(defaults, f.name)] for f in fields(OrderDefaults)
                   if getattr(before, f.name) != getattr(defaults, f.name)}
        if not changed:
            return "unchanged"
        self.store.save(defaults)
        self.audit.record("order_defaults_changed", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target="settings:order_defaults", detail={"changed": changed})
        return "saved"

    # --- carrier tracking links ---------------------------------------------------------------
    async def methods(self) -> Mapping[int, ShippingMethod]:
        """Brightpearl's shipping methods (essential)."""
        return await self.bp.warehouse.shipping_methods()

    def patterns(self) -> dict[int, str]:
        return self.tracking.all()

    def set_pattern(self, method_id: int, pattern: str, *, ip: str) -> None:
        """Store the pattern (TrackingPatternError says why not)."""
        previous = self.tracking.all().get(method_id)
        stored = self.tracking.set(method_id, pattern)
        self.audit.record("tracking_pattern_set", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"shipping_method:{method_id}", detail={"pattern": stored, "previous": previous})

    def remove_pattern(self, method_id: int, *, ip: str) -> bool:
        previous = self.tracking.all().get(method_id)
        removed = self.tracking.unset(method_id)
        if removed:
            self.audit.record("tracking_pattern_removed", actor_user_id=self.user.id, actor_email=self.user.email,
                              ip=ip, target=f"shipping_method:{method_id}", detail={"previous": previous})
        return removed


def _shown(value: object) -> object:
    """A stored value as the form shows it: text, a list of text, "1"/"" for a flag."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, tuple):
        return [str(item) for item in value]
    return str(value)


def _quote_choices(values: Mapping[str, object], errors: dict[str, str]) -> dict[str, object]:
    """How an accepted quote is placed and the custom field of its last day, from the form
    (errors added to `errors`)."""
    parsed: dict[str, object] = {}
    placement = str(values["quote_placement"])
    if placement and placement not in PLACEMENTS:
        errors["quote_placement"] = "Choose one of the two ways listed."
    parsed["quote_placement"] = placement or ACCEPT_IN_PLACE
    code = str(values["quote_valid_until_field"])
    if code and not FIELD_CODE.fullmatch(code):
        errors["quote_valid_until_field"] = (f"Enter the field’s code as Brightpearl shows it (letters, digits and _, "
                                             f"up to {MAX_FIELD_CODE}), like PCF_VALIDTO, or leave it empty.")
    parsed["quote_valid_until_field"] = code
    return parsed


def _checkout_values(form: Mapping[str, str | Sequence[str]], stored: OrderDefaults,
                     checkout: CheckoutLists) -> dict[str, object]:
    """The checkboxes as the form sent them; when the form had none of them, what is stored
    (less what Brightpearl no longer offers, which the form would not have shown either)."""
    if CHECKOUT_MARK not in form:
        offerable = {m.code for m in checkout.offerable()}
        return {"payment_method_codes": [c for c in stored.payment_method_codes if c in offerable],
                "shipping_method_ids": [str(i) for i in stored.shipping_method_ids if i in checkout.shipping_methods],
                "on_account": _shown(stored.on_account)}

    def many(name: str) -> list[str]:
        raw = form.get(name) or []
        items = [raw] if isinstance(raw, str) else list(raw)
        return [str(item).strip()[:400] for item in items if str(item).strip()][: MAX_CHOICES * 2]

    return {"payment_method_codes": many("payment_method_codes"), "shipping_method_ids": many("shipping_method_ids"),
            "on_account": "1" if form.get("on_account") else ""}


def _checkout_choices(values: Mapping[str, object], checkout: CheckoutLists,
                      errors: dict[str, str]) -> dict[str, object]:
    """The payment methods, "on account" and shipping methods offered (errors added to `errors`)."""
    codes = list(dict.fromkeys(values["payment_method_codes"]))  # type: ignore[call-overload]
    offerable = {m.code for m in checkout.offerable()}
    on_account = values["on_account"] == "1"
    if any(code not in offerable for code in codes) or len(codes) > MAX_CHOICES:
        errors["payment_method_codes"] = "Choose among the active payment methods listed."
    elif not codes and not on_account:
        errors["payment_method_codes"] = PAYMENT_REQUIRED
    ids = list(dict.fromkeys(values["shipping_method_ids"]))  # type: ignore[call-overload]
    if any(not i.isdigit() or int(i) not in checkout.shipping_methods for i in ids) or len(ids) > MAX_CHOICES:
        errors["shipping_method_ids"] = "Choose among Brightpearl’s shipping methods listed."
        ids = []
    return {"payment_method_codes": tuple(codes), "on_account": on_account,
            "shipping_method_ids": tuple(int(i) for i in ids)}


def section(*, bp: Brightpearl, site_settings: SiteSettings, tracking: TrackingPatterns, audit: Audit,
            order_defaults: OrderDefaultsStore | None = None) -> Section:
    store = order_defaults if order_defaults is not None else OrderDefaultsStore(site_settings)
    return Section(
        handlers=(order_defaults_page, order_defaults_save, tracking_page, tracking_set, tracking_remove),
        services={"order_defaults_admin": for_user(partial(OrderDefaultsAdmin, bp, store, tracking, audit))},
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def _name(items: Mapping, item_id: int | None) -> str:
    item = items.get(item_id) if item_id else None
    if item is not None:
        return item.name
    return f"id {item_id}" if item_id else "none in Brightpearl"


def _choices(lists: OrderLists, automatic: Mapping[str, int | None], effective: EffectiveOrderDefaults) -> dict[str, dict]:
    """Each select of the form: its options (value, text) and the text of its blank option,
    which names what Brightpearl's default is (for a quote's statuses, what `resolve` does
    when Brightpearl has no status of that name)."""

    def options(items) -> list[tuple[str, str]]:
        return [(str(item.id), f"{item.name} (id {item.id})") for item in items]

    statuses = options(lists.sales_statuses())
    found = {
        "channel_id": options(lists.channels.values()),
        "warehouse_id": options(lists.warehouses.values()),
        "price_list_id": [(str(p.id), f"{p.name} ({p.currency_code}, id {p.id})" if p.currency_code else f"{p.name} (id {p.id})")
                          for p in lists.selling_price_lists()],
        "quote_accepted_status_id": statuses,
        "portal_order_status_id": statuses,
    }
    source = {"channel_id": lists.channels, "warehouse_id": lists.warehouses, "price_list_id": lists.price_lists,
              "quote_accepted_status_id": lists.statuses, "portal_order_status_id": lists.statuses}
    choices = {name: {"options": found[name], "blank": f"Default: {_name(source[name], automatic[name])}"}
               for name in found}
    accepted = _name(lists.statuses, effective.quote_accepted_status_id)
    for name in QUOTE_STATUS_FIELDS:
        status_id = automatic[name]
        if status_id is not None:
            blank = f"Default: {_name(lists.statuses, status_id)}"
        elif name == "quote_converted_status_id":
            blank = f"Default: {accepted} (the accepted status)"
        else:
            blank = "Default: none, a note only"
        choices[name] = {"options": statuses, "blank": blank}
    return choices


def _status_names(lists: OrderLists, effective: EffectiveOrderDefaults) -> dict[str, str]:
    """What each status field of the summary says: the status in effect, or that there is none."""
    names = {name: _name(lists.statuses, getattr(effective, name))
             for name in ("quote_accepted_status_id", "portal_order_status_id", *QUOTE_STATUS_FIELDS)}
    for name in ("quote_changes_status_id", "quote_declined_status_id"):
        if getattr(effective, name) is None:
            names[name] = "none: a note on the quote only"
    return names


@dataclass(frozen=True)
class CheckoutSummary:
    """What the checkout offers now, by name, and the saved choices Brightpearl no longer offers."""

    payment: tuple[str, ...]
    shipping: tuple[str, ...]
    gone: tuple[str, ...]


def _checkout_summary(stored: OrderDefaults, checkout: CheckoutLists) -> CheckoutSummary:
    offerable = {m.code: m for m in checkout.offerable()}
    payment = [offerable[c].name or c for c in stored.payment_method_codes if c in offerable]
    if stored.on_account:
        payment.append("on account")
    shipping = [checkout.shipping_methods[i].name for i in stored.shipping_method_ids if i in checkout.shipping_methods]
    gone = [f"payment method {c}" for c in stored.payment_method_codes if c not in offerable]
    gone += [f"shipping method id {i}" for i in stored.shipping_method_ids if i not in checkout.shipping_methods]
    return CheckoutSummary(payment=tuple(payment), shipping=tuple(shipping), gone=tuple(gone))


async def _defaults_page(request: Request, admin: OrderDefaultsAdmin, form: DefaultsForm | None = None,
                         status: int = 200) -> Template:
    lists, checkout = await admin.all_lists()
    stored = admin.stored()
    effective: EffectiveOrderDefaults = resolve(stored, lists)
    if form is None:
        form = admin.form_of(stored)
    chosen_channel = int(form.values["channel_id"]) if str(form.values.get("channel_id", "")).isdigit() else None
    automatic = brightpearl_defaults(lists, chosen_channel)
    names = {
        "channel_id": _name(lists.channels, effective.channel_id),
        "warehouse_id": _name(lists.warehouses, effective.warehouse_id),
        "price_list_id": _name(lists.price_lists, effective.price_list_id),
        **_status_names(lists, effective),
    }
    return page(request, "views/admin/order_defaults.html", status_code=status, form=form, effective=effective, stored=stored,
                names=names, choices=_choices(lists, automatic, effective), labels=LABELS, checkout=checkout,
                checkout_summary=_checkout_summary(stored, checkout), checkout_mark=CHECKOUT_MARK,
                max_field_code=MAX_FIELD_CODE,
                first_error=next((name for name in LABELS if name in form.errors), None),
                done=None if form.errors else _done(request), max_email=MAX_EMAIL,
                max_validity=MAX_QUOTE_VALIDITY_DAYS, max_terms=MAX_QUOTE_TERMS)


@get("/admin/orders", name="admin_order_defaults")
async def order_defaults_page(request: Request, order_defaults_admin: NamedDependency[OrderDefaultsAdmin]) -> Template:
    return await _defaults_page(request, order_defaults_admin)


@post("/admin/orders", name="admin_order_defaults_save", status_code=200)
async def order_defaults_save(request: Request, order_defaults_admin: NamedDependency[OrderDefaultsAdmin]) -> Template | Response:
    admin = order_defaults_admin
    data = await request.form()
    lists, checkout = await admin.all_lists()
    form_data = {k: data.getall(k) if k in MULTI else str(data.get(k)) for k in data}
    defaults, form = admin.parse(form_data, lists, checkout)
    if defaults is None:
        return await _defaults_page(request, admin, form, status=400)
    done = admin.save(defaults, ip=_client(request))
    return go(request, with_query(request.app.route_reverse("admin_order_defaults"), {"done": done}))


async def _tracking_page(request: Request, admin: OrderDefaultsAdmin, *, error: str | None = None,
                         error_method: int | None = None, typed: str = "", status: int = 200) -> Template:
    methods = await admin.methods()
    patterns = admin.patterns()
    rows = [(m.id, m.name, m.carrier, patterns.get(m.id)) for m in sorted(methods.values(), key=lambda m: m.name.casefold())]
    # Patterns of methods Brightpearl no longer has stay removable.
    orphans = [(method_id, pattern) for method_id, pattern in sorted(patterns.items()) if method_id not in methods]
    return page(request, "views/admin/tracking.html", status_code=status, rows=rows, orphans=orphans,
                error=error, error_method=error_method, typed=typed, done=None if error else _done(request),
                placeholder=PLACEHOLDER, max_pattern=MAX_PATTERN_LENGTH)


@get("/admin/orders/tracking", name="admin_tracking")
async def tracking_page(request: Request, order_defaults_admin: NamedDependency[OrderDefaultsAdmin]) -> Template:
    return await _tracking_page(request, order_defaults_admin)


@post("/admin/orders/tracking/{method_id:int}", name="admin_tracking_set", status_code=200)
async def tracking_set(request: Request, method_id: FromPath[int],
                       order_defaults_admin: NamedDependency[OrderDefaultsAdmin]) -> Template | Response:
    admin = order_defaults_admin
    method_id = valid_id(method_id)
    if method_id not in await admin.methods():
        raise NotFoundException()
    pattern = str((await request.form()).get("pattern", ""))[: MAX_PATTERN_LENGTH * 4]
    try:
        admin.set_pattern(method_id, pattern, ip=_client(request))
    except TrackingPatternError as error:
        message = str(error)
        message = f"{message[:1].upper()}{message[1:]}."
        return await _tracking_page(request, admin, error=message, error_method=method_id, typed=pattern, status=400)
    return go(request, with_query(request.app.route_reverse("admin_tracking"), {"done": "pattern_set"}))


@post("/admin/orders/tracking/{method_id:int}/remove", name="admin_tracking_remove", status_code=200)
async def tracking_remove(request: Request, method_id: FromPath[int],
                          order_defaults_admin: NamedDependency[OrderDefaultsAdmin]) -> Response:
    order_defaults_admin.remove_pattern(valid_id(method_id), ip=_client(request))
    return go(request, with_query(request.app.route_reverse("admin_tracking"), {"done": "pattern_removed"}))
