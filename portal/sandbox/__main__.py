"""Run the sandbox over HTTP: `python -m portal.sandbox --port 8765`.

Clients then use base URL `http://127.0.0.1:8765/public-api/demo` with the headers
`brightpearl-app-ref: demo_portal` and `brightpearl-staff-token: sandbox-staff-token`.
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import date
from pathlib import Path

from portal.sandbox.app import Sandbox, SandboxConfig


def main(argv: list[str] | None = None) -> None:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(prog="python -m portal.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--customers", type=int, default=defaults.customers)
    parser.add_argument("--orders", type=int, default=defaults.orders)
    parser.add_argument("--account", default=defaults.account)
    parser.add_argument("--app-ref", default=defaults.app_ref)
    parser.add_argument("--staff-token", default=defaults.staff_token)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--throttle-limit", type=int, default=defaults.throttle_limit)
    parser.add_argument("--journal", type=Path, default=None, help="JSON-lines file keeping writes across restarts")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="anchor date (YYYY-MM-DD)")
    parser.add_argument("--zone", default=defaults.zone,
                        help="the account's time zone: an IANA name (America/Chicago) or a UTC offset (-06:00)")
    args = parser.parse_args(argv)

    import uvicorn

    logging.basicConfig(level=logging.INFO)
    started = time.perf_counter()
    sandbox = Sandbox(SandboxConfig(
        seed=args.seed, customers=args.customers, orders=args.orders, account=args.account,
        app_ref=args.app_ref, staff_token=args.staff_token, latency_ms=args.latency_ms,
        error_rate=args.error_rate, throttle_limit=args.throttle_limit, journal_path=args.journal,
        today=args.today, zone=args.zone,
    ))
    logging.getLogger("portal.sandbox").info(
        "sandbox ready in %.0f ms: %d contacts, %d orders; base URL http://%s:%d/public-api/%s",
        (time.perf_counter() - started) * 1000, len(sandbox.data.contacts), len(sandbox.data.orders),
        args.host, args.port, args.account,
    )
    uvicorn.run(sandbox.app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
