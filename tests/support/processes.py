"""Helpers for tests that start servers: a free port, waiting for a process to answer, stopping it."""

from __future__ import annotations

import socket
import subprocess
import time

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
