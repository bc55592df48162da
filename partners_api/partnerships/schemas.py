"""Schemas of partnership links, the network and introductions."""

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


class PartnershipQueryArgsSchema(QueryArgsSchema):
    """Filters of the partnership list."""

    organization = Id(strict=False, metadata={"description": "Links with this organization."})
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)))
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))


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


class NetworkQueryArgsSchema(QueryArgsSchema):
    """How far to walk the network."""

    depth = fields.Integer(load_default=1, validate=validate.Range(min=1, max=3))
    max_nodes = fields.Integer(load_default=200, validate=validate.Range(min=2, max=1000))


class NetworkNodeSchema(OrganizationSummarySchema):
    """An organization of the network and its distance in hops."""

    depth = fields.Integer(metadata={"example": 1})


class NetworkEdgeSchema(Schema):
    """A tie: active links (by kind) and held dialogues shared."""

    source = fields.Integer(metadata={"example": 3})
    target = fields.Integer(metadata={"example": 7})
    weight = fields.Float(
        metadata={"description": "1 per active link, 0.5 per dialogue.", "example": 1.5}
    )
    kinds = fields.List(fields.String(), metadata={"example": ["research"]})
    dialogues = fields.List(fields.Integer(), metadata={"example": [4]})


class NetworkSchema(Schema):
    """Nodes and edges around one organization."""

    nodes = fields.List(fields.Nested(NetworkNodeSchema))
    edges = fields.List(fields.Nested(NetworkEdgeSchema))
    truncated = fields.Boolean(
        metadata={"description": "True when max_nodes cut the walk.", "example": False}
    )


class IntroductionQueryArgsSchema(QueryArgsSchema):
    """Whom to be introduced to."""

    to = fields.String(required=True, metadata={"description": "Id or slug."})


class IntroductionsSchema(Schema):
    """Routes to an organization through mutual ties."""

    direct = fields.Boolean(
        metadata={"description": "True when an active link exists.", "example": False}
    )
    paths = fields.List(
        fields.List(fields.Integer()), metadata={"example": [[3, 9, 7], [3, 11, 14, 7]]}
    )
    organizations = fields.List(
        fields.Nested(OrganizationSummarySchema),
        metadata={"description": "Every organization on the paths."},
    )
