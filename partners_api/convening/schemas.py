"""Schemas of invitations, their answers, refills and the inbox."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.dialogues.invitations import status_of
from partners_api.dialogues.models import INVITATION_STATUSES, MESSAGE_LENGTH
from partners_api.fields import TIME_EXAMPLE, Id, Timestamp
from partners_api.matching.schemas import ComposeSchema, ConstraintReportSchema, RosterSchema
from partners_api.organizations.schemas import OrganizationSummarySchema


def _message(description: str, example: str) -> fields.String:
    return fields.String(
        validate=validate.Length(max=MESSAGE_LENGTH),
        load_default="",
        metadata={"description": description, "example": example},
    )


def _expiry() -> Timestamp:
    return Timestamp(
        allow_none=True,
        metadata={
            "description": "When unanswered invitations expire (default: the start of the "
            "dialogue's first day, if it has one).",
            "example": "2026-09-01T00:00:00+00:00",
        },
    )


class InvitationSchema(Schema):
    """An organization invited to a dialogue, and its answer."""

    id = fields.Integer(metadata={"example": 31})
    dialogue_id = fields.Integer(metadata={"example": 4})
    organization = fields.Nested(OrganizationSummarySchema)
    status = fields.Function(
        status_of,
        metadata={
            "type": "string",
            "enum": list(INVITATION_STATUSES),
            "description": "invited → accepted | declined | withdrawn | expired; accepted → "
            "declined | withdrawn. An invitation past `expires_at` reads as expired.",
            "example": "invited",
        },
    )
    message = fields.String(
        metadata={"description": "From the convener.", "example": "We would value your voice."}
    )
    answer_message = fields.String(
        metadata={"description": "From the invitee, with its answer.", "example": ""}
    )
    invited_by = fields.Integer(
        allow_none=True, metadata={"description": "Id of the key that invited.", "example": 2}
    )
    answered_by = fields.Integer(
        allow_none=True,
        metadata={"description": "Id of the key that answered or withdrew.", "example": None},
    )
    expires_at = fields.DateTime(allow_none=True, metadata={"example": TIME_EXAMPLE})
    answered_at = fields.DateTime(allow_none=True, metadata={"example": None})
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class InvitationCreateSchema(Schema):
    """Organizations to invite, by id or through a compose request."""

    organization_ids = fields.List(
        Id(),
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Organizations to invite.", "example": [7, 12]},
    )
    compose = fields.Nested(
        ComposeSchema,
        metadata={
            "description": "A body of POST /dialogues/compose: the roster it composes is "
            "invited, and the dialogue keeps the request and its ranked reserves."
        },
    )
    message = _message("To every organization invited.", "We would value your voice.")
    expires_at = _expiry()

    @ma.validates_schema
    def one_way(self, data: dict, **kwargs) -> None:
        """Exactly one of organization_ids and compose."""
        if ("organization_ids" in data) == ("compose" in data):
            raise ma.ValidationError("Give either organization_ids or compose.", "organization_ids")


class InvitationBatchSchema(Schema):
    """The invitations just made, and the roster composed when a compose request was given."""

    invitations = fields.List(fields.Nested(InvitationSchema))
    composed = fields.Nested(
        RosterSchema,
        allow_none=True,
        metadata={"description": "The roster composed; null without compose.", "example": None},
    )


class AnswerSchema(Schema):
    """An optional short message with an answer."""

    message = _message("To the convener.", "Glad to join; our director will attend.")


class RefillSchema(Schema):
    """Options of a refill."""

    message = _message("To every reserve invited.", "A seat has opened; would you join?")
    expires_at = _expiry()


class RefilledSchema(Schema):
    """A reserve invited by a refill, and the quotas it keeps."""

    invitation = fields.Nested(InvitationSchema)
    rank = fields.Integer(metadata={"description": "Its rank among the reserves.", "example": 2})
    keeps = fields.List(
        fields.String(),
        metadata={
            "description": "Minimums left short by a declined seat that it fills.",
            "example": ["sector_min.academia"],
        },
    )


class RefillReportSchema(Schema):
    """What a refill did and where the dialogue's quotas stand."""

    open_seats = fields.Integer(
        metadata={"description": "Seats open before the refill.", "example": 1}
    )
    invited = fields.List(fields.Nested(RefilledSchema))
    constraints = fields.List(
        fields.Nested(ConstraintReportSchema),
        metadata={"description": "The compose request's quotas over the live invitations."},
    )


class InvitationQueryArgsSchema(QueryArgsSchema):
    """Filters of a list of invitations."""

    status = fields.List(
        fields.String(validate=validate.OneOf(INVITATION_STATUSES)),
        metadata={"description": "Status as of now (an overdue invitation is expired)."},
    )
