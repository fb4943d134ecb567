"""Who is waiting for a Brightpearl call: a person (interactive) or nobody (background).

The request budget (see budget.py) lets interactive calls dip into half of the headroom the
portal leaves to the merchant's other integrations; background calls never touch it.

The priority travels in a context variable, so a page never has to pass it down, and a
background job marks everything it does with one `with background_priority():`. Tasks copy
the context when they are created, so work spawned inside the block inherits it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

INTERACTIVE = "interactive"
BACKGROUND = "background"

_current: ContextVar[str] = ContextVar("portal_brightpearl_priority", default=INTERACTIVE)


def current_priority() -> str:
    """The priority of calls made here: INTERACTIVE unless inside `background_priority()`."""
    return _current.get()


@contextmanager
def background_priority() -> Iterator[None]:
    """Mark every Brightpearl call made inside the block (and in tasks it spawns) background."""
    token = _current.set(BACKGROUND)
    try:
        yield
    finally:
        _current.reset(token)
