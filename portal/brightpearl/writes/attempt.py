"""What a delivery of a queued write is given (the outbox's attempt satisfies it)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol


class WriteAttempt(Protocol):
    """What a delivery is given about one queued write."""

    @property
    def contact_id(self) -> int | None: ...
    @property
    def target_id(self) -> int | None: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def result(self) -> Mapping[str, Any]: ...  # what earlier attempts saved
    @property
    def created_at(self) -> datetime: ...
    @property
    def retry(self) -> bool: ...  # an earlier attempt was sent: look before writing
