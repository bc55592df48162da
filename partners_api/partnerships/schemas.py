"""Schemas of partnership links, the network and introductions."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api import QueryArgsSchema, Schema
from partners_api.organizations.schemas import OrganizationSummarySchema
from partners_api.partnerships.models import KINDS, STATUSES


class PartnershipSchema(Schema):
    """A link between two organizations."""

    id = fields.Integer(metadata={"example": 12})
    kind = fields.String(metadata={"enum": list(KINDS), "example": "research"})
    status = fields.String(metadata={"enum": list(STATUSES), "example": "active"})
    proposer = fields.Nested(OrganizationSummarySchema)
    partner = fields.Nested(OrganizationSummarySchema)
    description = fields.String()
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PartnershipCreateSchema(Schema):
    """A proposed link; admin may record it as active directly."""

    proposer_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1), metadata={"example": 3}
    )
    partner_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1), metadata={"example": 7}
    )
    kind = fields.String(
        required=True, validate=validate.OneOf(KINDS), metadata={"example": "research"}
    )
    description = fields.String(validate=validate.Length(max=2000), load_default="")
    status = fields.String(
        validate=validate.OneOf(("proposed", "active")),
        metadata={"description": "`active` records an existing link (admin only)."},
    )
    started_on = fields.Date(metadata={"description": "For links recorded as active."})


class PartnershipQueryArgsSchema(QueryArgsSchema):
    """Filters of the partnership list."""

    organization = fields.Integer(
        validate=validate.Range(min=1), metadata={"description": "Links with this organization."}
    )
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

    depth = fields.Integer()


class NetworkEdgeSchema(Schema):
    """A tie: active links (by kind) and held dialogues shared."""

    source = fields.Integer()
    target = fields.Integer()
    weight = fields.Float(metadata={"description": "1 per active link, 0.5 per dialogue."})
    kinds = fields.List(fields.String())
    dialogues = fields.List(fields.Integer())


class NetworkSchema(Schema):
    """Nodes and edges around one organization."""

    nodes = fields.List(fields.Nested(NetworkNodeSchema))
    edges = fields.List(fields.Nested(NetworkEdgeSchema))
    truncated = fields.Boolean(metadata={"description": "True when max_nodes cut the walk."})


class IntroductionQueryArgsSchema(QueryArgsSchema):
    """Whom to be introduced to."""

    to = fields.String(required=True, metadata={"description": "Id or slug."})


class IntroductionsSchema(Schema):
    """Routes to an organization through mutual ties."""

    direct = fields.Boolean(metadata={"description": "True when an active link exists."})
    paths = fields.List(
        fields.List(fields.Integer()), metadata={"example": [[3, 9, 7], [3, 11, 14, 7]]}
    )
    organizations = fields.List(
        fields.Nested(OrganizationSummarySchema),
        metadata={"description": "Every organization on the paths."},
    )
