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

from portal.areas import (
    account,
    addresses,
    admin,
    auth,
    dashboard,
    documents,
    orders,
    passwords,
    quotes,
    registration,
    setup,
    system,
    two_factor,
)
from portal.security.two_factor import TwoFactor
from portal.web.area import Area
from portal.web.components import Components


def areas(c: Components) -> tuple[Area, ...]:
    """Every area of the site, built afresh for one app (areas keep per-app state)."""
    # One per app: the login's second step and the settings page share its wrong-code counts.
    second_factor = TwoFactor(c.db, tokens=c.tokens, passwords=c.passwords, audit=c.audit, issuer=c.settings.site_name)
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
            two_factor=second_factor,
        ),
        passwords.area(
            users=c.users,
            sessions=c.sessions,
            passwords=c.passwords,
            tokens=c.tokens,
            mail=c.mail,
            audit=c.audit,
            settings=c.settings,
        ),
        registration.area(registrations=c.registrations, passwords=c.passwords, settings=c.settings),
        setup.area(users=c.users, passwords=c.passwords, tokens=c.tokens, audit=c.audit),
        system.area(settings=c.settings, metrics=c.metrics, outbox=c.outbox, branding=c.branding),
        dashboard.area(bp=c.bp, tracking=c.tracking, clock=c.clock, status_map=c.status_map),
        orders.area(
            bp=c.bp, outbox=c.outbox, audit=c.audit, tracking=c.tracking, settings=c.settings, status_map=c.status_map
        ),
        quotes.area(
            bp=c.bp, db=c.db, settings=c.settings, clock=c.clock, status_map=c.status_map,
            order_defaults=c.order_defaults, tokens=c.tokens, mail=c.mail, audit=c.audit, branding=c.branding,
            outbox=c.outbox,
        ),
        quotes.shared_area(
            bp=c.bp, db=c.db, settings=c.settings, clock=c.clock, status_map=c.status_map,
            order_defaults=c.order_defaults, tokens=c.tokens, audit=c.audit, branding=c.branding,
        ),
        quotes.checkout_area(
            bp=c.bp, db=c.db, clock=c.clock, status_map=c.status_map, order_defaults=c.order_defaults,
            outbox=c.outbox, audit=c.audit, features=c.features,
        ),
        documents.area(bp=c.bp, settings=c.settings, clock=c.clock, branding=c.branding),
        addresses.area(bp=c.bp, outbox=c.outbox, audit=c.audit),
        account.area(bp=c.bp, settings=c.settings),
        two_factor.area(two_factor=second_factor, settings=c.settings),
        admin.area(
            mail=c.mail,
            settings=c.settings,
            users=c.users,
            registrations=c.registrations,
            two_factor=second_factor,
            passwords=c.passwords,
            tokens=c.tokens,
            audit=c.audit,
            outbox=c.outbox,
            bp=c.bp,
            site_settings=c.site_settings,
            features=c.features,
            tracking=c.tracking,
            order_defaults=c.order_defaults,
            sessions=c.sessions,
            metrics=c.metrics,
            branding_store=c.branding,
            status_map=c.status_map,
        ),
    )


# Route name -> why anyone may open it. Every other route has a role guard.
PUBLIC_ROUTES: Mapping[str, str] = MappingProxyType(
    {
        "login_form": "the login page",
        "login": "the login form's target",
        "login_two_factor": "the login's second step: only a signed single-use token from a right password opens it",
        "logout": "ends whatever session the cookie names (nothing, for a visitor)",
        "password_forgot_form": "asking for a reset link: the same answer for every address",
        "password_forgot": "the reset request's target",
        "password_reset_form": "opened by a signed single-use reset link only",
        "password_reset": "the reset form's target: checks the link again",
        "register_form": "self-registration (PORTAL_REGISTRATION)",
        "register": "the registration form's target: the same answer for every address",
        "register_confirm_form": "opened by a signed single-use verification link only",
        "register_confirm": "the verification page's target: checks the link again",
        "first_admin_form": "the first admin's one-time setup link, while no admin exists",
        "first_admin": "the setup form's target: checks the link again",
        "healthz": "liveness for the process supervisor; touches no data",
        "metrics": "checks for itself: an admin session or the metrics bearer token",
        "brand_css": "the merchant's colours, the same for everyone",
        "brand_logo": "the merchant's logo (on the login page and in emails), the same for everyone",
        "quote_shared": "a quote shared by mail: only a signed, expiring, revocable share link opens it, view-only",
        "static": "htmx, stylesheets and fonts",
        "static/head": "the same files, headers only",
    }
)
