"""Schemas of regions and countries."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import Code
from partners_api.regions.models import REGION_KINDS


class RegionSummarySchema(Schema):
    """A region as it appears in lists."""

    code = fields.String(metadata={"example": "eastern-africa"})
    name = fields.String(metadata={"example": "Eastern Africa"})
    kind = fields.String(metadata={"enum": list(REGION_KINDS), "example": "intermediate"})
    m49 = fields.String(
        allow_none=True, metadata={"description": "UN M49 numeric code.", "example": "014"}
    )
    parent = fields.String(
        attribute="parent_code", allow_none=True, metadata={"example": "sub-saharan-africa"}
    )
    description = fields.String(allow_none=True, metadata={"example": None})


class RegionSchema(RegionSummarySchema):
    """A region with the regions below it and the countries that lie in it."""

    children = fields.List(fields.String(), metadata={"example": []})
    countries = fields.List(fields.String(), metadata={"example": ["KE", "TZ", "UG"]})


class RegionQueryArgsSchema(QueryArgsSchema):
    """Filters of the region list."""

    kind = fields.List(
        fields.String(validate=validate.OneOf(REGION_KINDS)),
        metadata={"description": "Only regions of these kinds."},
    )
    parent = Code(metadata={"description": "Only the regions directly below this one."})


class CountrySchema(Schema):
    """An ISO 3166-1 country with every region it lies in."""

    code = fields.String(metadata={"description": "ISO 3166-1 alpha-2.", "example": "KE"})
    name = fields.String(metadata={"example": "Kenya"})
    alpha3 = fields.String(metadata={"example": "KEN"})
    numeric = fields.String(metadata={"example": "404"})
    region = fields.String(
        attribute="region_code",
        metadata={"description": "Its lowest M49 region.", "example": "eastern-africa"},
    )
    regions = fields.Method("region_codes", metadata={"example": ["africa", "eastern-africa"]})

    def region_codes(self, country) -> list[str]:
        """Codes of every region it lies in, M49 and groupings."""
        return [region.code for region in country.regions]


class CountryQueryArgsSchema(QueryArgsSchema):
    """Filters of the country list."""

    region = fields.List(
        Code(), metadata={"description": "Only countries lying in any of these regions."}
    )
