"""Observability: request ids, JSON or text logs, and Prometheus metrics of requests."""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, g, request

from partners_api.observability.logs import configure_logging
from partners_api.observability.request_ids import HEADER, request_id_for

EXTENSION = "partners_metrics"
# Set in the WSGI environ of a request the server makes of itself (the warm-up's rehearsal):
# neither counted in the metrics nor against any rate limit.
UNCOUNTED = "partners_api.uncounted"


def init_observability(app: Flask) -> None:
    """Configure logs and metrics; give every request an id, echoed on every response."""
    # Imported here, not above: see the metrics module on prometheus_client's import.
    from partners_api.observability.metrics import RequestMetrics

    configure_logging(app.config["LOG_FORMAT"])
    app.extensions[EXTENSION] = RequestMetrics()
    app.before_request(start_request)
    app.after_request(finish_request)


def start_request() -> None:
    """Take the request's id from X-Request-ID or make one, and start its clock."""
    g.request_id = request_id_for(request.headers.get(HEADER))
    g.request_started = time.perf_counter()


def finish_request(response: Response) -> Response:
    """Set X-Request-ID on the response and count the request with its latency."""
    if "request_id" not in g:  # an earlier hook answered before start_request ran
        start_request()
    response.headers[HEADER] = g.request_id
    if request.environ.get(UNCOUNTED):
        return response
    rule = request.url_rule
    current_app.extensions[EXTENSION].observe(
        method=request.method,
        endpoint=rule.rule if rule is not None else None,
        status=response.status_code,
        seconds=time.perf_counter() - g.request_started,
    )
    return response


def render_metrics() -> bytes:
    """The current application's metrics in Prometheus text format."""
    return current_app.extensions[EXTENSION].render()
