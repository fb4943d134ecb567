"""The admin area's front page (/admin): every section, what it is for, one link each."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from portal.web.area import NavLink
from portal.web.navigation import route_url
from portal.web.rendering import page

from .section import Section

# (route name, label, what the merchant does there), in the order an admin needs them.
SECTIONS = (
    ("admin_accounts", "Accounts", "Customer and supplier logins, and the registrations waiting for you."),
    ("admin_import", "Import", "Many logins at once from a CSV or Excel sheet, checked before anything changes."),
    ("admin_branding", "Branding", "The portal's name, logo and colours, and your legal details for invoices."),
    ("admin_features", "Features", "Switch parts of the portal on or off."),
    ("admin_statuses", "Statuses", "What customers and suppliers see of your Brightpearl order statuses."),
    ("admin_order_defaults", "Orders", "How the portal places orders in Brightpearl, and carrier tracking links."),
    ("admin_view_as", "View as customer", "See the portal as one of your customers sees it, read-only."),
    ("admin_audit", "Audit log", "Who did what, when and from where."),
    ("admin_outbox", "Outbox", "Writes to Brightpearl and emails not delivered yet: retry or abandon them."),
    ("admin_mailbox", "Mailbox", "The mail the portal sends."),
    ("admin_health", "Connection health", "Brightpearl's answers, the request budget, the cache and the queue."),
    ("metrics", "Metrics", "The portal's figures for Prometheus."),
)


def section() -> Section:
    return Section(handlers=(admin_home,), nav=(NavLink("Admin", "admin_home"),))


@get("/admin", name="admin_home")
async def admin_home(request: Request) -> Template:
    links = [(label, url, text) for name, label, text in SECTIONS if (url := route_url(request.app, name))]
    return page(request, "views/admin/home.html", sections=links)
