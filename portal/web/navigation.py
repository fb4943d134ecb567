"""The main navigation, derived from the route list: each area names its links, and a link is
shown to whoever the guard of its route admits, so roles are written once, on the area; and
only while the feature of its route (portal.core.features, the route's `opt["feature"]`) is on.

The links are worked out once per app; which features are off is read per page from the
features store's memory, so a page costs no query for it."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar
from litestar.exceptions import NoRouteMatchFoundException

from portal.core.features import Features
from portal.core.users import User
from portal.security.guards import RoleGuard

NAV_STATE_KEY = "nav_links"


@dataclass(frozen=True)
class _Link:
    label: str
    url: str
    guard: RoleGuard
    feature: str | None = None


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


def features(app: Litestar) -> Features:
    """The app's features store (what is switched off)."""
    return app.state["components"].features


def route_feature(app: Litestar, name: str) -> str | None:
    """The feature the route named `name` belongs to (None: none, or no such route)."""
    index = app.get_handler_index_by_name(name)
    return index["handler"].opt.get("feature") if index is not None else None


def route_switched_on(app: Litestar, name: str) -> bool:
    """False when the feature of the route named `name` is switched off (it answers 404)."""
    feature = route_feature(app, name)
    return feature is None or feature not in features(app).off()


def available_url(app: Litestar, name: str) -> str | None:
    """The URL of the parameterless route `name`, or None when this app has no such route or
    its feature is switched off (a link to it would answer 404)."""
    url = route_url(app, name)
    return url if url is not None and route_switched_on(app, name) else None


def nav_links(app: Litestar, user: User | None) -> list[tuple[str, str]]:
    """(label, url) of the main navigation for `user` (empty when logged out)."""
    if user is None:
        return []
    off = features(app).off()
    return [
        (link.label, link.url)
        for link in _links(app)
        if link.guard.allows(user) and (link.feature is None or link.feature not in off)
    ]


def current_url(links: list[tuple[str, str]], path: str) -> str | None:
    """The url of the link among `links` that names the page at `path`: the longest one that
    is the path or a folder of it ("/admin" for /admin/branding, unless "/admin/branding" is a
    link too), so only one link is ever marked as the current page."""
    best = None
    for _label, url in links:
        if path == url or (url != "/" and path.startswith(url + "/")):
            if best is None or len(url) > len(best):
                best = url
    return best


def _links(app: Litestar) -> list[_Link]:
    # Routes are fixed once the app is built: worked out once per app, not on every page.
    links = app.state.get(NAV_STATE_KEY)
    if links is None:
        links = []
        for area in app.state["areas"]:
            for nav in area.nav:
                url, guard = route_url(app, nav.route), role_guard(app, nav.guarded_by or nav.route)
                if url is not None and guard is not None:
                    links.append(_Link(nav.label, url, guard, route_feature(app, nav.route)))
        app.state[NAV_STATE_KEY] = links
    return links
