"""Exceptions raised by the Brightpearl client, gateway and cache.

Every exception carries what a caller needs to decide what to do next:

- `BrightpearlAuthError`   401/403: the portal's own credentials are wrong, expired or revoked.
- `BrightpearlNotFound`    404: the resource (or, for list GETs, any result) does not exist,
                           or (`unknown_uri`) Brightpearl does not serve that path at all.
- `BrightpearlBadRequest`  other 4xx, and the 500s Brightpearl uses for client mistakes
                           (CMNC-018 unparsable filter, CMNC-044 bad PATCH op). Not retried;
                           `messages` holds Brightpearl's own words for the admin.
- `BrightpearlUnavailable` Brightpearl cannot answer now: 5xx after retries, outage, connection
                           errors, the per-call deadline, the throttle, the open circuit breaker.
                           For a write it means "not executed" (safe to send again later).
- `UnknownOutcome`         a write was sent but its answer was lost: it may or may not have
                           happened. The outbox must look before it sends again.
"""

from __future__ import annotations

from typing import Any

# Brightpearl's "nothing found" code: on list GETs a 404 with it means an empty result.
NONE_FOUND_CODE = "CMNC-404"
# How Brightpearl's 404 for a path it does not serve begins (its "nothing found" says "No … Found").
UNKNOWN_URI_MESSAGE = "cannot find the resource"


class BrightpearlError(Exception):
    """Base class. `status` is the HTTP status (None without a response), `errors` the
    `errors` array of the body (list of {code, message}), `message` one readable line."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        ruid: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = list(errors or [])
        # Brightpearl's request id: quote it in support tickets.
        self.ruid = ruid

    @property
    def codes(self) -> list[str]:
        """Brightpearl error codes of the response, e.g. ["CMNC-404"]."""
        return [str(e.get("code", "")) for e in self.errors if isinstance(e, dict)]

    @property
    def messages(self) -> list[str]:
        """Brightpearl's own error messages (for an admin), or [message] when it sent none."""
        found = [str(e.get("message", "")) for e in self.errors if isinstance(e, dict) and e.get("message")]
        return found or [self.message]


class BrightpearlAuthError(BrightpearlError):
    """Brightpearl rejected the portal's credentials (401, or 403)."""


class BrightpearlNotFound(BrightpearlError):
    """404: unknown resource, or no results for a list GET."""

    @property
    def unknown_uri(self) -> bool:
        """True when Brightpearl does not know the path at all ("Cannot find the resource …"):
        the portal called something wrong, which is an error, never an empty result."""
        return any(m.strip().casefold().startswith(UNKNOWN_URI_MESSAGE) for m in self.messages)

    @property
    def none_found(self) -> bool:
        """True when Brightpearl said "no results" (CMNC-404, "No Contact Found") rather than
        "unknown URI".

        API note: Brightpearl answers 404 CMNC-404 both for "no such id" and for a mistyped
        path (API-ADDENDUM behaviour 8); only the message tells them apart."""
        return NONE_FOUND_CODE in self.codes and not self.unknown_uri


class BrightpearlBadRequest(BrightpearlError):
    """Brightpearl refused the request as invalid; sending it again will not help."""


class BrightpearlUnavailable(BrightpearlError):
    """Brightpearl cannot answer now. `reason` is one of: "server_error", "connection",
    "timeout", "deadline", "throttled", "circuit_open", "bad_response"."""

    def __init__(self, message: str, *, reason: str = "server_error", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason


class UnknownOutcome(BrightpearlError):
    """A write reached (or may have reached) Brightpearl but its answer was lost."""


def is_none_found(exc: BaseException) -> bool:
    """True for the 404 CMNC-404 that Brightpearl uses for "a list GET found nothing"."""
    return isinstance(exc, BrightpearlNotFound) and exc.none_found
