"""The admin's rules for Brightpearl's order statuses (label, state, visible), kept in the
settings table under `status_map`, and what pages derive from them.

The value is `{"sales": {status_id: rule}, "purchase": {status_id: rule}}` (sales orders and
credits; purchase orders and credits), holding only the statuses whose rule differs from its
default (portal.domain.status_labels). Pages read it on every request (the order list is the
busiest page), so it is read from SQLite once and kept in memory until `save` or `reset`
replaces it: one process owns its database (docs/deploy.md), so this copy cannot go stale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from portal.core.site_settings import SiteSettings

KEY = "status_map"
GROUPS = ("sales", "purchase")
T = TypeVar("T")
# Status lists kept derived at once: the cached one, the one being refreshed, "no list".
MAX_DERIVED = 4
_EMPTY: Mapping[int, Mapping[str, Any]] = MappingProxyType({})


class StatusMap:
    """The saved status rules, cached in memory; one per app."""

    def __init__(self, site_settings: SiteSettings) -> None:
        self.site_settings = site_settings
        self._saved: Mapping[int, Mapping[str, Any]] | None = None
        # id(statuses) -> (statuses, saved, derived value): see `derived`.
        self._derived: dict[int, tuple[object, object, object]] = {}

    def saved(self) -> Mapping[int, Mapping[str, Any]]:
        """Status id -> its saved rule, sales and purchase statuses together (ids are unique
        across order types). The same object until the rules change."""
        if self._saved is None:
            self._saved = _flatten(self.site_settings.get(KEY, {}))
        return self._saved

    def stored(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The stored value, by group (for the admin page)."""
        value = self.site_settings.get(KEY, {})
        return {group: dict(value.get(group, {})) if isinstance(value, dict) else {} for group in GROUPS}

    def save(self, value: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
        """Replace every saved rule with `value` ({"sales": {...}, "purchase": {...}})."""
        self.site_settings.set(KEY, {group: dict(value.get(group, {})) for group in GROUPS})
        self._forget()

    def reset(self) -> None:
        """Back to the defaults for every status."""
        self.site_settings.delete(KEY)
        self._forget()

    def derived(self, statuses: T, build: Callable[[T, Mapping[int, Mapping[str, Any]]], Any]) -> Any:
        """`build(statuses, saved)`, made again only when `statuses` (the cached status list:
        a new object when the cache refreshes it) or the saved rules change. Pages share one
        value, so a rendered row can tell that its labels still hold by identity."""
        saved = self.saved()
        last = self._derived.get(id(statuses))
        if last is not None and last[0] is statuses and last[1] is saved:
            return last[2]
        value = build(statuses, saved)
        if len(self._derived) >= MAX_DERIVED:
            self._derived.clear()
        self._derived[id(statuses)] = (statuses, saved, value)
        return value

    def _forget(self) -> None:
        self._saved = None
        self._derived = {}


def _flatten(value: Any) -> Mapping[int, Mapping[str, Any]]:
    if not isinstance(value, dict):
        return _EMPTY
    flat: dict[int, Mapping[str, Any]] = {}
    for group in GROUPS:
        rules = value.get(group)
        if not isinstance(rules, dict):
            continue
        for key, rule in rules.items():
            if str(key).isdigit() and isinstance(rule, dict):
                flat[int(key)] = MappingProxyType(dict(rule))
    return MappingProxyType(flat)
