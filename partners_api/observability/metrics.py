"""Request counts and latencies in Prometheus format, summed over gunicorn's workers.

prometheus_client chooses between in-process values and files shared by processes when it
is first imported, from PROMETHEUS_MULTIPROC_DIR. The gunicorn configuration sets that
variable, so this module is imported only once an application is built, never by the
package's own import.
"""

from __future__ import annotations

import functools
import os

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the endpoint label of a request that no route answers
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class RequestMetrics:
    """The request counter and latency histogram of one application."""

    def __init__(self) -> None:
        self.multiprocess = "PROMETHEUS_MULTIPROC_DIR" in os.environ
        # Shared values live in files whatever the registry: register them nowhere.
        self.registry = None if self.multiprocess else CollectorRegistry()
        self.requests = Counter(
            "partners_api_http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "partners_api_http_request_duration_seconds",
            "Time from a request's arrival to its response headers, by method and route.",
            ["method", "endpoint"],
            buckets=BUCKETS,
            registry=self.registry,
        )

    def observe(self, *, method: str, endpoint: str | None, status: int, seconds: float) -> None:
        """Count one answered request and its latency."""
        method = method if method in METHODS else "other"
        counter, histogram = self._series(method, endpoint or UNMATCHED, status)
        counter.inc()
        histogram.observe(seconds)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one instance per application)
    def _series(self, method: str, endpoint: str, status: int) -> tuple:
        """The counter and histogram of these labels, looked up once."""
        return (
            self.requests.labels(method, endpoint, str(status)),
            self.latency.labels(method, endpoint),
        )

    def render(self) -> bytes:
        """Every metric in Prometheus text format, from all workers in multiprocess mode."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
