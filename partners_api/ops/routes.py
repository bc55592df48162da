"""Routes of /health, /ready and /metrics."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import fields

from partners_api.api.bases import Blueprint
from partners_api.api.schemas import Schema
from partners_api.db import database
from partners_api.observability import render_metrics
from partners_api.observability.metrics import CONTENT_TYPE
from partners_api.ops import service

blp = Blueprint(
    "operations",
    __name__,
    url_prefix="/api/v1",
    description="Liveness, readiness and metrics for load balancers, orchestrators and monitoring.",
)


class StatusSchema(Schema):
    """A status answer."""

    status = fields.String(metadata={"example": "ok"})
    detail = fields.String(metadata={"example": "ok"})


@blp.route("/health")
class HealthViews(MethodView):
    """Liveness."""

    rate_limited = False

    @blp.response(200, StatusSchema)
    @blp.doc(operationId="checkHealth")
    def get(self):
        """Check the process is alive

        Does not touch the database.
        """
        return {"status": "ok", "detail": "alive"}


@blp.route("/ready")
class ReadyViews(MethodView):
    """Readiness."""

    rate_limited = False

    @blp.response(200, StatusSchema)
    @blp.alt_response(503, schema=StatusSchema, description="Not ready.")
    @blp.doc(operationId="checkReadiness")
    def get(self):
        """Check the service can serve

        200 when the database answers and its schema is at the newest migration; else 503.
        """
        ready, detail = service.readiness(database().engine)
        return {"status": "ok" if ready else "unavailable", "detail": detail}, (
            200 if ready else 503
        )


@blp.route("/metrics")
class MetricsViews(MethodView):
    """Prometheus metrics."""

    rate_limited = False

    @blp.response(
        200,
        {"type": "string"},
        content_type=CONTENT_TYPE,
        description="Metrics in the Prometheus text format 0.0.4.",
    )
    @blp.doc(operationId="getMetrics")
    def get(self):
        """Read request counts and latencies

        `partners_api_http_requests_total` by method, route template and status, and
        `partners_api_http_request_duration_seconds` (a histogram) by method and route;
        under gunicorn, summed over every worker. Not rate limited.
        """
        return Response(render_metrics(), content_type=CONTENT_TYPE)
