"""Schemas of dialogues and their participants."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api import QueryArgsSchema, Schema
from partners_api.dialogues.models import ROLES, STATUSES
from partners_api.fields import Code, CountryCode, TrimmedString
from partners_api.organizations.schemas import OrganizationSummarySchema


class ParticipantSchema(Schema):
    """An organization taking part, and its role."""

    organization = fields.Nested(OrganizationSummarySchema)
    role = fields.String(metadata={"enum": list(ROLES), "example": "participant"})


class DialogueSchema(Schema):
    """A convening: topics, dates, place and participants."""

    id = fields.Integer(metadata={"example": 4})
    title = fields.String(metadata={"example": "AI Seoul Summit"})
    description = fields.String()
    topics = fields.List(fields.String(), metadata={"example": ["international-cooperation"]})
    status = fields.String(metadata={"enum": list(STATUSES), "example": "held"})
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    country = fields.String(allow_none=True, metadata={"example": "KR"})
    city = fields.String(allow_none=True, metadata={"example": "Seoul"})
    virtual = fields.Boolean()
    participants = fields.List(fields.Nested(ParticipantSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class DialoguePatchSchema(Schema):
    """Fields of a dialogue that can be changed."""

    title = TrimmedString(validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=5000))
    topics = fields.List(Code(), validate=validate.Length(max=20))
    status = fields.String(validate=validate.OneOf(STATUSES))
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    country = CountryCode(allow_none=True)
    city = TrimmedString(allow_none=True, validate=validate.Length(min=1, max=200))
    virtual = fields.Boolean()


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
    organization = fields.Integer(
        validate=validate.Range(min=1), metadata={"description": "Dialogues it takes part in."}
    )


class ParticipantPutSchema(Schema):
    """The role an organization takes in a dialogue."""

    role = fields.String(
        required=True, validate=validate.OneOf(ROLES), metadata={"example": "participant"}
    )
