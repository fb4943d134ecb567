"""What Litestar injects at the level of the whole app, by parameter name: `user` (the logged-in
user; on guarded routes), `visitor` (the user or None; on public ones) and `settings`. Each area
adds its services, bound to the user (portal.web.area.for_user).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from portal.core.settings import Settings
from portal.core.users import User
from portal.security.guards import current_user


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


def app_dependencies(settings: Settings) -> dict[str, Provide]:
    """The app-level providers."""
    return {
        "settings": constant(settings),
        "user": Provide(provide_user, sync_to_thread=False),
        "visitor": Provide(provide_visitor, sync_to_thread=False),
    }
