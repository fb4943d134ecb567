"""Everything that speaks to Brightpearl: the HTTP client, the cache, typed models and the
gateway the pages read through. Nothing else in the portal imports httpx for Brightpearl."""

from .cache import Cache, StaleTracker, current_tracker, start_staleness_tracking, track_staleness
from .client import BrightpearlClient, SearchResult
from .errors import (
    BrightpearlAuthError,
    BrightpearlBadRequest,
    BrightpearlError,
    BrightpearlNotFound,
    BrightpearlUnavailable,
    UnknownOutcome,
)
from .gateway import TTL, Brightpearl, Freshness
from .idset import format_idset, parse_idset
from .priority import BACKGROUND, INTERACTIVE, background_priority

__all__ = [
    "BACKGROUND",
    "INTERACTIVE",
    "TTL",
    "Brightpearl",
    "BrightpearlAuthError",
    "BrightpearlBadRequest",
    "BrightpearlClient",
    "BrightpearlError",
    "BrightpearlNotFound",
    "BrightpearlUnavailable",
    "Cache",
    "Freshness",
    "SearchResult",
    "StaleTracker",
    "UnknownOutcome",
    "background_priority",
    "current_tracker",
    "format_idset",
    "parse_idset",
    "start_staleness_tracking",
    "track_staleness",
]
