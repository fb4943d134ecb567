"""The embedded demo: the only module of the portal that imports the Brightpearl sandbox.

With no Brightpearl account configured (`Settings.uses_sandbox`), the composition root asks this
module for the sandbox to talk to, and seeds the demo logins (DESIGN §5.2) and the carrier
tracking patterns of the sandbox's shipping methods. `portal sandbox` runs the sandbox alone.
"""

from __future__ import annotations

import httpx
from sqlite_utils import Database

from portal.core.settings import Settings
from portal.core.site_settings import SiteSettings
from portal.core.tracking import SETTINGS_KEY as TRACKING_SETTINGS_KEY
from portal.core.users import UserStore
from portal.sandbox import DEMO_PASSWORD, DEMO_USERS, Sandbox, SandboxConfig
from portal.sandbox.reference import SHIPPING_METHODS
from portal.security.passwords import Passwords

# The embedded sandbox answers to these credentials; they are not secrets.
SANDBOX_ACCOUNT = "demo"
SANDBOX_APP_REF = "demo_portal"
SANDBOX_STAFF_TOKEN = "sandbox-staff-token"  # noqa: S105 - the sandbox's public demo credential
# The in-process transport ignores the host; `.invalid` can never resolve to a real server.
SANDBOX_BASE_URL = f"http://sandbox.invalid/public-api/{SANDBOX_ACCOUNT}"

# Public tracking pages that take the reference alone, by carrier name as Brightpearl's
# shipping methods carry it. Used to give the demo real-looking links.
# (Palletways is left out on purpose: its tracking page asks for a postcode as well.)
CARRIER_PATTERNS = {
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{reference}",
    "UPS": "https://www.ups.com/track?loc=en_GB&tracknum={reference}",
    "DHL": "https://www.dhl.com/gb-en/home/tracking.html?tracking-id={reference}",
}


def sandbox_for(settings: Settings) -> Sandbox:
    """The embedded sandbox these settings describe (`portal demo` keeps a journal of its writes
    in the data folder, so a restart keeps what was added)."""
    journal = settings.data_dir / "sandbox-journal.jsonl" if settings.demo else None
    return Sandbox(
        SandboxConfig(
            seed=settings.sandbox_seed,
            customers=settings.sandbox_customers,
            orders=settings.sandbox_orders,
            latency_ms=settings.sandbox_latency_ms,
            throttle_limit=settings.sandbox_throttle_limit,
            journal_path=journal,
        )
    )


def sandbox_transport(settings: Settings) -> httpx.AsyncBaseTransport:
    """An in-process transport to a new embedded sandbox for these settings."""
    return sandbox_for(settings).transport()


def standalone_sandbox(
    *, seed: int, customers: int, orders: int, latency_ms: int, throttle_limit: int
) -> Sandbox:
    """The sandbox `portal sandbox` serves over HTTP (the app is `.app`)."""
    return Sandbox(
        SandboxConfig(seed=seed, customers=customers, orders=orders, latency_ms=latency_ms, throttle_limit=throttle_limit)
    )


def seed(db: Database, users: UserStore, passwords: Passwords) -> None:
    """Create the demo logins and the demo tracking patterns, once (later changes are kept)."""
    seed_demo_logins(users, passwords)
    seed_demo_tracking_patterns(db)


def seed_demo_logins(users: UserStore, passwords: Passwords) -> None:
    """Create the demo logins of DESIGN §5.2 that do not exist yet."""
    for demo in DEMO_USERS:
        if users.by_email(demo["email"]):
            continue
        users.ensure(
            email=demo["email"],
            password_hash=passwords.hash_sync(DEMO_PASSWORD),
            role=demo["role"],
            contact_id=demo.get("contact_id"),
            name=demo.get("name", ""),
        )


def seed_demo_tracking_patterns(db: Database) -> int:
    """Give the sandbox's shipping methods tracking patterns, once: an admin's later changes are
    kept. Returns how many patterns were stored (0 when the setting already existed)."""
    patterns = {str(m.id): CARRIER_PATTERNS[m.carrier] for m in SHIPPING_METHODS if m.carrier in CARRIER_PATTERNS}
    return len(patterns) if SiteSettings(db).set_default(TRACKING_SETTINGS_KEY, patterns) else 0
