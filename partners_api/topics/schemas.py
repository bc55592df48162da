"""Schemas of topics."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import TIME_EXAMPLE, Code, TrimmedString, json_schema_pattern

SLUG_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z"
SLUG_MESSAGE = "Use lower-case letters, digits and single hyphens, starting with a letter."


class TopicSchema(Schema):
    """A topic of the expertise taxonomy."""

    slug = fields.String(metadata={"example": "model-evaluations"})
    name = fields.String(metadata={"example": "Model evaluations"})
    description = fields.String(metadata={"example": "Testing what AI models can do."})
    parent = fields.Function(
        lambda topic: topic.parent.slug if topic.parent else None,
        metadata={"type": "string", "nullable": True, "example": "ai-safety"},
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class TopicQueryArgsSchema(QueryArgsSchema):
    """Filters of the topic list."""

    parent = Code(metadata={"description": "Only the topics directly below this one."})


class TopicPatchSchema(Schema):
    """Fields of a topic that can be changed."""

    name = TrimmedString(
        validate=validate.Length(min=1, max=200), metadata={"example": "Model evaluations"}
    )
    description = fields.String(
        validate=validate.Length(max=2000), metadata={"example": "Testing what AI models can do."}
    )
    parent = Code(
        allow_none=True,
        metadata={
            "description": "Slug of the broader topic; null for a root.",
            "example": "ai-safety",
        },
    )


class TopicCreateSchema(TopicPatchSchema):
    """A new topic."""

    slug = fields.String(
        required=True,
        validate=[
            validate.Length(min=2, max=64),
            validate.Regexp(SLUG_PATTERN, error=SLUG_MESSAGE),
        ],
        metadata={"pattern": json_schema_pattern(SLUG_PATTERN), "example": "agentic-evaluations"},
    )
    name = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"example": "Agentic evaluations"},
    )
