"""Prometheus metrics: requests, latency and flags, in a registry owned by the app.

With ``--workers N`` a scrape reaches whichever worker accepts it, so per-worker counts would jump around.
``moderate serve`` then sets ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's own multiprocess mode, which
must be set before the workers import it): every worker writes its values there, and any worker's
``/metrics`` sums them all.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

#: Paths reported by name; anything else is counted as "other" so scanners cannot blow up label cardinality.
KNOWN_PATHS = frozenset(
    {
        "/v1alpha1/comments:analyze",
        "/v1alpha1/comments:suggestscore",
        "/$discovery/rest",
        "/coral/v1/moderate",
        "/v1/score",
        "/healthz",
        "/readyz",
        "/metrics",
    }
)

#: Methods reported by name; any other string a client sends as a method is counted as "other".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})

#: What comments:analyze did about the requested language (see :mod:`moderation.service.perspective`).
LANGUAGE_OUTCOMES = ("native", "scored-as-english", "refused")

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class ServiceMetrics:
    def __init__(self, labels: tuple[str, ...]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._multiprocess_dir = os.environ.get(MULTIPROCESS_ENV)
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
        self.languages = Counter(
            "moderate_language_outcomes",
            "comments:analyze requests by what was done about their language: native (the model's own), "
            "scored-as-english (--languages score-as-english) or refused.",
            ("outcome",),
            registry=self.registry,
        )
        for outcome in LANGUAGE_OUTCOMES:
            self.languages.labels(outcome)
        self.feedback = Counter(
            "moderate_feedback_stored", "comments:suggestscore verdicts stored.", registry=self.registry
        )

    def observe_request(self, method: str, path: str, status: int, seconds: float) -> None:
        path = path if path in KNOWN_PATHS else "other"
        method = method if method in KNOWN_METHODS else "other"
        self.requests.labels(method, path, str(status)).inc()
        self.latency.labels(path).observe(seconds)

    def observe_flags(self, endpoint: str, flag_lists: list[list[str]]) -> None:
        self.scored.labels(endpoint).inc(len(flag_lists))
        for flags in flag_lists:
            for label in flags:
                self.flags.labels(label).inc()

    def observe_language(self, outcome: str) -> None:
        self.languages.labels(outcome).inc()

    def exposition(self) -> bytes:
        if self._multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=self._multiprocess_dir)
        return generate_latest(merged)
