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

The tracking patterns are the ones the CLI sets (`portal tracking set`, portal.core.tracking),
validated by the same code. Every change is audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import partial

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import ShippingMethod
from portal.core.audit import Audit
from portal.core.order_defaults import (
    DEFAULT_QUOTE_VALIDITY_DAYS,
    MAX_ID,
    MAX_QUOTE_TERMS,
    MAX_QUOTE_VALIDITY_DAYS,
    OrderDefaults,
    OrderDefaultsStore,
)
from portal.core.site_settings import SiteSettings
from portal.core.tracking import MAX_PATTERN_LENGTH, PLACEHOLDER, TrackingPatternError, TrackingPatterns
from portal.core.users import EMAIL, User, normalise_email
from portal.domain.order_defaults import EffectiveOrderDefaults, OrderLists, brightpearl_defaults, resolve
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
SELECTS = ("channel_id", "warehouse_id", "price_list_id", "quote_accepted_status_id", "portal_order_status_id")
NUMBERS = ("lead_source_id", "project_id")
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
}


@dataclass(frozen=True)
class DefaultsForm:
    """What the form shows: the values (as typed) and the errors by field."""

    values: Mapping[str, str]
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

    def stored(self) -> OrderDefaults:
        return self.store.current()

    def form_of(self, defaults: OrderDefaults) -> DefaultsForm:
        values = {f.name: "" if getattr(defaults, f.name) is None else str(getattr(defaults, f.name))
                  for f in fields(OrderDefaults)}
        return DefaultsForm(values=values, errors={})

    def parse(self, form: Mapping[str, str], lists: OrderLists) -> tuple[OrderDefaults | None, DefaultsForm]:
        """The defaults the form asks for, or None with the errors beside the fields."""
        values = {name: str(form.get(name, "")).strip()[:400]
                  for name in (*SELECTS, *NUMBERS, "notification_email", "quote_validity_days")}
        values["quote_terms"] = str(form.get("quote_terms", "")).replace("\r\n", "\n").strip()[: MAX_QUOTE_TERMS * 2]
        errors: dict[str, str] = {}
        parsed: dict[str, object] = {}
        choices = {
            "channel_id": (set(lists.channels), "Choose one of Brightpearl's channels listed."),
            "warehouse_id": (set(lists.warehouses), "Choose one of Brightpearl's warehouses listed."),
            "price_list_id": ({p.id for p in lists.selling_price_lists()}, "Choose one of the selling price lists listed."),
            "quote_accepted_status_id": ({s.id for s in lists.sales_statuses()}, "Choose one of the sales order statuses listed."),
            "portal_order_status_id": ({s.id for s in lists.sales_statuses()}, "Choose one of the sales order statuses listed."),
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


def _choices(lists: OrderLists, automatic: Mapping[str, int | None]) -> dict[str, dict]:
    """Each select of the form: its options (value, text) and the text of its blank option,
    which names what Brightpearl's default is."""

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
    return {name: {"options": found[name], "blank": f"Default: {_name(source[name], automatic[name])}"}
            for name in found}


async def _defaults_page(request: Request, admin: OrderDefaultsAdmin, form: DefaultsForm | None = None,
                         status: int = 200) -> Template:
    lists = await admin.lists()
    stored = admin.stored()
    effective: EffectiveOrderDefaults = resolve(stored, lists)
    if form is None:
        form = admin.form_of(stored)
    chosen_channel = int(form.values["channel_id"]) if form.values.get("channel_id", "").isdigit() else None
    automatic = brightpearl_defaults(lists, chosen_channel)
    names = {
        "channel_id": _name(lists.channels, effective.channel_id),
        "warehouse_id": _name(lists.warehouses, effective.warehouse_id),
        "price_list_id": _name(lists.price_lists, effective.price_list_id),
        "quote_accepted_status_id": _name(lists.statuses, effective.quote_accepted_status_id),
        "portal_order_status_id": _name(lists.statuses, effective.portal_order_status_id),
    }
    return page(request, "views/admin/order_defaults.html", status_code=status, form=form, effective=effective, stored=stored,
                names=names, choices=_choices(lists, automatic), labels=LABELS,
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
    defaults, form = admin.parse({k: str(v) for k, v in data.items()}, await admin.lists())
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
