"""The outbox section of the admin area: the writes not delivered yet (comments, addresses,
new contacts, registrations' checks, mail), failed ones first, with their attempts and last
error; an admin retries a failed one, or abandons one with a reason. Both are audited.

This is the dead-letter queue of an integration platform, made visible: nothing the portal
was asked to write disappears without a person deciding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.core.audit import Audit
from portal.core.users import User
from portal.outbox.queue import Outbox, OutboxItem
from portal.web.area import NavLink, for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

MAX_REASON = 300
DONE = {
    "retried": "The write is back in the queue: it is tried again now.",
    "abandoned": "The write is abandoned: it will not be tried again.",
}
# What each kind of write is, for the admin reading the list.
KINDS = {
    "order_note": "Order comment",
    "postal_address": "Delivery address",
    "customer_contact": "New customer contact",
    "registration": "Registration check",
    "mail": "Email",
}


@dataclass
class OutboxAdmin:
    """What the outbox page reads and does, for the admin asking."""

    outbox: Outbox
    audit: Audit
    user: User

    def items(self) -> list[OutboxItem]:
        return self.outbox.not_delivered()

    def retry(self, item_id: int, *, ip: str) -> str | None:
        """Retry a failed item; the refusal to show, or None when done."""
        if not self.outbox.retry(item_id):
            return "Only a failed write can be retried; this one is not failed (any more)."
        self.audit.record("outbox_retried", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"outbox:{item_id}")
        return None

    def abandon(self, item_id: int, reason: str, *, ip: str) -> str | None:
        """Abandon a failed or waiting item; the refusal to show, or None when done."""
        reason = " ".join(reason.split())
        if not reason:
            return "Say why you abandon this write: the reason is kept with it and in the audit log."
        if len(reason) > MAX_REASON:
            return f"Use at most {MAX_REASON} characters for the reason."
        if not self.outbox.abandon(item_id, reason):
            return "This write is being sent or is already closed: it cannot be abandoned now."
        self.audit.record("outbox_abandoned", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"outbox:{item_id}", detail={"reason": reason})
        return None


def section(*, outbox: Outbox, audit: Audit) -> Section:
    return Section(
        handlers=(outbox_page, outbox_retry, outbox_abandon),
        services={"outbox_admin": for_user(partial(OutboxAdmin, outbox, audit))},
        nav=(NavLink("Outbox", "admin_outbox"),),
    )


def _page(request: Request, admin: OutboxAdmin, *, error: str | None = None, error_item: int | None = None,
          status: int = 200) -> Template:
    done = None if error else DONE.get(request.query_params.get("done", ""))
    return page(request, "views/admin/outbox.html", status_code=status, items=admin.items(), kinds=KINDS,
                done=done, error=error, error_item=error_item, max_reason=MAX_REASON)


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@get("/admin/outbox", name="admin_outbox")
async def outbox_page(request: Request, outbox_admin: NamedDependency[OutboxAdmin]) -> Template:
    return _page(request, outbox_admin)


@post("/admin/outbox/{item_id:int}/retry", name="admin_outbox_retry", status_code=200)
async def outbox_retry(request: Request, item_id: FromPath[int], outbox_admin: NamedDependency[OutboxAdmin]) -> Template | Response:
    error = outbox_admin.retry(item_id, ip=_client(request))
    if error:
        return _page(request, outbox_admin, error=error, error_item=item_id, status=400)
    return go(request, with_query(request.app.route_reverse("admin_outbox"), {"done": "retried"}))


@post("/admin/outbox/{item_id:int}/abandon", name="admin_outbox_abandon", status_code=200)
async def outbox_abandon(request: Request, item_id: FromPath[int], outbox_admin: NamedDependency[OutboxAdmin]) -> Template | Response:
    form = await request.form()
    error = outbox_admin.abandon(item_id, str(form.get("reason", ""))[: MAX_REASON * 4], ip=_client(request))
    if error:
        return _page(request, outbox_admin, error=error, error_item=item_id, status=400)
    return go(request, with_query(request.app.route_reverse("admin_outbox"), {"done": "abandoned"}))
