"""Schemas of dialogues and their participants."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.dialogues.models import ROLES, STATUSES
from partners_api.fields import (
    TIME_EXAMPLE,
    Code,
    CountryCode,
    Id,
    StrictBoolean,
    TrimmedString,
)
from partners_api.organizations.schemas import OrganizationSummarySchema


class ParticipantSchema(Schema):
    """An organization taking part, and its role."""

    organization = fields.Nested(OrganizationSummarySchema)
    role = fields.String(metadata={"enum": list(ROLES), "example": "participant"})


class DialogueSchema(Schema):
    """A convening: topics, dates, place and participants."""

    id = fields.Integer(metadata={"example": 4})
    title = fields.String(metadata={"example": "AI Seoul Summit"})
    description = fields.String(
        metadata={"example": "Second summit on AI safety, innovation and inclusivity."}
    )
    topics = fields.List(fields.String(), metadata={"example": ["international-cooperation"]})
    status = fields.String(metadata={"enum": list(STATUSES), "example": "held"})
    starts_on = fields.Date(allow_none=True, metadata={"example": "2024-05-21"})
    ends_on = fields.Date(allow_none=True, metadata={"example": "2024-05-22"})
    country = fields.String(allow_none=True, metadata={"example": "KR"})
    city = fields.String(allow_none=True, metadata={"example": "Seoul"})
    virtual = fields.Boolean(metadata={"example": False})
    participants = fields.List(fields.Nested(ParticipantSchema))
    capacity = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Seats for participants: accepting an invitation beyond it is "
            "refused (409 `dialogue_full`). Set by hand, or the size of the roster composed.",
            "example": 22,
        },
    )
    compose_request = fields.Dict(
        allow_none=True,
        metadata={
            "description": "The body of POST /dialogues/compose its invitations were made "
            "from, kept for refills; null when not composed.",
            "example": {"size": 22, "sector_min": {"academia": 3}},
        },
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class DialoguePatchSchema(Schema):
    """Fields of a dialogue that can be changed."""

    title = TrimmedString(
        validate=validate.Length(min=1, max=300),
        metadata={"example": "Evaluating AI in African languages"},
    )
    description = fields.String(
        validate=validate.Length(max=5000),
        metadata={"example": "Evaluators and language communities compare methods."},
    )
    topics = fields.List(
        Code(), validate=validate.Length(max=20), metadata={"example": ["model-evaluations"]}
    )
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"example": "planned"})
    starts_on = fields.Date(allow_none=True, metadata={"example": "2025-09-15"})
    ends_on = fields.Date(allow_none=True, metadata={"example": "2025-09-16"})
    country = CountryCode(allow_none=True, metadata={"example": "KE"})
    city = TrimmedString(
        allow_none=True, validate=validate.Length(min=1, max=200), metadata={"example": "Nairobi"}
    )
    virtual = StrictBoolean(metadata={"example": False})
    capacity = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "Seats for participants (null: no limit).", "example": 22},
    )


class DialogueCreateSchema(DialoguePatchSchema):
    """A new dialogue; a title is required, the status defaults to planned."""

    title = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"example": "Evaluating AI in African languages"},
    )


class DialogueQueryArgsSchema(QueryArgsSchema):
    """Filters of the dialogue list."""

    topic = fields.List(Code(), metadata={"description": "Includes topics below."})
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    organization = Id(strict=False, metadata={"description": "Dialogues it takes part in."})


class ParticipantPutSchema(Schema):
    """The role an organization takes in a dialogue."""

    role = fields.String(
        required=True, validate=validate.OneOf(ROLES), metadata={"example": "participant"}
    )
