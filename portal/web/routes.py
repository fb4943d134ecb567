"""The route list: every area of the site, explicitly, in the order of the main navigation, each
given the long-lived components it works with (the composition root's wiring).

Each area is one router carrying its role guard, so access is declared once per area. The only
routes without a role guard are the public ones below (a test walks `app.routes` to check).
Adding an area: write `portal/areas/<name>/` with an `area(...)` (see docs/architecture.md), then
add it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from portal.areas import account, addresses, auth, dashboard, documents, orders, system
from portal.web.area import Area
from portal.web.components import Components


def areas(c: Components) -> tuple[Area, ...]:
    """Every area of the site, built afresh for one app (areas keep per-app state)."""
    return (
        auth.area(
            users=c.users,
            sessions=c.sessions,
            passwords=c.passwords,
            login_attempts=c.login_attempts,
            failed_logins=c.failed_logins,
            audit=c.audit,
            metrics=c.metrics,
            settings=c.settings,
        ),
        system.area(settings=c.settings, metrics=c.metrics, outbox=c.outbox),
        dashboard.area(bp=c.bp, tracking=c.tracking, clock=c.clock),
        orders.area(bp=c.bp, outbox=c.outbox, audit=c.audit, tracking=c.tracking, settings=c.settings),
        documents.area(bp=c.bp, settings=c.settings, clock=c.clock),
        addresses.area(bp=c.bp, outbox=c.outbox, audit=c.audit),
        account.area(bp=c.bp, settings=c.settings),
    )


# Route name -> why anyone may open it. Every other route has a role guard.
PUBLIC_ROUTES: Mapping[str, str] = MappingProxyType(
    {
        "login_form": "the login page",
        "login": "the login form's target",
        "logout": "ends whatever session the cookie names (nothing, for a visitor)",
        "healthz": "liveness for the process supervisor; touches no data",
        "metrics": "checks for itself: an admin session or the metrics bearer token",
        "brand_css": "the merchant's colours, the same for everyone",
        "static": "htmx, stylesheets and fonts",
        "static/head": "the same files, headers only",
    }
)
