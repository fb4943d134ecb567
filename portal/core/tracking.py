"""Carrier tracking links for shipments (goods-out notes).

Brightpearl stores a tracking reference on each goods-out note but no carrier URL (API.md §9.1).
An admin sets, per shipping method, a URL pattern holding `{reference}` once, e.g.

    portal tracking set --method-id 9 --pattern 'https://www.ups.com/track?tracknum={reference}'

The patterns live in the SQLite `settings` table under `tracking_url_patterns` as JSON
`{"<shipping method id>": "<pattern>"}`. The reference is percent-encoded into the pattern, so
whatever a reference holds (quotes, `<script>`, `javascript:`) it stays inside the admin's
https:// address as inert text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlsplit

from sqlite_utils import Database

from portal.core.site_settings import SiteSettings

log = logging.getLogger("portal.core.tracking")

SETTINGS_KEY = "tracking_url_patterns"
PLACEHOLDER = "{reference}"
MAX_PATTERN_LENGTH = 500
_SCHEMES = ("https", "http")
# Printable ASCII without space and the characters that end or escape an HTML attribute or
# a URL in text; anything else must be written percent-encoded in the pattern.
_ALLOWED = frozenset(chr(c) for c in range(0x21, 0x7F)) - set('"\'<>\\`')

class TrackingPatternError(ValueError):
    """A pattern or shipping method id was refused; str(error) says why, for the admin."""


def validate_pattern(pattern: str) -> str:
    """Return the pattern, trimmed, when it is an http(s) URL with exactly one `{reference}`
    in its path, query or fragment; raise TrackingPatternError otherwise."""
    text = (pattern or "").strip()
    if not text:
        raise TrackingPatternError("the pattern is empty")
    if len(text) > MAX_PATTERN_LENGTH:
        raise TrackingPatternError(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    if text.count(PLACEHOLDER) != 1:
        raise TrackingPatternError(f"the pattern must contain {PLACEHOLDER} exactly once")
    rest = text.replace(PLACEHOLDER, "")
    if "{" in rest or "}" in rest:
        raise TrackingPatternError(f"the only placeholder allowed is {PLACEHOLDER}")
    if not text.lower().startswith(tuple(f"{scheme}://" for scheme in _SCHEMES)):
        raise TrackingPatternError("the pattern must start with https:// (or http://)")
    bad = sorted(set(rest) - _ALLOWED)
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        raise TrackingPatternError(f"the pattern contains characters a URL cannot hold as typed ({shown}); percent-encode them")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise TrackingPatternError("the pattern is not a URL") from None
    if not parts.hostname or "@" in parts.netloc:
        raise TrackingPatternError("the pattern must name the carrier's host, without a user name")
    if PLACEHOLDER in parts.netloc:
        raise TrackingPatternError(f"{PLACEHOLDER} must be in the path or query, not in the host name")
    return text


def valid_method_id(value: int | str) -> int:
    """A Brightpearl shipping method id (a positive integer), or TrackingPatternError."""
    text = str(value).strip()
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise TrackingPatternError("the shipping method id must be a positive whole number")
    return int(text)


def tracking_url(pattern: str, reference: str) -> str | None:
    """The carrier URL for one reference: the reference percent-encoded (every character
    that is not a letter, digit or `-._~`) in place of `{reference}`; None when the reference
    is empty."""
    reference = (reference or "").strip()
    if not reference:
        return None
    return pattern.replace(PLACEHOLDER, quote(reference, safe=""), 1)


class TrackingPatterns:
    """The stored patterns: shipping method id -> pattern."""

    def __init__(self, db: Database) -> None:
        self.store = SiteSettings(db)

    def all(self) -> dict[int, str]:
        """Every usable pattern, by method id. Rows that no longer pass validation (edited by
        hand in the database) are left out and logged, never turned into links."""
        raw = self.store.get(SETTINGS_KEY, {})
        if not isinstance(raw, Mapping):
            log.warning("setting %s is not a JSON object; no tracking links", SETTINGS_KEY)
            return {}
        patterns: dict[int, str] = {}
        for key, value in raw.items():
            try:
                patterns[valid_method_id(key)] = validate_pattern(value if isinstance(value, str) else "")
            except TrackingPatternError as error:
                log.warning("tracking pattern for method %r ignored: %r", key, str(error))
        return patterns

    def set(self, method_id: int | str, pattern: str) -> str:
        """Validate and store the pattern for one shipping method; return it as stored."""
        method = valid_method_id(method_id)
        clean = validate_pattern(pattern)
        self.store.update(SETTINGS_KEY, lambda current: {**_as_dict(current), str(method): clean}, {})
        return clean

    def unset(self, method_id: int | str) -> bool:
        """Remove the pattern of one shipping method; False when it had none."""
        key = str(valid_method_id(method_id))
        removed = False

        def drop(current: object) -> dict:
            nonlocal removed
            patterns = _as_dict(current)
            removed = patterns.pop(key, None) is not None
            return patterns

        self.store.update(SETTINGS_KEY, drop, {})
        return removed


def tracking_links(patterns: TrackingPatterns, shipments: Iterable) -> dict[int, str]:
    """Return goods-out note id -> carrier tracking URL for the shipments that have a tracking
    reference and whose shipping method has a pattern. Reads the stored patterns once, and not
    at all when no shipment could have a link; makes no Brightpearl call."""
    notes = [note for note in shipments if note.tracking_reference and note.shipping_method_id]
    if not notes:
        return {}
    stored = patterns.all()
    links: dict[int, str] = {}
    for note in notes:
        pattern = stored.get(note.shipping_method_id)
        url = tracking_url(pattern, note.tracking_reference) if pattern else None
        if url:
            links[note.id] = url
    return links


def _as_dict(value: object) -> dict:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}
