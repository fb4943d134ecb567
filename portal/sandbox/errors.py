"""Brightpearl-style failures: `ApiError` and the error answers several resources share.

Handlers raise `ApiError`; the app turns it into the wire response `{"errors":[{"code","message"}]}`.
Codes are the recorded ones (API.md) except CMNC-400, see `invalid`.
"""

from __future__ import annotations

from typing import Any


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


def invalid(message: str, *more: str) -> ApiError:
    """400 for a request Brightpearl would reject but whose real error code was not captured.

    One error per message (a POST that checks every field reports them all).

    API note: the sandbox uses the code CMNC-400 for all such validation errors (postal
    address fields, unknown status, duplicate externalRef, too many ids ...).  Clients should
    rely on the status and the `errors` array, not on this code.
    """
    return ApiError(400, "CMNC-400", message, *(("CMNC-400", text) for text in more))


def bad_patch(op: object, path: object) -> ApiError:
    """500 CMNC-044, the recorded answer to a JSON-Patch operation a path does not allow."""
    return ApiError(500, "CMNC-044", f"Invalid patch operation ({op}) for given path ({path})")


def internal_error() -> ApiError:
    """500 CMNU-003, Brightpearl's answer to its own failures (and the `error_rate` knob's)."""
    return ApiError(500, "CMNU-003", "Internal Server Error")
