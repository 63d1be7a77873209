"""Prometheus metrics for one worker: requests, latency and flags, in a registry owned by the app.

With ``--workers N`` each worker counts its own requests; a scrape sees the worker that answered it.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

#: Paths reported by name; anything else is counted as "other" so scanners cannot blow up label cardinality.
KNOWN_PATHS = frozenset(
    {
        "/v1alpha1/comments:analyze",
        "/coral/v1/moderate",
        "/v1/score",
        "/healthz",
        "/readyz",
        "/metrics",
    }
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class ServiceMetrics:
    def __init__(self, labels: tuple[str, ...]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "moderate_requests",
            "HTTP requests answered, by method, path and status code.",
            ("method", "path", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "moderate_request_latency_seconds",
            "Time from request start to the end of the response, by path.",
            ("path",),
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.scored = Counter(
            "moderate_comments_scored", "Comments scored.", ("endpoint",), registry=self.registry
        )
        self.flags = Counter(
            "moderate_flags", "Comments flagged, by label.", ("label",), registry=self.registry
        )
        for label in labels:
            self.flags.labels(label)  # so every label shows, at 0, before its first flag

    def observe_request(self, method: str, path: str, status: int, seconds: float) -> None:
        path = path if path in KNOWN_PATHS else "other"
        self.requests.labels(method, path, str(status)).inc()
        self.latency.labels(path).observe(seconds)

    def observe_flags(self, endpoint: str, flag_lists: list[list[str]]) -> None:
        self.scored.labels(endpoint).inc(len(flag_lists))
        for flags in flag_lists:
            for label in flags:
                self.flags.labels(label).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
