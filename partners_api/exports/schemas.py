"""Schemas of export and import requests and of the import report."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api import QueryArgsSchema, Schema
from partners_api.organizations.schemas import OrganizationFilterArgsSchema
from partners_api.partnerships.models import KINDS, STATUSES


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


class ImportErrorSchema(Schema):
    """One problem in the file."""

    row = fields.Integer(metadata={"description": "Data row, from 1 (the header is row 0)."})
    field = fields.String()
    message = fields.String()


class ImportReportSchema(Schema):
    """What an import did, or would do."""

    dry_run = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
