"""Schemas of API keys; the secret appears only in the answer that creates a key."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api import Schema
from partners_api.fields import TrimmedString
from partners_api.keys.models import SCOPES


class ApiKeySchema(Schema):
    """A key as listed: never its secret or hash."""

    id = fields.Integer(metadata={"example": 4})
    name = fields.String(metadata={"example": "Masakhane integration"})
    prefix = fields.String(
        metadata={
            "description": "Identifies the key in logs; the secret starts with pak_<prefix>_."
        }
    )
    scopes = fields.List(fields.String(), metadata={"example": ["org:write"]})
    organization_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class NewApiKeySchema(ApiKeySchema):
    """A key just created, with its secret, shown this once."""

    secret = fields.String(
        metadata={
            "description": "Send as 'Authorization: Bearer <secret>'. "
            "Store it now: it cannot be shown again."
        }
    )


class ApiKeyCreateSchema(Schema):
    """A key to issue."""

    name = TrimmedString(required=True, validate=validate.Length(min=1, max=200))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
    )
    organization_id = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"description": "The organization an org:write key may act for."},
    )
