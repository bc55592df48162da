"""Schemas of dialogues and their participants."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api import QueryArgsSchema, Schema
from partners_api.dialogues.models import ROLES, STATUSES
from partners_api.fields import Code, CountryCode, LanguageCode, TrimmedString
from partners_api.organizations.models import SECTORS
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


def _counts(keys: fields.Field, description: str) -> fields.Dict:
    return fields.Dict(
        keys=keys,
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=200)),
        metadata={"description": description},
    )


class ComposeSchema(Schema):
    """What a roster must look like."""

    size = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=2, max=200),
        metadata={"example": 22},
    )
    topics = fields.List(
        Code(),
        load_default=list,
        validate=validate.Length(max=30),
        metadata={
            "description": "Topics the roster should cover.",
            "example": ["model-evaluations", "linguistic-diversity"],
        },
    )
    min_countries = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=200)
    )
    max_per_country = fields.Integer(strict=True, validate=validate.Range(min=1, max=200))
    sector_min = _counts(
        fields.String(validate=validate.OneOf(SECTORS)),
        "At least this many from each sector named.",
    )
    sector_max = _counts(
        fields.String(validate=validate.OneOf(SECTORS)), "At most this many from each sector named."
    )
    region_min = _counts(Code(), "At least this many lying or operating in each region.")
    languages = fields.List(
        LanguageCode(),
        metadata={"description": "Only candidates working in at least one of these languages."},
    )
    include = fields.List(
        fields.Integer(strict=True),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "Ids that must be in the roster."},
    )
    exclude = fields.List(
        fields.Integer(strict=True), load_default=list, validate=validate.Length(max=10_000)
    )


class RosterMemberSchema(Schema):
    """A chosen organization, what it adds and which quotas it fills."""

    organization = fields.Nested(OrganizationSummarySchema)
    adds_topics = fields.List(fields.String())
    fills = fields.List(fields.String(), metadata={"example": ["sector_min.academia"]})


class ConstraintReportSchema(Schema):
    """One constraint: its target, the roster's value, and whether it holds."""

    name = fields.String(metadata={"example": "region_min.africa"})
    target = fields.Integer()
    actual = fields.Integer()
    satisfied = fields.Boolean()


class RosterReportSchema(Schema):
    """How the roster measures up."""

    size = fields.Integer()
    countries = fields.Integer()
    topic_coverage = fields.Float(metadata={"description": "In [0, 1]."})
    uncovered_topics = fields.List(fields.String())
    constraints = fields.List(fields.Nested(ConstraintReportSchema))


class RosterSchema(Schema):
    """A proposed roster and its report."""

    roster = fields.List(fields.Nested(RosterMemberSchema))
    report = fields.Nested(RosterReportSchema)
