"""Prometheus metrics of one portal app (DESIGN §5.4).

Each app gets its own `CollectorRegistry`, so several apps in one test process never clash.
We use prometheus-client (the reference Python client) rather than formatting text by hand.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    """The counters and gauges the portal exposes at /metrics."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.brightpearl_requests = Counter(
            "portal_brightpearl_requests",
            "HTTP calls made to Brightpearl (or the sandbox).",
            ["method", "resource", "status"],
            registry=self.registry,
        )
        self.cache_hits = Counter("portal_cache_hits", "Cache lookups served from memory.", registry=self.registry)
        self.cache_misses = Counter(
            "portal_cache_misses", "Cache lookups that needed Brightpearl.", registry=self.registry
        )
        self.cache_stale_served = Counter(
            "portal_cache_stale_served",
            "Stale cache entries served because Brightpearl failed.",
            registry=self.registry,
        )
        self.requests_remaining = Gauge(
            "portal_brightpearl_requests_remaining",
            "brightpearl-requests-remaining from the last Brightpearl response.",
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "portal_outbox_pending", "Writes waiting to be delivered to Brightpearl.", registry=self.registry
        )
        self.circuit_open = Gauge(
            "portal_brightpearl_circuit_open",
            "1 while the circuit breaker of any Brightpearl endpoint family is open.",
            registry=self.registry,
        )
        self.credentials_rejected = Gauge(
            "portal_brightpearl_credentials_rejected",
            "1 while Brightpearl rejects the portal's credentials (401/403): fix the configuration.",
            registry=self.registry,
        )
        self.logins = Counter("portal_logins", "Login attempts.", ["outcome"], registry=self.registry)

    def render(self) -> bytes:
        """Return the Prometheus text exposition of every metric."""
        return generate_latest(self.registry)

    def cache_counts(self) -> tuple[int, int]:
        """(hits, misses) of the cache since the process started (the admin's health page)."""
        return int(_total(self.cache_hits)), int(_total(self.cache_misses))

    def brightpearl_call_count(self) -> int:
        """Total Brightpearl calls so far (tests and benchmarks count calls with this)."""
        total = 0.0
        for metric in self.brightpearl_requests.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    total += sample.value
        return int(total)


def _total(counter: Counter) -> float:
    return sum(sample.value for metric in counter.collect() for sample in metric.samples if sample.name.endswith("_total"))
