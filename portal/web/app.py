"""`create_app(settings)`: the one place that assembles the portal."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from portal.brightpearl.priority import background_priority
from portal.pages import all_route_handlers, errors
from portal.paths import STATIC_DIR
from portal.security.headers import make_security_headers_hook
from portal.security.middleware import (
    OriginCheckMiddleware,
    SessionUserMiddleware,
    csrf_cookie_name,
    session_cookie_name,
)
from portal.services import Services, build_services
from portal.settings import Settings
from portal.templating import make_template_config
from portal.tracking import seed_demo_patterns as seed_demo_tracking_patterns

log = logging.getLogger("portal")

SESSION_PURGE_SECONDS = 600


def create_app(settings: Settings | None = None, *, sandbox=None, transport=None, cache_clock=None) -> Litestar:
    """Build the portal app for `settings` (default: from the environment).

    `sandbox` (a portal.sandbox.Sandbox) and `transport` (an httpx transport) let tests and
    `portal demo` choose what the Brightpearl client talks to; `cache_clock` lets tests age the
    cache.
    """
    settings = (settings or Settings.from_env()).with_secret()
    svc = build_services(settings, sandbox=sandbox, transport=transport, cache_clock=cache_clock)
    if settings.uses_sandbox:
        seed_demo_logins(svc)
        seed_demo_tracking_patterns(svc.db)
    https = settings.cookie_secure

    @asynccontextmanager
    async def lifespan(app: Litestar):
        # Counted, because test clients may run the same app's lifespan more than once at a time;
        # resources close when the last one ends.
        svc.lifespans += 1
        if svc.lifespans == 1:
            svc.tasks.append(asyncio.create_task(_purge_sessions_forever(svc), name="session-purge"))
            svc.tasks.append(asyncio.create_task(_deliver_outbox_forever(svc), name="outbox"))
        try:
            yield
        finally:
            svc.lifespans -= 1
            if svc.lifespans == 0:
                await svc.aclose()

    return Litestar(
        route_handlers=[
            *all_route_handlers(),
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                cache_control=CacheControlHeader(max_age=86400, public=True),
                include_in_schema=False,
            ),
        ],
        state=State({"services": svc}),
        lifespan=[lifespan],
        middleware=[
            OriginCheckMiddleware(settings.base_url),
            SessionUserMiddleware(session_cookie_name(https)),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=csrf_cookie_name(https),
            cookie_secure=https,
            cookie_samesite="lax",
        ),
        before_send=[make_security_headers_hook(https=https)],
        exception_handlers={HTTPException: errors.error_handler, Exception: errors.error_handler},
        template_config=make_template_config(settings),
        plugins=[HTMXPlugin()],
        openapi_config=None,
        logging_config=LoggingConfig(
            log_exceptions="always",
            disable_stack_trace={400, 401, 403, 404, 405, 429, 503},
        ),
        request_max_body_size=1024 * 1024,
        debug=False,
    )


def seed_demo_logins(svc: Services) -> None:
    """Create the demo logins of DESIGN §5.2 (only with the embedded sandbox)."""
    from portal.sandbox import DEMO_PASSWORD, DEMO_USERS

    for demo in DEMO_USERS:
        if svc.users.by_email(demo["email"]):
            continue
        svc.users.ensure(
            email=demo["email"],
            password_hash=svc.passwords.hash_sync(DEMO_PASSWORD),
            role=demo["role"],
            contact_id=demo.get("contact_id"),
            name=demo.get("name", ""),
        )


async def _deliver_outbox_forever(svc: Services) -> None:
    # Background priority: the worker leaves the request budget's headroom to page views.
    with background_priority():
        await svc.outbox.run_forever()


async def _purge_sessions_forever(svc: Services) -> None:
    while True:
        try:
            svc.sessions.purge_expired()
        except Exception:  # noqa: BLE001 - a failed purge must not end the loop
            log.exception("session purge failed")
        await asyncio.sleep(SESSION_PURGE_SECONDS)
