"""What a site area gives the app: its router (carrying the area's guard and its services) and
the links it adds to the main navigation.

An area's services are built by the composition root (portal.web.routes) from the long-lived
components, and given to each request bound to the person asking (`for_user`, `for_visitor`).
A handler asks for one thing, its area's service: Litestar resolves several dependencies of one
handler concurrently, in a task group that costs more than the order list's own work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Router
from litestar.di import NamedDependency, Provide
from litestar.types import ControllerRouterHandler, Guard

from portal.core.users import User


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
    services: Mapping[str, Provide] | None = None,
    nav: Iterable[NavLink] = (),
    feature: str | None = None,
) -> Area:
    """An area: one router at "/" carrying the area's `guard`, its handlers and its `services`
    (dependency name -> provider, see `for_user`). With `feature` (a name of
    portal.core.features.FEATURES) every route of the area answers 404 while that feature is
    switched off, and its links leave the navigation; one route alone declares it with
    `opt={"feature": name}` on its handler."""
    router = Router(
        "/",
        guards=[guard] if guard else [],
        route_handlers=list(handlers),
        dependencies=dict(services or {}),
        opt={"feature": feature} if feature else None,
    )
    return Area(name, router, tuple(nav))


def for_user(build: Callable[[User], Any]) -> Provide:
    """A service for the logged-in user, built per request as `build(user)`."""

    def provide(user: NamedDependency[User]) -> Any:
        return build(user)

    return Provide(provide, sync_to_thread=False)


def for_visitor(build: Callable[[User | None], Any]) -> Provide:
    """A service for whoever asks (`build(user)`, or `build(None)` for a visitor)."""

    def provide(visitor: NamedDependency[User | None]) -> Any:
        return build(visitor)

    return Provide(provide, sync_to_thread=False)
