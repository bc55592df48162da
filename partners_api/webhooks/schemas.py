"""Schemas of webhook subscriptions, their secrets and their deliveries."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import TIME_EXAMPLE, Id, StrictBoolean, TrimmedString
from partners_api.webhooks.events import KNOWN_EVENT_TYPES
from partners_api.webhooks.models import DELIVERY_STATUSES
from partners_api.webhooks.targets import MAX_URL_LENGTH

URL_EXAMPLE = "https://partners.example.org/hooks/partners-api"
SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
EVENT_TYPES_DESCRIPTION = "Any of: " + ", ".join(f"`{t}`" for t in KNOWN_EVENT_TYPES) + "."


class WebhookSchema(Schema):
    """A subscription: where events go, which ones, and its state."""

    id = fields.Integer(metadata={"example": 3})
    organization_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The organization whose events it receives; null for the whole "
            "directory (admin only).",
            "example": 7,
        },
    )
    url = fields.String(metadata={"example": URL_EXAMPLE})
    event_types = fields.List(
        fields.String(),
        metadata={"description": EVENT_TYPES_DESCRIPTION, "example": ["partnership.proposed"]},
    )
    description = fields.String(metadata={"example": "Our CRM"})
    active = fields.Boolean(metadata={"example": True})
    disabled_reason = fields.String(
        allow_none=True,
        metadata={
            "description": "Why the dispatcher disabled it (3 days of failed deliveries).",
            "example": None,
        },
    )
    failing_since = fields.DateTime(
        allow_none=True,
        metadata={"description": "Deliveries have failed since then.", "example": None},
    )
    previous_secret_expires_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "Until then the secret replaced by the last rotation signs too.",
            "example": None,
        },
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})


class NewWebhookSchema(WebhookSchema):
    """A new subscription, with its signing secret, shown this once."""

    secret = fields.String(
        metadata={
            "description": "The signing secret (Standard Webhooks); shown only now.",
            "example": SECRET_EXAMPLE,
        }
    )


class RotatedSecretSchema(Schema):
    """A new signing secret, shown this once."""

    secret = fields.String(metadata={"example": SECRET_EXAMPLE})
    previous_secret_expires_at = fields.DateTime(
        metadata={
            "description": "The previous secret signs too (a second signature) until then.",
            "example": TIME_EXAMPLE,
        }
    )


class WebhookPatchSchema(Schema):
    """What can change in a subscription."""

    url = TrimmedString(
        validate=validate.Length(min=1, max=MAX_URL_LENGTH),
        metadata={"description": "An https URL on a public address.", "example": URL_EXAMPLE},
    )
    event_types = fields.List(
        fields.String(validate=validate.Length(max=64)),
        validate=validate.Length(min=1, max=50),
        metadata={"description": EVENT_TYPES_DESCRIPTION, "example": ["partnership.proposed"]},
    )
    description = fields.String(validate=validate.Length(max=500), metadata={"example": "Our CRM"})
    active = StrictBoolean(
        metadata={"description": "true again clears `disabled_reason`.", "example": True}
    )


class WebhookCreateSchema(WebhookPatchSchema):
    """A new subscription."""

    url = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=MAX_URL_LENGTH),
        metadata={"description": "An https URL on a public address.", "example": URL_EXAMPLE},
    )
    event_types = fields.List(
        fields.String(validate=validate.Length(max=64)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": EVENT_TYPES_DESCRIPTION, "example": ["partnership.proposed"]},
    )
    organization_id = Id(
        metadata={
            "description": "Whose events: an organization's own key may name only its own "
            "(the default); admin any, or none for the whole directory.",
            "example": 7,
        }
    )


class WebhookQueryArgsSchema(QueryArgsSchema):
    """Filters of the subscription list."""

    organization = Id(strict=False, metadata={"description": "Subscriptions of this organization."})


class DeliveryQueryArgsSchema(QueryArgsSchema):
    """Filters of a subscription's deliveries."""

    status = fields.List(fields.String(validate=validate.OneOf(DELIVERY_STATUSES)))


class DeliverySchema(Schema):
    """One event sent (or to be sent) to a subscription, and how its attempts went."""

    id = fields.Integer(metadata={"example": 918})
    webhook_id = fields.String(
        metadata={
            "description": "The `webhook-id` header: the same on every retry and redelivery.",
            "example": "msg_918",
        }
    )
    event_type = fields.String(metadata={"example": "partnership.proposed"})
    change_id = fields.Integer(
        allow_none=True, metadata={"description": "The change of /changes.", "example": 1234}
    )
    status = fields.String(metadata={"enum": list(DELIVERY_STATUSES), "example": "succeeded"})
    attempts = fields.Integer(metadata={"example": 1})
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"example": None})
    last_attempt_at = fields.DateTime(allow_none=True, metadata={"example": TIME_EXAMPLE})
    response_status = fields.Integer(
        allow_none=True, metadata={"description": "The last answer's HTTP status.", "example": 204}
    )
    duration_ms = fields.Integer(
        allow_none=True, metadata={"description": "How long the last attempt took.", "example": 41}
    )
    error = fields.String(allow_none=True, metadata={"example": None})
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
