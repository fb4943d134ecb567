"""Requests, responses, the path router and the helpers for ID sets in the path.

Handlers are plain functions `handler(request, **path_params) -> Response`, declared on their
module's `routes = Router()` with `@routes.route(method, template, message_type)` (or
`@routes.search(path, spec)`); app.build_router serves every module's routes.  Handlers raise
`ApiError` (errors.py) for Brightpearl-style failures; the app turns that into the wire
response.  A handler must validate everything before it mutates the store, so a failed
request never leaves half a change behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

from portal.sandbox import idset
from portal.sandbox.errors import invalid, missing_body, not_found

if TYPE_CHECKING:
    from portal.sandbox.search import SearchSpec
    from portal.sandbox.store import DataStore

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

T = TypeVar("T")


@dataclass
class Response:
    """What a handler answers: status and a JSON-serialisable body."""

    status: int = 200
    body: Any = None


def ok(value: Any, **siblings: Any) -> Response:
    """200 with `{"response": value}` plus top-level siblings such as `reference`."""
    return Response(200, {"response": value, **siblings})


def empty_ok() -> Response:
    """200 with the whole body `{}` (PUT/DELETE and some POSTs)."""
    return Response(200, {})


@dataclass
class Request:
    """One API request as the handlers see it (path is relative to `/public-api/{account}`)."""

    method: str
    path: str
    query_string: str
    raw_body: bytes
    now: datetime
    data: DataStore
    api_user_id: int
    query: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # Repeated parameters: the last one wins, which is what most servlet stacks do.
        self.query = dict(parse_qsl(self.query_string, keep_blank_values=True))

    def include_optional(self) -> set[str]:
        """The sections asked for with `includeOptional=a,b` (blank entries dropped)."""
        return {part.strip() for part in self.query.get("includeOptional", "").split(",") if part.strip()}

    def json(self) -> Any:
        """The decoded JSON body; raises the CMNC-010 ApiError when absent or unparsable."""
        if not self.raw_body.strip():
            raise missing_body()
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise missing_body() from None

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object."""
        body = self.json()
        if not isinstance(body, dict):
            raise missing_body()
        return body

    def json_list(self) -> list[Any]:
        """The JSON body, which must be an array (JSON Patch, address links)."""
        body = self.json()
        if not isinstance(body, list):
            raise missing_body()
        return body


# ------------------------------------------------------------------------ ID sets in the path
def path_ids(text: str, limit: int | None = 200, allow_wildcard: bool = False) -> list[int] | None:
    """Parse an ID set from the path (None = wildcard).

    Malformed text does not match Brightpearl's URI patterns, so it is answered like an
    unknown URI (404 CMNC-404).  API note: more ids than the limit is answered 400 with an
    errors array (the real behaviour outside contacts is UNCONFIRMED, API.md §4.2).
    """
    try:
        return idset.parse(text, limit, allow_wildcard)
    except idset.IdSetTooLarge as exc:
        raise invalid(str(exc)) from None
    except idset.IdSetSyntaxError:
        raise not_found(f"Cannot find the resource for ID set {text}") from None


def path_int(text: str) -> int:
    """A single positive id from the path; anything else is an unknown URI (404)."""
    if not text.isdigit() or int(text) <= 0:
        raise not_found(f"Cannot find the resource {text}")
    return int(text)


def existing(items: Mapping[int, T], ids_text: str) -> list[T]:
    """The items (by id) the path's ID set names that exist, in no particular order."""
    wanted = path_ids(ids_text) or []
    return [items[i] for i in idset.scramble(wanted) if i in items]


def options_uris(resource: str, items: Container[int], ids_text: str, per_uri: int = 200) -> Response:
    """The OPTIONS answer for `{resource}/{ID-SET}`: GET URIs covering only the existing ids,
    at most `per_uri` ids each (§4.4)."""
    wanted = path_ids(ids_text, limit=None) or []
    found = [i for i in wanted if i in items]
    return ok({"getUris": [f"/{resource}/{chunk}" for chunk in idset.chunks(found, per_uri)]})


def select(items: list[dict[str, Any]], key: str, ids_text: str | None, keep_order: bool = False) -> list[dict[str, Any]]:
    """All `items`, or those whose `key` is in the path's ID set: in no particular order, or with
    `keep_order` in the order of `items` (lists Brightpearl documents as sorted)."""
    if ids_text is None:
        return items
    wanted = path_ids(ids_text) or []
    if keep_order:
        named = set(wanted)
        return [item for item in items if item[key] in named]
    by_id = {item[key]: item for item in items}
    return [by_id[i] for i in idset.scramble(wanted) if i in by_id]


# ------------------------------------------------------------------------------------ router
Handler = Callable[..., Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    message_type: str


@dataclass
class Match:
    route: Route
    params: dict[str, str | None]  # None: an optional part that is absent


class Router:
    """Maps (method, path) to handlers.  Templates look like `/order-service/order/{ids}`.

    A part in brackets is optional: `/order-service/order-status[/{ids}]` also serves
    `/order-service/order-status`, and the handler then gets `ids=None`.  A trailing slash is
    optional everywhere: Brightpearl documents `tax-code/` and `warehouse/` with one and most
    other resources without.
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, message_type: str) -> None:
        regex = template.rstrip("/").replace("[", "(?:").replace("]", ")?")
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        self.routes.append(Route(method, re.compile(f"^{regex}$"), handler, message_type))

    def route(self, method: str, template: str, message_type: str) -> Callable[[Handler], Handler]:
        """Decorator: serve `method template` with the decorated handler."""

        def register(handler: Handler) -> Handler:
            self.add(method, template, handler, message_type)
            return handler

        return register

    def search(self, path: str, spec: SearchSpec) -> Callable[[Handler], Handler]:
        """Decorator for a `-search` handler: `GET path` runs it, `GET path/meta-data` lists `spec`'s columns."""

        def register(handler: Handler) -> Handler:
            self.add("GET", path, handler, "bulk-data-search")
            self.add("GET", f"{path}/meta-data", lambda req: spec.meta_data(), "bulk-data-search")
            return handler

        return register

    def include(self, other: Router) -> None:
        """Serve `other`'s routes too (a resource module's, see app.build_router)."""
        self.routes.extend(other.routes)

    def match(self, method: str, path: str) -> Match | None:
        """The route for this request, or None (the app answers 404 CMNC-404)."""
        normalized = path.rstrip("/") if path != "/" else path
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(normalized)
            if found:
                return Match(route, found.groupdict())
        return None
