"""Schemas of export and import requests and of the import report."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.dialogues.models import INVITATION_STATUSES
from partners_api.dialogues.models import STATUSES as DIALOGUE_STATUSES
from partners_api.exports.service import PARTNERSHIP_COLUMNS
from partners_api.fields import TIME_EXAMPLE
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


class DialogueExportArgsSchema(QueryArgsSchema):
    """Format and filters of the dialogue export."""

    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json", "ndjson")))
    status = fields.List(fields.String(validate=validate.OneOf(DIALOGUE_STATUSES)))


class InvitationExportArgsSchema(QueryArgsSchema):
    """Format and filters of the invitation export."""

    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json", "ndjson")))
    status = fields.List(
        fields.String(validate=validate.OneOf(INVITATION_STATUSES)),
        metadata={"description": "Status as of now (an overdue invitation is expired)."},
    )


class InvitationRecordSchema(Schema):
    """One invitation in an export, in the CSV's columns."""

    id = fields.Integer(metadata={"example": 31})
    dialogue_id = fields.Integer(metadata={"example": 4})
    organization_id = fields.Integer(metadata={"example": 7})
    organization_slug = fields.String(metadata={"example": "masakhane"})
    status = fields.String(metadata={"enum": list(INVITATION_STATUSES), "example": "accepted"})
    message = fields.String(metadata={"example": "We would value your voice."})
    answer_message = fields.String(metadata={"example": "Glad to join."})
    invited_by = fields.Integer(allow_none=True, metadata={"example": 2})
    answered_by = fields.Integer(allow_none=True, metadata={"example": 9})
    expires_at = fields.DateTime(allow_none=True, metadata={"example": TIME_EXAMPLE})
    answered_at = fields.DateTime(allow_none=True, metadata={"example": TIME_EXAMPLE})
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class SignalExportArgsSchema(QueryArgsSchema):
    """Format of the outcome signals export."""

    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json", "ndjson")))


class OutcomeSignalRecordSchema(Schema):
    """One would-work-together-again signal in an export: both sides by id and slug."""

    id = fields.Integer(metadata={"example": 31})
    dialogue_id = fields.Integer(metadata={"example": 4})
    from_organization_id = fields.Integer(metadata={"example": 3})
    from_slug = fields.String(metadata={"example": "lelapa-ai"})
    to_organization_id = fields.Integer(metadata={"example": 7})
    to_slug = fields.String(metadata={"example": "masakhane"})
    again = fields.Boolean(metadata={"example": True})
    note = fields.String(metadata={"example": "Would co-host the next one."})
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class DialogueParticipantRecordSchema(Schema):
    """A participant in a dialogue export."""

    organization_id = fields.Integer(metadata={"example": 7})
    slug = fields.String(metadata={"example": "masakhane"})
    role = fields.String(metadata={"example": "participant"})


class DialogueRecordSchema(Schema):
    """One dialogue in a JSON or NDJSON export; `invitations` and `outcome_signals` for
    conveners and admins."""

    id = fields.Integer(metadata={"example": 4})
    title = fields.String(metadata={"example": "AI Seoul Summit"})
    description = fields.String(metadata={"example": "Second summit on AI safety."})
    status = fields.String(metadata={"enum": list(DIALOGUE_STATUSES), "example": "held"})
    starts_on = fields.Date(allow_none=True, metadata={"example": "2024-05-21"})
    ends_on = fields.Date(allow_none=True, metadata={"example": "2024-05-22"})
    country = fields.String(allow_none=True, metadata={"example": "KR"})
    city = fields.String(allow_none=True, metadata={"example": "Seoul"})
    virtual = fields.Boolean(metadata={"example": False})
    capacity = fields.Integer(allow_none=True, metadata={"example": 22})
    topics = fields.List(fields.String(), metadata={"example": ["international-cooperation"]})
    participants = fields.List(fields.Nested(DialogueParticipantRecordSchema))
    invitation_counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Invitations by status.", "example": {"accepted": 18}},
    )
    invitations = fields.List(
        fields.Nested(InvitationRecordSchema),
        metadata={"description": "Only in exports for conveners and admins."},
    )
    partnerships_formed = fields.Integer(
        metadata={"description": "Partnerships that name it as their origin.", "example": 2}
    )
    signals_recorded = fields.Integer(
        metadata={"description": "Would-work-together-again signals recorded.", "example": 5}
    )
    outcome_signals = fields.List(
        fields.Nested(OutcomeSignalRecordSchema),
        metadata={"description": "Only in exports for conveners and admins."},
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
