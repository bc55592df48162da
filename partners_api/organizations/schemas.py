"""Schemas of organizations: the resource, its create and patch bodies, list filters, facets."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import marshmallow as ma
import pycountry
from marshmallow import fields, validate

from partners_api import auth
from partners_api.api import QueryArgsSchema, Schema
from partners_api.organizations.models import SECTORS, STATUSES

SLUG_PATTERN = r"^(?=.*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*$"
SORTS = ("name", "-name", "created_at", "-created_at", "updated_at", "-updated_at")
EXTERNAL_ID_PATTERNS = {
    "ror": (r"^0[a-z0-9]{6}[0-9]{2}$", "a ROR id such as 0abcde123"),
    "wikidata": (r"^Q[1-9][0-9]*$", "a Wikidata item id such as Q42"),
    "lei": (r"^[A-Z0-9]{18}[0-9]{2}$", "a 20-character LEI"),
    "isni": (r"^[0-9]{15}[0-9X]$", "a 16-character ISNI"),
    "grid": (r"^grid\.[0-9]+\.[0-9a-f]+$", "a GRID id such as grid.1234.5"),
    "crossref_funder": (r"^[0-9]{9,12}$", "a Crossref Funder Registry number"),
    "opencorporates": (r"^[a-z]{2}(_[a-z]{2})?/.+$", "an OpenCorporates id such as gb/01234567"),
}


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code, accepted in any case and returned upper-case."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if pycountry.countries.get(alpha_2=code) is None:
            raise ma.ValidationError(f"'{value}' is not an ISO 3166-1 alpha-2 country code.")
        return code


class LanguageCode(fields.String):
    """An ISO 639-1 language code, accepted in any case and returned lower-case."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ma.ValidationError(f"'{value}' is not an ISO 639-1 language code.")
        return code


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


def external_id_errors(value: dict) -> dict[str, list[str]]:
    """Messages for external ids of unknown schemes or in the wrong format."""
    errors = {}
    for scheme, identifier in value.items():
        if scheme not in EXTERNAL_ID_PATTERNS:
            errors[scheme] = [f"Unknown scheme; use one of: {', '.join(EXTERNAL_ID_PATTERNS)}."]
            continue
        pattern, description = EXTERNAL_ID_PATTERNS[scheme]
        if not re.fullmatch(pattern, identifier):
            errors[scheme] = [f"Expected {description}."]
    return errors


class OrganizationSummarySchema(Schema):
    """The short form of an organization, used where others refer to it."""

    id = fields.Integer(metadata={"example": 7})
    slug = fields.String(metadata={"example": "masakhane"})
    name = fields.String(metadata={"example": "Masakhane"})
    sector = fields.String(metadata={"enum": list(SECTORS), "example": "civil_society"})
    country = fields.String(attribute="country_code", metadata={"example": "ZA"})


class OrganizationSchema(OrganizationSummarySchema):
    """An organization of the directory."""

    acronym = fields.String(allow_none=True, metadata={"example": None})
    description = fields.String()
    city = fields.String(allow_none=True, metadata={"example": "Johannesburg"})
    operating_regions = fields.List(fields.String(), metadata={"example": ["sub-saharan-africa"]})
    regions = fields.List(
        fields.String(),
        metadata={"description": "Every region it lies in or operates in (read-only)."},
    )
    languages = fields.List(fields.String(), metadata={"example": ["en", "sw", "yo"]})
    website = fields.String(allow_none=True, metadata={"example": "https://www.masakhane.io"})
    contact_email = fields.String(
        allow_none=True,
        metadata={
            "description": "Shown only to admin, read:contacts and the organization's "
            "own keys; absent otherwise."
        },
    )
    founded_year = fields.Integer(allow_none=True, metadata={"example": 2019})
    open_to_dialogue = fields.Boolean()
    offers = fields.List(fields.String(), metadata={"example": ["linguistic-diversity"]})
    seeks = fields.List(fields.String(), metadata={"example": ["compute-access"]})
    external_ids = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"example": {"wikidata": "Q96373493"}},
    )
    status = fields.String(metadata={"enum": list(STATUSES)})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    @ma.post_dump(pass_original=True)
    def hide_contacts(self, data: dict, organization, **kwargs) -> dict:
        """Drop contact_email unless the caller may read this organization's contacts."""
        if not auth.current_principal().can_read_contacts(organization.id):
            data.pop("contact_email", None)
        return data


