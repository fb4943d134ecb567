"""The write journal: committed writes appended as JSON lines and replayed at start-up.

An entry is the request itself (method, path, query, body) plus the moment it was handled, so
replaying it through the same handler on freshly generated data reproduces the same ids and
the same timestamps.  Lines that cannot be parsed (e.g. a torn last line after a crash) are
skipped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(self, at: str, method: str, path: str, query: str, body: bytes) -> None:
        """Append one committed write and flush it to the OS before the response goes out."""
        entry = {
            "v": FORMAT_VERSION,
            "at": at,
            "method": method,
            "path": path,
            "query": query,
            "body": body.decode("utf-8", errors="replace"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()

    def entries(self) -> Iterator[dict[str, Any]]:
        """The recorded writes in order (nothing if the file does not exist yet)."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    log.warning("sandbox journal %s: skipping unreadable line %d", self.path, number)
                    continue
                if isinstance(entry, dict) and entry.get("v") == FORMAT_VERSION:
                    yield entry
