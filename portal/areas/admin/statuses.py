"""The statuses section of the admin area (/admin/statuses): what customers and suppliers see
of Brightpearl's order statuses.

Each status of the account (Brightpearl's status list, the page's essential data: without it
the page is the "Brightpearl can't be reached" error page) gets a label, a state (its colour;
"follows the order" by default for open statuses) and whether customers (suppliers, for
purchase orders) see its label. The defaults come from Brightpearl's flags
(portal.domain.status_labels), so the page starts filled in; a rule equal to its default is not
stored, and "Reset to defaults" forgets them all. Bad input (a label over 40 characters, a
state not in the list) re-renders the page with the message beside the field and stores
nothing; unknown status ids are ignored. Every save and reset is audited (`statuses_changed`).

Brightpearl calls: the status list (1 cold, 0 warm), shared with the order list and the
dashboard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Response, Template

from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.status_map import StatusMap
from portal.core.users import User
from portal.domain.status_labels import (
    FOLLOWING,
    MAX_LABEL,
    PURCHASE_CODES,
    SALES_CODES,
    STATE_CHOICES,
    STATE_NAMES,
    ParsedRules,
    StatusLabels,
    StatusRule,
    parse_rules,
    stored_form,
)
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

DONE = {
    "saved": "The statuses are saved: customers see the new labels now.",
    "unchanged": "Nothing was changed.",
    "reset": "Every status is back to its default.",
}
TYPE_NAMES = {"SO": "Sales order", "SC": "Sales credit", "PO": "Purchase order", "PC": "Purchase credit"}
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
# The most form fields read: three per status, with room for many custom statuses.
MAX_FIELDS = 3000


@dataclass
class StatusesAdmin:
    """What the statuses page reads and does, for the admin asking."""

    bp: Brightpearl
    status_map: StatusMap
    audit: Audit
    user: User

    async def labels(self) -> StatusLabels:
        """The rules of every status (the status list is the page's essential data)."""
        return self.status_map.derived(await self.bp.orders.statuses(), StatusLabels)

    async def save(self, form: Mapping[str, str], *, ip: str) -> ParsedRules:
        """Check the form and, when it has no error, store its rules; the parsed form."""
        parsed = parse_rules(await self.labels(), form)
        if parsed.errors or not parsed.changed:
            return parsed
        self.status_map.save(stored_form(parsed.rules))
        self.audit.record("statuses_changed", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target="statuses", detail={"changed": list(parsed.changed)})
        return parsed

    def reset(self, *, ip: str) -> None:
        stored = self.status_map.stored()
        ids = sorted(int(sid) for group in stored.values() for sid in group if str(sid).isdigit())
        self.status_map.reset()
        self.audit.record("statuses_changed", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target="statuses", detail={"changed": ids, "reset": True})


def section(*, bp: Brightpearl, site_settings: object = None, audit: Audit, status_map: StatusMap) -> Section:
    # site_settings: the rules live in it, through status_map (one per app, shared with the pages).
    return Section(
        handlers=(statuses_page, statuses_save, statuses_reset),
        services={"statuses_admin": for_user(partial(StatusesAdmin, bp, status_map, audit))},
    )


def _row(rule: StatusRule, form: Mapping[str, str] | None) -> dict:
    """One status on the page: its rule, or what the admin just sent for it."""
    if form is not None and f"state-{rule.status_id}" in form:
        label = form.get(f"label-{rule.status_id}", "")
        state = form.get(f"state-{rule.status_id}", "")
        visible = form.get(f"visible-{rule.status_id}") in ("1", "on", "true")
    else:
        label, state, visible = rule.label, rule.state, rule.visible
    previews = rule.previews() if form is None else []
    return {
        "rule": rule,
        "type_name": TYPE_NAMES.get(rule.type_code, rule.type_code),
        # Brightpearl's own colour of the status, for the admin to recognise it (a hex colour only).
        "swatch": rule.color if COLOUR.fullmatch(rule.color) else "#ffffff",
        "label": label,
        "state": state,
        "visible": visible,
        "previews": previews,
        "states": [
            (choice, STATE_NAMES[choice] + (" (default)" if choice == rule.default_state else ""))
            for choice in STATE_CHOICES
        ],
        # The default label; for a status that follows the order, the state's.
        "placeholder": rule.default_label if rule.state not in FOLLOWING else "The state's label",
    }


async def _page(request: Request, admin: StatusesAdmin, *, form: Mapping[str, str] | None = None,
                errors: Mapping[str, str] | None = None, status: int = 200) -> Template:
    labels = await admin.labels()
    done = None if errors else DONE.get(request.query_params.get("done", ""))
    return page(
        request,
        "views/admin/statuses.html",
        status_code=status,
        groups=[
            ("sales", "Customers: sales orders, quotes and credits",
             [_row(rule, form) for rule in labels.of_types(SALES_CODES)]),
            ("purchase", "Suppliers: purchase orders and credits",
             [_row(rule, form) for rule in labels.of_types(PURCHASE_CODES)]),
        ],
        errors=errors or {},
        done=done,
        max_label=MAX_LABEL,
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@get("/admin/statuses", name="admin_statuses")
async def statuses_page(request: Request, statuses_admin: NamedDependency[StatusesAdmin]) -> Template:
    return await _page(request, statuses_admin)


@post("/admin/statuses", name="admin_statuses_save", status_code=200)
async def statuses_save(request: Request, statuses_admin: NamedDependency[StatusesAdmin]) -> Template | Response:
    data = await request.form()
    form = {str(key): str(value) for key, value in list(data.items())[:MAX_FIELDS]}
    parsed = await statuses_admin.save(form, ip=_client(request))
    if parsed.errors:
        return await _page(request, statuses_admin, form=form, errors=parsed.errors, status=400)
    done = "saved" if parsed.changed else "unchanged"
    return go(request, with_query(request.app.route_reverse("admin_statuses"), {"done": done}))


@post("/admin/statuses/reset", name="admin_statuses_reset", status_code=200)
async def statuses_reset(request: Request, statuses_admin: NamedDependency[StatusesAdmin]) -> Response:
    statuses_admin.reset(ip=_client(request))
    return go(request, with_query(request.app.route_reverse("admin_statuses"), {"done": "reset"}))
