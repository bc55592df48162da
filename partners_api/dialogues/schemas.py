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
from partners_api.partnerships.schemas import PartnershipSchema


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


class OutcomeSignalPutSchema(Schema):
    """Whether the recording organization would work with the other one again."""

    again = StrictBoolean(required=True, metadata={"example": True})
    note = TrimmedString(
        load_default="",
        validate=validate.Length(max=500),
        metadata={
            "description": "A short private note, read by the pair and conveners only.",
            "example": "Shared evaluation data within a week; would co-host next time.",
        },
    )


class OutcomeSignalSchema(Schema):
    """What one participant of a held dialogue says of another: private to the pair."""

    id = fields.Integer(metadata={"example": 31})
    dialogue_id = fields.Integer(metadata={"example": 4})
    from_organization = fields.Nested(
        OrganizationSummarySchema, metadata={"description": "The organization that said it."}
    )
    to_organization = fields.Nested(
        OrganizationSummarySchema, metadata={"description": "The organization it is about."}
    )
    again = fields.Boolean(metadata={"example": True})
    note = fields.String(
        metadata={"example": "Shared evaluation data within a week; would co-host next time."}
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class SectorPairCountSchema(Schema):
    """How many links joined organizations of two sectors (the same one twice if alike)."""

    sectors = fields.List(fields.String(), metadata={"example": ["academia", "government"]})
    count = fields.Integer(metadata={"example": 2})


class CrossRegionSchema(Schema):
    """How many links joined organizations of different continents, and of the same."""

    yes = fields.Integer(metadata={"example": 1})
    no = fields.Integer(metadata={"example": 2})


class OutcomeLinksSchema(Schema):
    """The partnerships that came out of a dialogue, counted several ways."""

    total = fields.Integer(metadata={"example": 3})
    by_kind = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"example": {"research": 3}}
    )
    by_status = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"example": {"active": 2, "proposed": 1}},
    )
    by_sector_pair = fields.List(fields.Nested(SectorPairCountSchema))
    cross_sector = fields.Integer(
        metadata={"description": "Links between two different sectors.", "example": 2}
    )
    cross_region = fields.Nested(
        CrossRegionSchema,
        metadata={"description": "Links across continents (headquarters), yes and no."},
    )
    items = fields.List(
        fields.Nested(PartnershipSchema), metadata={"description": "The links, by id."}
    )


class OutcomeSignalsSummarySchema(Schema):
    """Signals of a dialogue as far as the caller may see them."""

    recorded = fields.Integer(
        metadata={"description": "How many signals were recorded (shown to all).", "example": 4}
    )
    again = fields.Integer(
        metadata={"description": "How many say yes (conveners only).", "example": 3}
    )
    not_again = fields.Integer(
        metadata={"description": "How many say no (conveners only).", "example": 1}
    )
    items = fields.List(
        fields.Nested(OutcomeSignalSchema),
        metadata={
            "description": "Every signal for conveners; a participant's key sees those of its "
            "own pairs; nothing without a key."
        },
    )


class OutcomesSchema(Schema):
    """What came of a dialogue."""

    dialogue_id = fields.Integer(metadata={"example": 4})
    status = fields.String(metadata={"enum": list(STATUSES), "example": "held"})
    participants = fields.Integer(metadata={"example": 12})
    partnerships = fields.Nested(OutcomeLinksSchema)
    signals = fields.Nested(OutcomeSignalsSummarySchema)
