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
    LanguageCode,
    StrictBoolean,
    TrimmedString,
)
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


def _counts(keys: fields.Field, description: str, example: dict) -> fields.Dict:
    return fields.Dict(
        keys=keys,
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=200)),
        metadata={"description": description, "example": example},
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
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=200),
        metadata={"example": 8},
    )
    max_per_country = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=200), metadata={"example": 3}
    )
    sector_min = _counts(
        fields.String(validate=validate.OneOf(SECTORS)),
        "At least this many from each sector named.",
        {"academia": 3, "civil_society": 3, "government": 2},
    )
    sector_max = _counts(
        fields.String(validate=validate.OneOf(SECTORS)),
        "At most this many from each sector named.",
        {"industry": 4},
    )
    region_min = _counts(
        Code(), "At least this many lying or operating in each region.", {"africa": 5}
    )
    languages = fields.List(
        LanguageCode(),
        metadata={
            "description": "Only candidates working in at least one of these languages.",
            "example": ["en", "fr"],
        },
    )
    include = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "Ids that must be in the roster.", "example": [7]},
    )
    exclude = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=10_000),
        metadata={"description": "Ids that must not be in the roster.", "example": [12]},
    )


class RosterMemberSchema(Schema):
    """A chosen organization, what it adds and which quotas it fills."""

    organization = fields.Nested(OrganizationSummarySchema)
    adds_topics = fields.List(fields.String(), metadata={"example": ["model-evaluations"]})
    fills = fields.List(fields.String(), metadata={"example": ["sector_min.academia"]})


class ConstraintReportSchema(Schema):
    """One constraint: its target, the roster's value, and whether it holds."""

    name = fields.String(metadata={"example": "region_min.africa"})
    target = fields.Integer(metadata={"example": 5})
    actual = fields.Integer(metadata={"example": 6})
    satisfied = fields.Boolean(metadata={"example": True})


class RosterReportSchema(Schema):
    """How the roster measures up."""

    size = fields.Integer(metadata={"example": 22})
    countries = fields.Integer(metadata={"example": 14})
    topic_coverage = fields.Float(metadata={"description": "In [0, 1].", "example": 0.9})
    uncovered_topics = fields.List(fields.String(), metadata={"example": ["compute-access"]})
    constraints = fields.List(fields.Nested(ConstraintReportSchema))


class RosterSchema(Schema):
    """A proposed roster and its report."""

    roster = fields.List(fields.Nested(RosterMemberSchema))
    report = fields.Nested(RosterReportSchema)
