"""Schemas of partnership links and of an organization's partners."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import TIME_EXAMPLE, Id
from partners_api.organizations.schemas import OrganizationSummarySchema
from partners_api.partnerships.models import KINDS, STATUSES


class PartnershipSchema(Schema):
    """A link between two organizations."""

    id = fields.Integer(metadata={"example": 12})
    kind = fields.String(metadata={"enum": list(KINDS), "example": "research"})
    status = fields.String(metadata={"enum": list(STATUSES), "example": "active"})
    proposer = fields.Nested(OrganizationSummarySchema)
    partner = fields.Nested(OrganizationSummarySchema)
    description = fields.String(metadata={"example": "Speech data for Southern African languages."})
    started_on = fields.Date(allow_none=True, metadata={"example": "2023-04-01"})
    ended_on = fields.Date(allow_none=True, metadata={"example": None})
    origin_dialogue_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The held dialogue both sides took part in that the link came "
            "out of, if any.",
            "example": 4,
        },
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class PartnershipCreateSchema(Schema):
    """A proposed link; admin may record it as active directly."""

    proposer_id = Id(required=True, metadata={"example": 3})
    partner_id = Id(required=True, metadata={"example": 7})
    kind = fields.String(
        required=True, validate=validate.OneOf(KINDS), metadata={"example": "research"}
    )
    description = fields.String(
        validate=validate.Length(max=2000),
        load_default="",
        metadata={"example": "Speech data for Southern African languages."},
    )
    status = fields.String(
        validate=validate.OneOf(("proposed", "active")),
        metadata={"description": "`active` records an existing link (admin only)."},
    )
    started_on = fields.Date(
        metadata={"description": "For links recorded as active.", "example": "2023-04-01"}
    )
    origin_dialogue_id = Id(
        allow_none=True,
        metadata={
            "description": "The dialogue the link came out of: a held dialogue that both "
            "the proposer and the partner took part in (else 409 `dialogue_not_held` or 422 "
            "`unknown_dialogue`, `not_a_participant`).",
            "example": 4,
        },
    )


class PartnershipQueryArgsSchema(QueryArgsSchema):
    """Filters of the partnership list."""

    organization = Id(strict=False, metadata={"description": "Links with this organization."})
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)))
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    origin_dialogue = Id(
        strict=False, metadata={"description": "Links that came out of this dialogue."}
    )


class PartnerQueryArgsSchema(QueryArgsSchema):
    """Filters of one organization's partners."""

    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)))
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))


class PartnerSchema(Schema):
    """One of an organization's links, with the organization at the other end."""

    organization = fields.Nested(
        OrganizationSummarySchema, metadata={"description": "The other side."}
    )
    partnership = fields.Nested(PartnershipSchema)
