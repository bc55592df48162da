"""The marshmallow Schema bases every request and response schema derives from."""

from __future__ import annotations

import marshmallow as ma


class Schema(ma.Schema):
    """Base schema: unknown fields are an error, output keeps declaration order."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class QueryArgsSchema(Schema):
    """Base of query-string schemas: parameters of other schemas (page, …) pass through."""

    class Meta:
        unknown = ma.EXCLUDE
