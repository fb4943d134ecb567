"""Keep the secrets that ride in URLs out of the access log (security checklist REC-05).

Reset, verification and setup links carry their signed token in the path; uvicorn's access log
writes every request's path. `RedactTokenPaths` is a logging filter for the `uvicorn.access`
logger that replaces the token with "…" before the line is written.
"""

from __future__ import annotations

import logging
import re

# The paths whose last segment is a token (see the routes of areas passwords, registration, setup).
TOKEN_PATHS = re.compile(r"^(/password/reset/|/register/confirm/|/setup/)[^/?#\s]+")


def redact(path: str) -> str:
    """`path` with the token of a link's path replaced by "…"."""
    return TOKEN_PATHS.sub(r"\1…", path)


class RedactTokenPaths(logging.Filter):
    """Rewrite the path argument of uvicorn's access-log records (`client, method, path, …`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    """Add the filter to the access logger (once)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactTokenPaths) for f in logger.filters):
        logger.addFilter(RedactTokenPaths())
