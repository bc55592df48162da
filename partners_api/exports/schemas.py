"""Schemas of export and import requests and of the import report."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.exports.service import PARTNERSHIP_COLUMNS
from partners_api.organizations.models import SECTORS
from partners_api.organizations.schemas import OrganizationFilterArgsSchema, OrganizationSchema
from partners_api.partnerships.models import KINDS, STATUSES
from partners_api.partnerships.schemas import PartnershipSchema


class OrganizationExportArgsSchema(OrganizationFilterArgsSchema):
    """Format and every filter of the organization list."""

    format = fields.String(
        load_default="csv", validate=validate.OneOf(("csv", "json", "ndjson", "xlsx"))
    )


class PartnershipExportArgsSchema(QueryArgsSchema):
    """Format and filters of the partnership export."""

    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json", "ndjson")))
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)))
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))


class NetworkExportArgsSchema(QueryArgsSchema):
    """Format of the network export."""

    format = fields.String(
        load_default="graphml", validate=validate.OneOf(("graphml", "gexf", "json"))
    )


class ImportArgsSchema(QueryArgsSchema):
    """Whether to write or only check."""

    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Check every row and report what would happen, writing nothing."},
    )
    allow_duplicate = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Create new rows even when they resolve to an organization "
            "already in the directory."
        },
    )


class ImportErrorSchema(Schema):
    """One problem in the file."""

    quotes_input = True  # the field and message may quote what the file held

    row = fields.Integer(
        metadata={"description": "Data row, from 1 (the header is row 0).", "example": 3}
    )
    field = fields.String(metadata={"example": "country"})
    message = fields.String(metadata={"example": "'XX' is not an ISO 3166-1 alpha-2 country code."})


class ImportReportSchema(Schema):
    """What an import did, or would do."""

    dry_run = fields.Boolean(metadata={"example": False})
    created = fields.Integer(metadata={"example": 2})
    updated = fields.Integer(metadata={"example": 1})
    unchanged = fields.Integer(metadata={"example": 102})
    errors = fields.List(fields.Nested(ImportErrorSchema))


class OrganizationRecordSchema(OrganizationSchema):
    """One organization in a JSON or NDJSON export, or in a JSON import."""

    class Meta:
        exclude = ("regions",)


class PartnershipRecordSchema(PartnershipSchema):
    """One link in a JSON or NDJSON export: both sides by id and slug, in the CSV's columns."""

    class Meta(PartnershipSchema.Meta):
        fields = tuple(name for name, _, _ in PARTNERSHIP_COLUMNS)

    proposer_id = fields.Integer(metadata={"example": 3})
    proposer_slug = fields.String(metadata={"example": "lelapa-ai"})
    partner_id = fields.Integer(metadata={"example": 7})
    partner_slug = fields.String(metadata={"example": "masakhane"})


class GraphNodeSchema(Schema):
    """An organization in the network export."""

    id = fields.Integer(metadata={"example": 7})
    slug = fields.String(metadata={"example": "masakhane"})
    name = fields.String(metadata={"example": "Masakhane"})
    sector = fields.String(metadata={"enum": list(SECTORS), "example": "civil_society"})
    country = fields.String(metadata={"example": "ZA"})
    continent = fields.String(metadata={"example": "africa"})


class GraphEdgeSchema(Schema):
    """A tie between two organizations in the network export."""

    source = fields.Integer(metadata={"example": 3})
    target = fields.Integer(metadata={"example": 7})
    weight = fields.Float(
        metadata={"description": "1 per active link, 0.5 per held dialogue.", "example": 1.5}
    )
    kinds = fields.String(
        metadata={
            "description": "Kinds of the ties, ';'-separated.",
            "example": "research;dialogue",
        }
    )


class GraphSchema(Schema):
    """The network in node-link JSON, as networkx.node_link_graph reads it."""

    directed = fields.Boolean(metadata={"example": False})
    multigraph = fields.Boolean(metadata={"example": False})
    graph = fields.Dict(metadata={"example": {}})
    nodes = fields.List(fields.Nested(GraphNodeSchema))
    edges = fields.List(fields.Nested(GraphEdgeSchema))
