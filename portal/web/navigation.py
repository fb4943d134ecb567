"""The main navigation, derived from the route list: each area names its links, and a link is
shown to whoever the guard of its route admits, so roles are written once, on the area."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar
from litestar.exceptions import NoRouteMatchFoundException

from portal.core.users import User
from portal.security.guards import RoleGuard

NAV_STATE_KEY = "nav_links"


@dataclass(frozen=True)
class _Link:
    label: str
    url: str
    guard: RoleGuard


def route_url(app: Litestar, name: str) -> str | None:
    """The URL of the parameterless route `name`, or None when this app has no such route."""
    try:
        return app.route_reverse(name)
    except NoRouteMatchFoundException:
        return None


def role_guard(app: Litestar, name: str) -> RoleGuard | None:
    """The role guard that protects the route named `name` (None: public, or no such route)."""
    index = app.get_handler_index_by_name(name)
    if index is None:
        return None
    guards = [g for g in index["handler"].resolve_guards() if isinstance(g, RoleGuard)]
    return guards[-1] if guards else None  # the innermost (most specific) guard decides


def nav_links(app: Litestar, user: User | None) -> list[tuple[str, str]]:
    """(label, url) of the main navigation for `user` (empty when logged out)."""
    if user is None:
        return []
    return [(link.label, link.url) for link in _links(app) if link.guard.allows(user)]


def _links(app: Litestar) -> list[_Link]:
    # Routes are fixed once the app is built: worked out once per app, not on every page.
    links = app.state.get(NAV_STATE_KEY)
    if links is None:
        links = []
        for area in app.state["areas"]:
            for nav in area.nav:
                url, guard = route_url(app, nav.route), role_guard(app, nav.guarded_by or nav.route)
                if url is not None and guard is not None:
                    links.append(_Link(nav.label, url, guard))
        app.state[NAV_STATE_KEY] = links
    return links
