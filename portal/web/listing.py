"""What every paged, searchable list reads from its query string and how it pages.

The search box and the page number follow the same rules on every list, with the same
messages; a bad value is reported beside its field, never raised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from litestar import Request
from litestar.response import Template

from portal.web.params import with_query
from portal.web.rendering import page_or_fragment

T = TypeVar("T")

# Brightpearl's order reference is at most 64 characters; the search box takes no more.
MAX_QUERY = 64
MAX_PAGE_DIGITS = 6


def parse_search(raw: str | None, errors: dict[str, str], field: str = "q") -> str:
    """The trimmed search text (cut to MAX_QUERY, with an error when it was longer)."""
    text = (raw or "").strip()
    if len(text) > MAX_QUERY:
        errors[field] = f"Search for at most {MAX_QUERY} characters."
        text = text[:MAX_QUERY]
    return text


def parse_page(raw: str | None, errors: dict[str, str], field: str = "page") -> int:
    """The page number asked for (1 when none, or when it is not a page number)."""
    if raw in (None, ""):
        return 1
    if raw.isdigit() and len(raw) <= MAX_PAGE_DIGITS and int(raw) >= 1:
        return int(raw)
    errors[field] = "Page numbers start at 1."
    return 1


class ListQuery:
    """The validated query string of a list: subclasses are frozen dataclasses with `page`,
    `errors` (field -> message, or None) and `params()` (their query-string values)."""

    page: int
    errors: Mapping[str, str] | None

    def params(self) -> dict[str, Any]:
        raise NotImplementedError

    def as_params(self, **changes: Any) -> dict[str, Any]:
        """The query string of this list with `changes` (page 1 is left out)."""
        params = {**self.params(), "page": self.page, **changes}
        if params.get("page") == 1:
            params.pop("page")
        return params


@dataclass(frozen=True)
class ListView:
    """What the list macros (partials/_lists.html) show of one page of a list: the query and its
    errors, the page, and the URLs they link to, worked out here so the macros need nothing
    from the template's context (importing macros with the context costs a render each time)."""

    query: ListQuery
    page: Page
    has_any: bool  # the list has items at all, before any filter
    all_url: str  # the list without filters
    first_url: str  # the first page with the same filters
    newer_url: str | None
    older_url: str | None

    @property
    def showing(self) -> bool:
        """True when the page has items to show (no errors, no empty state)."""
        return not self.query.errors and self.has_any and bool(self.page.items)


def list_view(request: Request, route: str, query: ListQuery, page: Page, has_any: bool) -> ListView:
    """The ListView of `page` of the list served by the route named `route`."""
    base = request.app.route_reverse(route)

    def url(number: int) -> str:
        return with_query(base, query.as_params(page=number))

    return ListView(
        query=query,
        page=page,
        has_any=has_any,
        all_url=base,
        first_url=url(1),
        newer_url=url(page.number - 1) if page.number > 1 else None,
        older_url=url(page.number + 1) if page.number < page.pages else None,
    )


def render_list(
    request: Request, route: str, page_name: str, fragment_name: str, query: ListQuery, context: dict
) -> Template:
    """A list page (or, for htmx, its results fragment): `context` holds the `page` shown and
    `has_any`; 400 when the query had errors; with the search box's limit."""
    listing = list_view(request, route, query, context["page"], context["has_any"])
    return page_or_fragment(
        request,
        page_name,
        fragment_name,
        status_code=400 if query.errors else 200,
        max_query=MAX_QUERY,
        listing=listing,
        **context,
    )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, which page it is, and how many there are."""

    items: Sequence[T]
    number: int
    pages: int
    total: int

    @property
    def beyond_last(self) -> bool:
        """True when the page asked for is past the last one (and the list is not empty)."""
        return self.number > self.pages and self.total > 0


def paginate(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` (from 1) of `items`, `size` to a page; empty beyond the last page."""
    pages = max(1, math.ceil(len(items) / size))
    return Page(items=items[(number - 1) * size : number * size], number=number, pages=pages, total=len(items))
