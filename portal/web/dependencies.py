"""What Litestar injects into handlers and area services, by parameter name.

    async def orders_page(request: Request, history: NamedDependency[OrderHistory]) -> Template

App-wide: `settings`, `bp` (the Brightpearl reads), `outbox`, `audit`, `users`, `tracking`
(carrier link patterns), `clock`, `metrics`, the login machinery (`sessions`, `passwords`,
`login_attempts`, `failed_logins`), and `user` (the logged-in user: only on guarded routes) /
`visitor` (the user or None: on public ones). Each area adds its own services on its
router. Tests replace any of them with `create_app(settings, dependencies={...})`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from portal.core.users import User
from portal.security.guards import current_user
from portal.web.components import Components


def constant(value: Any) -> Provide:
    """A dependency that is always `value` (one object for the life of the app)."""

    def provide() -> Any:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def provide_user(request: Request) -> User:
    """The logged-in user. The route's guard has let them in; anyone else gets the login page."""
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


def provide_visitor(request: Request) -> User | None:
    """The logged-in user, or None on a public page."""
    return current_user(request)


def app_dependencies(components: Components) -> dict[str, Provide]:
    """The app-level providers over one process's components."""
    c = components
    return {
        "settings": constant(c.settings),
        "bp": constant(c.bp),
        "outbox": constant(c.outbox),
        "audit": constant(c.audit),
        "users": constant(c.users),
        "tracking": constant(c.tracking),
        "clock": constant(c.clock),
        "metrics": constant(c.metrics),
        "sessions": constant(c.sessions),
        "passwords": constant(c.passwords),
        "login_attempts": constant(c.login_attempts),
        "failed_logins": constant(c.failed_logins),
        "user": Provide(provide_user, sync_to_thread=False),
        "visitor": Provide(provide_visitor, sync_to_thread=False),
    }
