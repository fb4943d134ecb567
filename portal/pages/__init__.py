"""One module per site area.  Each module lists its handlers in `route_handlers`.

`all_route_handlers()` collects them, so adding an area is adding a module.  `NAV` is the main
navigation; an entry shows only when its route exists and the user's role may open it.
"""

from __future__ import annotations

import importlib
import pkgutil

# (label, route name, roles)
NAV = [
    ("Dashboard", "dashboard", {"customer"}),
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


def nav_links(app, user) -> list[tuple[str, str]]:
    """(label, url) of the main navigation for `user` (empty when logged out)."""
    if user is None:
        return []
    links = []
    for label, name, roles in NAV:
        if user.role not in roles:
            continue
        try:
            links.append((label, app.route_reverse(name)))
        except Exception:  # noqa: BLE001 - the area is not installed (yet)
            continue
    return links
