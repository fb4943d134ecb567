"""The adapter to Brightpearl: the only code that speaks HTTP to it (client), the cache, typed
models, the reads the areas use (`Brightpearl`), the writes the outbox delivers and what a
change makes stale. It imports nothing of the portal but `portal.core`."""

from .facade import Brightpearl
from .invalidation import Change

__all__ = ["Brightpearl", "Change"]
