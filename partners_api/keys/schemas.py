"""Schemas of API keys; the secret appears only in the answer that creates a key."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import Schema
from partners_api.fields import TIME_EXAMPLE, Id, TrimmedString
from partners_api.keys.models import SCOPES


class ApiKeySchema(Schema):
    """A key as listed: never its secret or hash."""

    id = fields.Integer(metadata={"example": 4})
    name = fields.String(metadata={"example": "Masakhane integration"})
    prefix = fields.String(
        metadata={
            "description": "Identifies the key in logs; the secret starts with pak_<prefix>_.",
            "example": "2866a7639e91",
        }
    )
    scopes = fields.List(fields.String(), metadata={"example": ["org:write"]})
    organization_id = fields.Integer(allow_none=True, metadata={"example": 7})
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    last_used_at = fields.DateTime(allow_none=True, metadata={"example": TIME_EXAMPLE})
    revoked_at = fields.DateTime(allow_none=True, metadata={"example": None})


class NewApiKeySchema(ApiKeySchema):
    """A key just created, with its secret, shown this once."""

    secret = fields.String(
        metadata={
            "description": "Send as 'Authorization: Bearer <secret>'. "
            "Store it now: it cannot be shown again.",
            "example": "pak_2866a7639e91_gmFQ0OCC6wcZF_-_nQj-FoMl-1cQOh8SZ5QGytKlzzU",
        }
    )


class ApiKeyCreateSchema(Schema):
    """A key to issue."""

    name = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"example": "Masakhane integration"},
    )
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
        metadata={"example": ["org:write"]},
    )
    organization_id = Id(
        allow_none=True,
        metadata={"description": "The organization an org:write key may act for.", "example": 7},
    )
