"""One module per site area.  Each module lists its handlers in `route_handlers`.

`all_route_handlers()` collects them, so adding an area is adding a module.  `NAV` is the main
navigation; an entry shows only when its route exists and the user's role may open it.
"""

from __future__ import annotations

import importlib
import pkgutil

from litestar.exceptions import NoRouteMatchFoundException

# (label, route name, roles)
NAV = [
    ("Dashboard", "home", {"customer"}),
    ("Orders", "orders", {"customer"}),
    ("Documents", "documents", {"customer"}),
    ("Statement", "statement", {"customer"}),
    ("Addresses", "addresses", {"customer"}),
    ("Account", "account", {"customer"}),
]

_HELPERS = {"common"}


def all_route_handlers() -> list:
    """Every page module's route handlers, modules in name order."""
    handlers: list = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        if info.name in _HELPERS:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        handlers.extend(getattr(module, "route_handlers", []))
    return handlers


def route_url(app, name: str) -> str | None:
    """The URL of the parameterless route `name`, or None when this app has no such route."""
    try:
        return app.route_reverse(name)
    except NoRouteMatchFoundException:
        return None


def nav_links(app, user) -> list[tuple[str, str]]:
    """(label, url) of the main navigation for `user` (empty when logged out)."""
    if user is None:
        return []
    return [(label, url) for label, url, roles in _installed_nav(app) if user.role in roles]


def _installed_nav(app) -> list[tuple[str, str, set]]:
    # Routes are fixed once the app is built, so the lookup is done once per app (it runs on
    # every page otherwise, and a missing route costs an exception).
    cached = app.state.get("nav")
    if cached is None:
        cached = []
        for label, name, roles in NAV:
            url = route_url(app, name)
            if url is not None:
                cached.append((label, url, roles))
        app.state["nav"] = cached
    return cached
