"""What a site area gives the app: its router (carrying the area's guard and its services) and
the links it adds to the main navigation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler, Guard


@dataclass(frozen=True)
class NavLink:
    """A main-navigation link to the route named `route`, shown to whoever the guard of the
    route named `guarded_by` (by default `route` itself) admits."""

    label: str
    route: str
    guarded_by: str | None = None


@dataclass(frozen=True)
class Area:
    """One area of the site (orders, documents, …), as `portal.web.routes` lists them."""

    name: str
    router: Router
    nav: tuple[NavLink, ...] = ()


def site_area(
    name: str,
    handlers: Iterable[ControllerRouterHandler],
    *,
    guard: Guard | None = None,
    services: Mapping[str, Callable[..., Any] | Provide] | None = None,
    nav: Iterable[NavLink] = (),
) -> Area:
    """An area: one router at "/" carrying the area's `guard`, its handlers, and its
    `services` (dependency name -> a class whose fields are dependencies, built per request,
    or a ready Provide)."""
    dependencies = {
        key: value if isinstance(value, Provide) else Provide(value, sync_to_thread=False)
        for key, value in (services or {}).items()
    }
    router = Router("/", guards=[guard] if guard else [], route_handlers=list(handlers), dependencies=dependencies)
    return Area(name, router, tuple(nav))
