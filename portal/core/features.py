"""Parts of the portal an admin switches on or off (admin > Features), kept in the site settings
under the key "features" as {name: bool}; a name with no value is on.

A route belongs to a feature by its Litestar `opt` (`opt={"feature": "documents"}` on a handler,
or `site_area(..., feature="documents")` for a whole area): the app's one feature guard
(portal.security.features) answers 404 for it while the feature is off, exactly like a page that
does not exist, and the navigation leaves out its links. Features whose pages are not built yet
(quotes, checkout, catalogue, supplier) are stored all the same; their routes declare the
feature when they arrive.

The state is read on every request (guard, navigation, templates), so it is kept in memory and
read from SQLite again only after a change saved through this store (one portal process).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from portal.core.site_settings import SiteSettings

SETTINGS_KEY = "features"


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    hides: str  # what switching it off hides ("Switching it off hides …"), for the admin deciding
    arrives_with: str = ""  # set while its pages are not built yet


FEATURES: Mapping[str, Feature] = MappingProxyType(
    {
        feature.name: feature
        for feature in (
            Feature("registration", "Registration",
                    "the “Create an account” link on the login page, and the registration pages "
                    "(verification links already sent too)."),
            Feature("comments", "Order comments",
                    "the comment form on the order page; comments already on an order stay visible."),
            Feature("addresses", "Addresses",
                    "the Addresses page and its links: customers cannot add delivery addresses."),
            Feature("documents", "Documents",
                    "the Documents page, invoice print views and PDFs, and the invoice links on "
                    "order pages and the dashboard."),
            Feature("statement", "Statement",
                    "the statement of account page, its CSV and PDF, and the dashboard's link to it."),
            Feature("quotes", "Quotes",
                    "the quotes pages and their links; links already shared stop working."),
            Feature("checkout", "Checkout",
                    "accepting a quote online (the checkout); customers can still decline a quote "
                    "or ask for changes."),
            Feature("catalogue", "Catalogue", "the product catalogue with the customer's prices.",
                    arrives_with="the product catalogue"),
            Feature("supplier", "Supplier area",
                    "the supplier pages, and supplier logins through registration "
                    "(when PORTAL_SUPPLIER_REGISTRATION allows them).",
                    arrives_with="the supplier area (supplier registration already follows it)"),
        )
    }
)


class UnknownFeature(ValueError):
    """A name that is not one of FEATURES (a typo in a route's opt, most likely)."""


class Features:
    """Which features are on, cached in memory; `save` writes and forgets the cache."""

    def __init__(self, site_settings: SiteSettings) -> None:
        self.site_settings = site_settings
        self._off: frozenset[str] | None = None

    def off(self) -> frozenset[str]:
        """The names of the features switched off (read from SQLite once per change)."""
        off = self._off
        if off is None:
            stored = self.site_settings.get(SETTINGS_KEY, {})
            stored = stored if isinstance(stored, dict) else {}
            off = self._off = frozenset(name for name in FEATURES if stored.get(name, True) is False)
        return off

    def is_on(self, name: str) -> bool:
        if name not in FEATURES:
            raise UnknownFeature(f"no feature named {name!r}; the features are {', '.join(FEATURES)}")
        return name not in self.off()

    def states(self) -> dict[str, bool]:
        """name -> on, for every feature, in FEATURES' order."""
        off = self.off()
        return {name: name not in off for name in FEATURES}

    def save(self, wanted: Mapping[str, bool]) -> dict[str, bool]:
        """Switch the features named in `wanted` (others keep their state; unknown names are
        ignored) in one write transaction; returns {name: new state} of those that changed."""
        wanted = {name: bool(on) for name, on in wanted.items() if name in FEATURES}
        changed: dict[str, bool] = {}

        def change(current: object) -> dict[str, bool]:
            current = current if isinstance(current, dict) else {}
            states = {name: current.get(name, True) is not False for name in FEATURES}
            changed.clear()
            changed.update({name: on for name, on in wanted.items() if states[name] != on})
            return states | wanted

        try:
            self.site_settings.update(SETTINGS_KEY, change, default={})
        finally:
            self._off = None
        return changed
