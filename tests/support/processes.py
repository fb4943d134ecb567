"""Helpers for tests that start servers: a free port, waiting for a process to answer, stopping it."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Terminate `process`, wait for it and close its output pipe."""
    process.terminate()
    try:
        process.wait(timeout=10)
    finally:
        if process.stdout:
            process.stdout.close()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    """Return once `url` answers 200; fail with the process's output if it ends first, or after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process ended: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


@contextmanager
def serving(config_for: Callable[[int], Any]) -> Iterator[str]:
    """Run uvicorn in a thread for the block, on a free port, with `config_for(port)` (a
    uvicorn.Config); yield its root URL, e.g. http://127.0.0.1:54321."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(config_for(port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def db_rows(path: Path, sql: str) -> list[tuple]:
    """The rows `sql` reads from the SQLite file at `path` (its own connection, closed after)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
