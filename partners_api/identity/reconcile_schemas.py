"""Schemas of the W3C Reconciliation Service API (v0.2) that /api/v1/reconcile speaks."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import MAX_INTEGER, TEXT_PATTERN, TrimmedString, storable_text

MAX_QUERY = 500
MAX_QUERIES = 1_000
BATCH_SIZE = 50  # what the manifest advises OpenRefine to send at once
DEFAULT_LIMIT = 5
MAX_LIMIT = 25  # a larger limit is answered with this many candidates at most
MAX_IDS = 20
MAX_ID = 200
SUGGEST_PAGE = 10
TYPE_STRICT = ("any", "should", "all")

ORGANIZATION_TYPE = {"id": "organization", "name": "Organization"}


def _text(max_length: int, **extra) -> dict:
    return {
        "type": "string",
        "pattern": TEXT_PATTERN,
        "minLength": 1,
        "maxLength": max_length,
        **extra,
    }


ENTITY_DOC = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": _text(MAX_ID), "name": _text(MAX_QUERY)},
    "additionalProperties": False,
}
SCALAR_DOCS = [_text(MAX_QUERY), {"type": "number"}, {"type": "boolean"}, ENTITY_DOC]


def _scalar(value) -> bool:
    """Whether a property value is of a form v0.2 allows: text, number, boolean or entity."""
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return 0 < len(value) <= MAX_QUERY
    if isinstance(value, dict):
        known = set(value) <= {"id", "name"} and "id" in value
        texts = all(isinstance(v, str) and 0 < len(v) <= MAX_QUERY for v in value.values())
        return known and texts and len(value["id"]) <= MAX_ID
    return False


def _texts_of(value) -> list[str]:
    """The strings a property value holds, to check them against the rule for text."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return []


class TypeIds(fields.Field):
    """A query's `type`: one type id, as OpenRefine sends it, or a list of them."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        values = value if isinstance(value, list) else [value]
        if not 0 < len(values) <= MAX_IDS or not all(
            isinstance(v, str) and 0 < len(v) <= MAX_ID for v in values
        ):
            raise ma.ValidationError("A type id, or a list of 1 to 20 type ids.")
        for text in values:
            storable_text(text)
        return values


class PropertyValue(fields.Field):
    """A property's `v`: text, a number, a boolean, an entity {id, name}, or a list of them."""

    def _deserialize(self, value, attr, data, **kwargs) -> list:
        values = value if isinstance(value, list) else [value]
        if not 0 < len(values) <= MAX_IDS or not all(_scalar(v) for v in values):
            raise ma.ValidationError(
                "Text, a number, a boolean, an entity {id, name}, or a list of 1 to 20 of them."
            )
        for item in values:
            for text in _texts_of(item):
                storable_text(text)
        return values


class PropertyConstraintSchema(Schema):
    """A property value the candidates should have: `country` or `sector`."""

    pid = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_ID),
        metadata={
            "description": "`country` (an ISO 3166-1 alpha-2 code or a country name) or "
            "`sector`; other properties are ignored.",
            "example": "country",
        },
    )
    v = PropertyValue(
        required=True,
        metadata={
            "oneOf": [
                *SCALAR_DOCS,
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_IDS,
                    "items": {"oneOf": SCALAR_DOCS},
                },
            ],
            "example": "GB",
        },
    )


class ReconciliationQuerySchema(Schema):
    """One query of a batch: a name, and what the candidates should be."""

    query = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=MAX_QUERY),
        metadata={
            "description": "The name, as the cell holds it.",
            "example": "Conseil de l'Europe",
        },
    )
    type = TypeIds(
        metadata={
            "description": "The type(s) wanted: `organization`, the only one there is; "
            "another type has no candidates.",
            "oneOf": [
                _text(MAX_ID),
                {"type": "array", "minItems": 1, "maxItems": MAX_IDS, "items": _text(MAX_ID)},
            ],
            "example": "organization",
        }
    )
    type_strict = fields.String(
        validate=validate.OneOf(TYPE_STRICT),
        metadata={
            "description": "Accepted and ignored, as v0.2 leaves it undefined.",
            "example": "should",
        },
    )
    limit = fields.Integer(
        strict=True,
        validate=validate.Range(min=1),
        metadata={
            "description": f"Candidates at most ({DEFAULT_LIMIT} when absent, "
            f"{MAX_LIMIT} at most whatever is asked).",
            "example": 3,
        },
    )
    properties = fields.List(
        fields.Nested(PropertyConstraintSchema),
        validate=validate.Length(max=MAX_IDS),
        metadata={
            "description": "`country` keeps the organizations of those countries; a "
            "`sector` other than theirs ranks candidates lower and never matches.",
        },
    )


class ReconcileArgsSchema(QueryArgsSchema):
    """GET on the endpoint: the manifest, or the answers to a batch given in the URL."""

    queries = fields.String(
        metadata={
            "description": "A query batch as JSON: an object of queries by key. Without "
            "it, the answer is the service manifest.",
            "example": '{"q0": {"query": "Conseil de l\'Europe", "type": "organization"}}',
        },
    )


class ReconcileFormSchema(Schema):
    """The form OpenRefine posts: the batch as JSON in the field `queries`."""

    queries = fields.String(
        required=True,
        metadata={
            "description": "A query batch as JSON: an object of queries by key.",
            "example": '{"q0": {"query": "AI Security Institute", "type": "organization", '
            '"properties": [{"pid": "country", "v": "GB"}], "limit": 3}}',
        },
    )


class ReconcileBodySchema(Schema):
    """A JSON body: the batch as an object in `queries`."""

    queries = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=MAX_ID)),
        values=fields.Nested(ReconciliationQuerySchema),
        required=True,
        validate=validate.Length(max=MAX_QUERIES),
        metadata={
            "maxProperties": MAX_QUERIES,
            "example": {
                "q0": {
                    "query": "AI Security Institute",
                    "type": "organization",
                    "limit": 3,
                    "properties": [{"pid": "country", "v": "GB"}],
                },
                "q1": {"query": "Masakhane"},
            },
        },
    )


class SuggestArgsSchema(QueryArgsSchema):
    """What OpenRefine's suggest widget sends: the text typed so far and a page offset."""

    prefix = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_QUERY),
        metadata={"description": "The text typed so far.", "example": "ai s"},
    )
    cursor = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_INTEGER),
        metadata={"description": "Suggestions to skip.", "example": 0},
    )


class PreviewArgsSchema(QueryArgsSchema):
    """The organization to preview."""

    id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_ID),
        metadata={
            "description": "The organization's id as reconciled: its slug (or numeric id).",
            "example": "uk-aisi",
        },
    )
