"""Schemas of change events."""

from __future__ import annotations

from marshmallow import fields

from partners_api.api.schemas import Schema
from partners_api.fields import TIME_EXAMPLE


class ChangeEventSchema(Schema):
    """One recorded change."""

    id = fields.Integer(metadata={"example": 1234})
    at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    entity = fields.String(metadata={"example": "organization"})
    entity_id = fields.String(metadata={"example": "7"})
    action = fields.String(metadata={"example": "updated"})
    fields_ = fields.List(
        fields.String(), data_key="fields", attribute="fields", metadata={"example": ["city"]}
    )
    actor = fields.Integer(
        attribute="actor_key_id",
        allow_none=True,
        metadata={"description": "Id of the key that made the change.", "example": 4},
    )
