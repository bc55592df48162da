"""Schemas of the network around an organization and of introductions through it."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.organizations.schemas import OrganizationSummarySchema


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
    origin_dialogues = fields.List(
        fields.Integer(),
        metadata={
            "description": "Dialogues the pair's active links came out of.",
            "example": [4],
        },
    )


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
