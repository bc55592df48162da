"""Routes of /health and /ready."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from partners_api.api import Blueprint, Schema
from partners_api.db import database
from partners_api.ops import service

blp = Blueprint(
    "operations",
    __name__,
    url_prefix="/api/v1",
    description="Liveness and readiness for load balancers and orchestrators.",
)


class StatusSchema(Schema):
    """A status answer."""

    status = fields.String(metadata={"example": "ok"})
    detail = fields.String(metadata={"example": "ok"})


@blp.route("/health")
class HealthViews(MethodView):
    """Liveness."""

    @blp.response(200, StatusSchema)
    def get(self):
        """Check the process is alive

        Does not touch the database.
        """
        return {"status": "ok", "detail": "alive"}


@blp.route("/ready")
class ReadyViews(MethodView):
    """Readiness."""

    @blp.response(200, StatusSchema)
    @blp.alt_response(503, schema=StatusSchema, description="Not ready.")
    def get(self):
        """Check the service can serve

        200 when the database answers and its schema is at the newest migration; else 503.
        """
        ready, detail = service.readiness(database().engine)
        return {"status": "ok" if ready else "unavailable", "detail": detail}, (
            200 if ready else 503
        )
