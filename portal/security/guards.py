"""Role guards: who may open an area. Each area's router carries one (declared once per area);
the navigation reads the same guard to decide which links a person sees."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from portal.core.users import ROLES, User


def current_user(connection: ASGIConnection) -> User | None:
    """The logged-in user, or None (works on every route, 404s included)."""
    return connection.scope.get("user")


class RoleGuard:
    """Anonymous visitors go to the login page (401); logged-in people of other roles get 403,
    or, for a `hidden` area (the admin's), the same 404 as a page that does not exist."""

    def __init__(self, *roles: str, hidden: bool = False) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"roles must be some of {ROLES}, not {roles}")
        self.roles = frozenset(roles)
        self.hidden = hidden

    def allows(self, user: User | None) -> bool:
        """True when `user` may pass this guard."""
        return user is not None and user.role in self.roles

    # async on purpose: Litestar runs a sync guard in a worker thread, a thread hop per request.
    async def __call__(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException()
        if user.role not in self.roles:
            raise NotFoundException() if self.hidden else PermissionDeniedException()

    def __repr__(self) -> str:
        return f"RoleGuard({', '.join(sorted(self.roles))})"


def requires_role(*roles: str, hidden: bool = False) -> RoleGuard:
    """The guard that lets in logged-in users with one of `roles`; `hidden`: others get 404,
    so a customer cannot tell the area exists."""
    return RoleGuard(*roles, hidden=hidden)


def signed_in() -> RoleGuard:
    """The guard that lets in anyone logged in, whatever their role."""
    return RoleGuard(*ROLES)
