"""Schemas of a merge: its body (the organization to merge into) and its answer."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import Schema
from partners_api.fields import MAX_INTEGER, TEXT_PATTERN, storable_text
from partners_api.organizations.schemas import OrganizationSchema, OrganizationSummarySchema

MAX_SLUG = 100


class OrganizationRefField(fields.Field):
    """An organization's id (a JSON integer) or slug (a string)."""

    default_error_messages = {"invalid": "Expected an organization's id or slug."}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "metadata",
            {
                "oneOf": [
                    {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
                    {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_SLUG,
                        "pattern": TEXT_PATTERN,
                    },
                ],
                "example": "masakhane",
            },
        )
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | str:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.make_error("invalid")
        if isinstance(value, int):
            validate.Range(min=1, max=MAX_INTEGER)(value)
            return value
        validate.Length(min=1, max=MAX_SLUG)(value)
        storable_text(value)
        return value


class MergeSchema(Schema):
    """The organization to merge into."""

    into = OrganizationRefField(required=True)


class MergedOrganizationSchema(OrganizationSummarySchema):
    """The duplicate as it is after the merge."""

    status = fields.String(metadata={"example": "merged"})
    successor_id = fields.Integer(metadata={"example": 7})


class ExternalIdConflictSchema(Schema):
    """An external id scheme both had with different values: the survivor's was kept."""

    scheme = fields.String(metadata={"example": "wikidata"})
    kept = fields.String(metadata={"example": "Q96373493"})
    dropped = fields.String(metadata={"example": "Q12345"})


class MergeResultSchema(Schema):
    """What a merge did."""

    duplicate = fields.Nested(MergedOrganizationSchema)
    survivor = fields.Nested(OrganizationSchema)
    partnerships_moved = fields.List(
        fields.Integer(),
        metadata={"description": "Links now of the survivor.", "example": [31, 40]},
    )
    partnerships_closed = fields.List(
        fields.Integer(),
        metadata={
            "description": "Open links of the duplicate closed (active → ended, proposed → "
            "declined): those with the survivor itself, and those the survivor already had "
            "an open link of the same kind with the same partner for.",
            "example": [35],
        },
    )
    dialogues = fields.List(
        fields.Integer(),
        metadata={"description": "Dialogues whose participants changed.", "example": [4]},
    )
    fields_changed = fields.List(
        fields.String(),
        data_key="fields",
        attribute="fields",
        metadata={"description": "The survivor's fields that changed.", "example": ["names"]},
    )
    external_id_conflicts = fields.List(fields.Nested(ExternalIdConflictSchema))
