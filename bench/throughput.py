"""Throughput benchmark: the logged-in order list against /healthz, in one run.

    ./run bench [--seconds 10] [--connections 32]

Starts `portal demo` in its own process on a free loopback port, logs in as alice, warms
the cache, then drives /healthz and /orders in turn with the same number of concurrent
keep-alive connections from a separate load process.  Prints requests per second, p50 and
p99 latency for each, their ratio (the figure to compare: machines are shared and noisy, so
only ratios taken in one run mean anything), the Brightpearl calls made during the warm
run (should be 0), the time until the demo served its first page, and the server's peak
memory.  Exits 1 when the order list reaches less than 0.20 of /healthz's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

METRICS_TOKEN = "bench-metrics-token"
MIN_RATIO = 0.20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(data: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_METRICS_TOKEN"] = METRICS_TOKEN
    env["PORTAL_LOGIN_ATTEMPTS_PER_MINUTE"] = "1000"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "demo", "--port", str(port), "--data", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    while True:
        if process.poll() is not None:
            raise SystemExit("portal demo exited during start-up")
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                return process, base, time.monotonic() - started
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > 60:
            raise SystemExit("portal demo did not answer within 60 s")
        time.sleep(0.02)


def log_in(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/login")
        response = client.post(
            "/login",
            data={
                "email": "alice@example.com",
                "password": "portal-demo-pass",
                "_csrf_token": client.cookies["csrftoken"],
            },
        )
        if response.status_code != 303:
            raise SystemExit(f"login failed: {response.status_code}")
        # Load a page as a browser would next: it sets the fresh CSRF cookie, which a browser
        # then sends along (without it every response would mint and set a new one).
        client.get("/").raise_for_status()
        return dict(client.cookies)


def brightpearl_calls(base: str) -> float:
    text = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10).text
    return sum(float(v) for v in re.findall(r"^portal_brightpearl_requests_total\{[^}]*\} (\S+)$", text, re.M))


async def _drive(base: str, path: str, cookies: dict, connections: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=30) as client:
        stop = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < stop:
                began = time.perf_counter()
                response = await client.get(path)
                if response.status_code != 200:
                    errors += 1
                latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(worker() for _ in range(connections)))
    if errors:
        raise SystemExit(f"{errors} non-200 answers from {path}")
    return latencies


def _load_process(args: tuple) -> list[float]:
    return asyncio.run(_drive(*args))


def drive(base: str, path: str, cookies: dict, connections: int, seconds: float) -> dict:
    """Load `path` for `seconds`; with wrk (C, far faster than any Python client) when installed."""
    if shutil.which("wrk"):
        return drive_wrk(base, path, cookies, connections, seconds)
    return drive_python(base, path, cookies, connections, seconds)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def drive_wrk(base: str, path: str, cookies: dict, connections: int, seconds: float) -> dict:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-H", f"Cookie: {cookie}", base + path],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"non-200 answers from {path}:\n{out}")

    def percentile(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)$", out, re.M).groups()
        return float(value) * _UNITS[unit]

    return {
        "path": path,
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
        "tool": "wrk",
    }


def drive_python(base: str, path: str, cookies: dict, connections: int, seconds: float) -> dict:
    # The load runs in its own process so it does not share the server's core budget by design.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        latencies = pool.apply(_load_process, ((base, path, cookies, connections, seconds),))
    latencies.sort()
    return {
        "path": path,
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "tool": "httpx (install wrk for sharper figures)",
    }


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sandbox_generation_ms() -> float:
    """How long building the demo sandbox (40 customers, 600 orders) takes, best of three."""
    from portal.sandbox import Sandbox, SandboxConfig

    times = []
    for _ in range(3):
        began = time.perf_counter()
        Sandbox(SandboxConfig())
        times.append(time.perf_counter() - began)
    return min(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        process, base, startup = start_demo(Path(data))
        try:
            cookies = log_in(base)
            for _ in range(3):
                httpx.get(f"{base}/orders", cookies=cookies, timeout=30).raise_for_status()
            before = brightpearl_calls(base)
            health = drive(base, "/healthz", cookies, options.connections, options.seconds)
            orders = drive(base, "/orders", cookies, options.connections, options.seconds)
            calls = brightpearl_calls(base) - before
            memory = peak_memory_mib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
    ratio = orders["rps"] / health["rps"]
    print(f"portal demo first page after {startup:.2f} s")
    for result in (health, orders):
        print(
            f"{result['path']:<9} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
            f"p99 {result['p99_ms']:6.1f} ms  ({result['requests']} requests, {options.connections} connections, "
            f"{result['tool']})"
        )
    print(f"order list / healthz throughput ratio: {ratio:.2f} (required >= {MIN_RATIO:.2f})")
    print(f"Brightpearl calls during the warm run: {calls:.0f}")
    print(f"server peak memory (VmHWM): {memory:.0f} MiB")
    print(f"sandbox demo data (40 customers, 600 orders) built in {sandbox_generation_ms():.0f} ms")
    return 0 if ratio >= MIN_RATIO and calls == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
