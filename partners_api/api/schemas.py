"""The marshmallow Schema bases every request and response schema derives from."""

from __future__ import annotations

import marshmallow as ma

from partners_api.fields import require_storable_text


class Schema(ma.Schema):
    """Base schema: unknown fields are an error, output keeps declaration order.

    Every string it holds follows the API's one rule for text (`fields.TEXT_PATTERN`),
    checked on load with a 422 naming the field and shown in the spec as its pattern;
    but not in a schema that `quotes_input` (an error report may quote anything sent).
    """

    quotes_input = False

    class Meta:
        unknown = ma.RAISE
        ordered = True

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        """Hold the field's strings to the rule for text, unless the schema quotes input."""
        if not self.quotes_input:
            require_storable_text(field_obj)


class QueryArgsSchema(Schema):
    """Base of query-string schemas: parameters of other schemas (page, …) pass through."""

    class Meta:
        unknown = ma.EXCLUDE
