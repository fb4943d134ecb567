"""One part of the admin area (the mailbox; accounts later): its handlers, the services they
ask for and its navigation links. The area (`admin.area`) puts the sections under one router
with one guard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from portal.web.area import NavLink


@dataclass(frozen=True)
class Section:
    """What one module of the admin area adds to it."""

    handlers: tuple[ControllerRouterHandler, ...]
    services: Mapping[str, Provide] = field(default_factory=dict)
    nav: tuple[NavLink, ...] = ()
