"""`create_app(settings)`: the one place that assembles the portal."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from portal.brightpearl.cache import start_staleness_tracking
from portal.core.paths import STATIC_DIR
from portal.core.settings import Settings
from portal.security.csrf import CsrfTokens, SessionCsrfMiddleware
from portal.security.features import FeatureGuard
from portal.security.gate import AccountGateMiddleware
from portal.security.headers import make_security_headers_hook
from portal.security.middleware import (
    OriginCheckMiddleware,
    SessionUserMiddleware,
    csrf_cookie_name,
    session_cookie_name,
)
from portal.security.proxies import ClientAddressMiddleware
from portal.security.viewing_as import ReadOnlyViewingMiddleware
from portal.web import errors, tasks
from portal.web.components import Components
from portal.web.dependencies import app_dependencies
from portal.web.routes import areas
from portal.web.static_files import StaticFileSystem
from portal.web.templating import make_template_config

MAX_BODY_BYTES = 1024 * 1024

log = logging.getLogger("portal.errors")


def create_app(settings: Settings | None = None, *, components: Components | None = None) -> Litestar:
    """Build the portal app for `settings` (default: from the environment).

    `components` are the long-lived objects the app serves with, which every area is wired to
    (default: built from the settings, see Components.build; when given, they bring their own
    settings). Tests choose what the portal talks to and what time it is there.
    """
    if components is None:
        components = Components.build(settings or Settings.from_env())
    settings = components.settings
    https = settings.cookie_secure
    site_areas = areas(components)
    running: list = []

    @asynccontextmanager
    async def lifespan(app: Litestar):
        # Counted, because test clients may run the same app's lifespan more than once at a time;
        # the background tasks start with the first and everything closes with the last.
        running.append(app)
        if len(running) == 1:
            app.state["tasks"] = tasks.start_background_tasks(components)
        try:
            yield
        finally:
            running.pop()
            if not running:
                await tasks.stop(app.state.pop("tasks", []))
                await components.aclose()

    return Litestar(
        route_handlers=[
            *(area.router for area in site_areas),
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                file_system=StaticFileSystem(),
                cache_control=CacheControlHeader(max_age=86400, public=True),
                include_in_schema=False,
            ),
        ],
        dependencies=app_dependencies(settings),
        # A route of a switched-off feature (admin > Features) answers like a missing page.
        guards=[FeatureGuard(components.features)],
        state=State({"components": components, "areas": site_areas}),
        lifespan=[lifespan],
        middleware=[
            # First: everything after it sees the real client behind a trusted proxy.
            ClientAddressMiddleware(settings.trusted_proxies),
            OriginCheckMiddleware(settings.base_url),
            SessionUserMiddleware(session_cookie_name(https), components.sessions),
            # After the session lookup: a logged-in request's token is bound to its session.
            SessionCsrfMiddleware(
                CsrfTokens(settings.secret_key),
                cookie_name=csrf_cookie_name(https),
                session_cookie_name=session_cookie_name(https),
                secure=https,
            ),
            # After both: a refused CSRF token is refused before the gate sends anyone anywhere.
            AccountGateMiddleware(gated=settings.gated, admin_two_factor=settings.admin_two_factor),
            # Last: an admin viewing as a customer writes nothing (refused before any handler).
            ReadOnlyViewingMiddleware(components.audit),
        ],
        # Each request collects its own "served stale data" note (shown as "data as of …").
        before_request=_track_staleness,
        before_send=[make_security_headers_hook(https=https)],
        exception_handlers={
            HTTPException: errors.error_handler,
            Exception: errors.error_handler,
            413: _request_too_large,
        },
        template_config=make_template_config(settings, branding=components.branding),
        plugins=[HTMXPlugin()],
        openapi_config=None,
        logging_config=LoggingConfig(
            log_exceptions="always",
            disable_stack_trace={400, 401, 403, 404, 405, 413, 429, 503},
        ),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
    )


async def _track_staleness(_request) -> None:
    start_staleness_tracking()


def _request_too_large(request: Request, exc: Exception) -> Response:
    """413: the client sent more than MAX_BODY_BYTES. One warning line (it is the client's
    doing, not a bug: no traceback), then the branded error page."""
    log.warning("request body over %d bytes refused on %s %r", MAX_BODY_BYTES, request.method, request.url.path)
    return errors.error_handler(request, exc)
