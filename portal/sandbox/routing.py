"""Requests, responses, errors and the small path router the resource modules register on.

Handlers are plain functions `handler(request, **path_params) -> Response`.  They raise
`ApiError` for Brightpearl-style failures (`{"errors":[{"code","message"}]}`); the app turns
that into the wire response.  A handler must validate everything before it mutates the store,
so a failed request never leaves half a change behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from portal.sandbox import idset

if TYPE_CHECKING:
    from portal.sandbox.store import DataStore

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ApiError(Exception):
    """A Brightpearl error response: HTTP status plus one or more (code, message) pairs."""

    def __init__(self, status: int, code: str, message: str, *more: tuple[str, str]) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.errors = [(code, message), *more]

    def body(self) -> dict[str, Any]:
        """The wire body: `{"errors": [{"code", "message"}, ...]}`."""
        return {"errors": [{"code": code, "message": message} for code, message in self.errors]}


def not_found(message: str) -> ApiError:
    """404 CMNC-404, Brightpearl's answer for unknown URIs and many empty list GETs."""
    return ApiError(404, "CMNC-404", message)


def missing_body() -> ApiError:
    """400 CMNC-010, the recorded answer to a write without a JSON body."""
    return ApiError(400, "CMNC-010", "You must supply a JSON formatted body with your request")


def invalid(message: str) -> ApiError:
    """400 for a request Brightpearl would reject but whose real error code was not captured.

    API note: the sandbox uses the code CMNC-400 for all such validation errors (postal
    address fields, unknown status, duplicate externalRef, too many ids ...).  Clients should
    rely on the status and the `errors` array, not on this code.
    """
    return ApiError(400, "CMNC-400", message)


def bad_patch(op: object, path: object) -> ApiError:
    """500 CMNC-044, the recorded answer to a JSON-Patch operation a path does not allow."""
    return ApiError(500, "CMNC-044", f"Invalid patch operation ({op}) for given path ({path})")


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
    params: dict[str, str]


class Router:
    """Maps (method, path) to handlers.  Templates look like `/order-service/order/{ids}`.

    A trailing slash is optional everywhere: Brightpearl documents `tax-code/` and
    `warehouse/` with one and most other resources without.
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, message_type: str) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template.rstrip("/"))
        self.routes.append(Route(method, re.compile(f"^{regex}$"), handler, message_type))

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


def select(items: list[dict[str, Any]], key: str, ids_text: str | None) -> list[dict[str, Any]]:
    """All `items`, or those whose `key` is in the path's ID set (in no particular order)."""
    if ids_text is None:
        return items
    wanted = path_ids(ids_text) or []
    by_id = {item[key]: item for item in items}
    return [by_id[i] for i in idset.scramble(wanted) if i in by_id]