class OrganizationPatchSchema(Schema):
    """Fields of an organization that can be changed; all optional."""

    slug = fields.String(
        validate=[
            validate.Length(min=2, max=100),
            validate.Regexp(
                SLUG_PATTERN,
                error="Use lower-case letters, digits and "
                "single hyphens, with at least one letter.",
            ),
        ],
        metadata={"description": "URL name; made from the name when left out on create."},
    )
    name = fields.String(validate=validate.Length(min=1, max=300))
    acronym = fields.String(allow_none=True, validate=validate.Length(min=1, max=50))
    sector = fields.String(validate=validate.OneOf(SECTORS))
    description = fields.String(validate=validate.Length(max=5000))
    country = CountryCode(metadata={"description": "Headquarters, ISO 3166-1 alpha-2."})
    city = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    operating_regions = fields.List(fields.String(), validate=validate.Length(max=50))
    languages = fields.List(LanguageCode(), validate=validate.Length(max=50))
    website = fields.Url(
        allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500)
    )
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    founded_year = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1000, max=datetime.now(UTC).year),
    )
    open_to_dialogue = fields.Boolean()
    offers = fields.List(fields.String(), validate=validate.Length(max=50))
    seeks = fields.List(fields.String(), validate=validate.Length(max=50))
    external_ids = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "Identifiers in other registries, by scheme: "
            + ", ".join(EXTERNAL_ID_PATTERNS)
        },
    )

    @ma.validates_schema
    def check_external_ids(self, data: dict, **kwargs) -> None:
        """Reject external ids of unknown schemes or in the wrong format."""
        errors = external_id_errors(data.get("external_ids") or {})
        if errors:
            raise ma.ValidationError({"external_ids": errors})

    @ma.post_load
    def normalize(self, data: dict, **kwargs) -> dict:
        """Trim names, drop repeated list items, and check offers and seeks are disjoint."""
        for key in ("name", "acronym", "city"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip()
        for key in ("operating_regions", "languages", "offers", "seeks"):
            if key in data:
                data[key] = _unique(data[key])
        both = set(data.get("offers", ())) & set(data.get("seeks", ()))
        if both:
            raise ma.ValidationError(
                f"A topic cannot be both offered and sought: {', '.join(sorted(both))}.", "seeks"
            )
        return data


class OrganizationCreateSchema(OrganizationPatchSchema):
    """A new organization; name, sector and country are required."""

    name = fields.String(
        required=True, validate=validate.Length(min=1, max=300), metadata={"example": "Masakhane"}
    )
    sector = fields.String(
        required=True, validate=validate.OneOf(SECTORS), metadata={"example": "civil_society"}
    )
    country = CountryCode(required=True, metadata={"example": "ZA"})


class OrganizationFilterArgsSchema(QueryArgsSchema):
    """Filters shared by the organization list, facets and exports."""

    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Words to find in name, acronym or description; "
            "case- and accent-insensitive."
        },
    )
    sector = fields.List(fields.String(validate=validate.OneOf(SECTORS)))
    country = fields.List(CountryCode())
    region = fields.List(
        fields.String(),
        metadata={"description": "Region codes; includes regions below and operating regions."},
    )
    topic = fields.List(
        fields.String(),
        metadata={"description": "Topic slugs offered or sought; includes topics below."},
    )
    offers = fields.List(fields.String(), metadata={"description": "Topic slugs offered."})
    seeks = fields.List(fields.String(), metadata={"description": "Topic slugs sought."})
    language = fields.List(LanguageCode())
    open_to_dialogue = fields.Boolean()
    status = fields.List(
        fields.String(validate=validate.OneOf(STATUSES)),
        load_default=lambda: ["active"],
        metadata={"description": "Default: active only."},
    )
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "ISO 8601; only organizations changed at or after this time."},
    )


class OrganizationQueryArgsSchema(OrganizationFilterArgsSchema):
    """Filters and order of the organization list."""

    sort = fields.String(
        load_default="id",
        validate=validate.OneOf(("id", *SORTS)),
        metadata={"description": "Order; ties break on id. Default: id."},
    )


class FacetValueSchema(Schema):
    """One value of a facet and how many organizations have it."""

    value = fields.String()
    name = fields.String(metadata={"description": "Display name, where the value is a code."})
    count = fields.Integer()


class FacetsSchema(Schema):
    """Counts of the filtered organizations by sector, country, region, topic and language."""

    total = fields.Integer()
    sector = fields.List(fields.Nested(FacetValueSchema))
    country = fields.List(fields.Nested(FacetValueSchema))
    region = fields.List(fields.Nested(FacetValueSchema))
    topic = fields.List(fields.Nested(FacetValueSchema))
    language = fields.List(fields.Nested(FacetValueSchema))
