"""The feature guard: a route whose feature (its `opt["feature"]`, see portal.core.features) is
switched off answers 404 with the same page as a URL that does not exist.

One guard for the whole app (create_app), so it decides before any area's role guard, as for an
unknown URL: a customer gets the 404 page, not a login or permission answer. A route without a
feature costs one dict lookup.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler

from portal.core.features import Features

OPT_KEY = "feature"


class FeatureGuard:
    def __init__(self, features: Features) -> None:
        self.features = features

    # async on purpose: Litestar runs a sync guard in a worker thread.
    async def __call__(self, _: ASGIConnection, handler: BaseRouteHandler) -> None:
        name = handler.opt.get(OPT_KEY)
        if name is not None and not self.features.is_on(name):
            raise NotFoundException()

    def __repr__(self) -> str:
        return "FeatureGuard()"
