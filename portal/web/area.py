"""What a site area gives the app: its router (carrying the area's guard and its services) and
the links it adds to the main navigation."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Router


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
