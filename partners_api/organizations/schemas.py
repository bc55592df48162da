"""Schemas of organizations: the resource, its create and patch bodies, list filters, facets."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar

import marshmallow as ma
from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import (
    TIME_EXAMPLE,
    Code,
    CountryCode,
    LanguageCode,
    StrictBoolean,
    Timestamp,
    TrimmedString,
    json_schema_pattern,
    not_after_this_year,
)
from partners_api.organizations.models import SECTORS, STATUSES
from partners_api.organizations.names import MAX_NAMES, NAME_TYPES

SLUG_PATTERN = r"^(?=.*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*\Z"
# The same pattern for the spec, where JSON Schema's regular expressions end with `$`.
RESERVED_SLUGS = ("facets", "resolve", "duplicates")  # the paths beside /organizations/{ref}

# Whether the caller may read an organization's contact e-mail, by organization id.
# Each request sets it from its key; elsewhere (CLI, tests) contacts stay hidden.
contact_visibility: ContextVar[Callable[[int], bool]] = ContextVar(
    "contact_visibility", default=lambda _organization_id: False
)
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


class NameSchema(Schema):
    """One of an organization's names, in ROR v2's shape."""

    value = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"example": "Institut de sécurité de l'IA du Royaume-Uni"},
    )
    lang = LanguageCode(
        load_default=None,
        allow_none=True,
        metadata={"description": "ISO 639-1 code; null when not known.", "example": "fr"},
    )
    types = fields.List(
        fields.String(validate=validate.OneOf(NAME_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(NAME_TYPES)),
        metadata={"example": ["label"]},
    )

    @ma.post_load
    def sort_types(self, data: dict, **kwargs) -> dict:
        """Keep each type once, sorted."""
        data["types"] = sorted(set(data["types"]))
        return data


NAMES_DESCRIPTION = (
    "Its names in every language, each a label, an alias or an acronym (ROR v2's shape). "
    "The name is always among them as a label and the acronym as an acronym; given on a "
    "write, the list replaces the one before."
)
NAMES_EXAMPLE = [
    {"value": "Masakhane", "lang": None, "types": ["label"]},
    {"value": "Masakhane Research Foundation", "lang": "en", "types": ["alias"]},
]


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
    names = fields.List(
        fields.Nested(NameSchema),
        metadata={"description": NAMES_DESCRIPTION, "example": NAMES_EXAMPLE},
    )
    description = fields.String(
        metadata={"example": "A grassroots community for NLP research in African languages."}
    )
    city = fields.String(allow_none=True, metadata={"example": "Johannesburg"})
    operating_regions = fields.List(fields.String(), metadata={"example": ["sub-saharan-africa"]})
    regions = fields.List(
        fields.String(),
        metadata={
            "description": "Every region it lies in or operates in (read-only).",
            "example": ["africa", "global-south", "southern-africa", "sub-saharan-africa"],
        },
    )
    languages = fields.List(fields.String(), metadata={"example": ["en", "sw", "yo"]})
    website = fields.String(allow_none=True, metadata={"example": "https://www.masakhane.io"})
    contact_email = fields.String(
        allow_none=True,
        metadata={
            "description": "Shown only to admin, read:contacts and the organization's "
            "own keys; absent otherwise.",
            "example": "contact@masakhane.io",
        },
    )
    founded_year = fields.Integer(allow_none=True, metadata={"example": 2019})
    open_to_dialogue = fields.Boolean(metadata={"example": True})
    offers = fields.List(fields.String(), metadata={"example": ["linguistic-diversity"]})
    seeks = fields.List(fields.String(), metadata={"example": ["compute-access"]})
    external_ids = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"example": {"wikidata": "Q96373493"}},
    )
    status = fields.String(
        metadata={
            "enum": list(STATUSES),
            "description": "active, archived, or merged into the organization `successor_id` "
            "names (read-only).",
            "example": "active",
        }
    )
    successor_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The organization this one was merged into (read-only); null "
            "unless its status is merged.",
            "example": None,
        },
    )
    created_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})
    updated_at = fields.DateTime(metadata={"example": TIME_EXAMPLE})

    @ma.post_dump
    def hide_contacts(self, data: dict, **kwargs) -> dict:
        """Drop contact_email unless the caller may read this organization's contacts."""
        if not contact_visibility.get()(data["id"]):
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
            validate.NoneOf(RESERVED_SLUGS, error="This slug is reserved."),
        ],
        metadata={
            "description": "URL name; made from the name when left out on create.",
            "pattern": json_schema_pattern(SLUG_PATTERN),
            "example": "masakhane",
        },
    )
    name = TrimmedString(
        validate=validate.Length(min=1, max=300), metadata={"example": "Masakhane"}
    )
    acronym = TrimmedString(
        allow_none=True, validate=validate.Length(min=1, max=50), metadata={"example": None}
    )
    names = fields.List(
        fields.Nested(NameSchema),
        validate=validate.Length(max=MAX_NAMES),
        metadata={"description": NAMES_DESCRIPTION, "example": NAMES_EXAMPLE},
    )
    sector = fields.String(validate=validate.OneOf(SECTORS), metadata={"example": "civil_society"})
    description = fields.String(
        validate=validate.Length(max=5000),
        metadata={"example": "A grassroots community for NLP research in African languages."},
    )
    country = CountryCode(
        metadata={"description": "Headquarters, ISO 3166-1 alpha-2.", "example": "ZA"}
    )
    city = TrimmedString(
        allow_none=True,
        validate=validate.Length(min=1, max=200),
        metadata={"example": "Johannesburg"},
    )
    operating_regions = fields.List(
        Code(), validate=validate.Length(max=50), metadata={"example": ["sub-saharan-africa"]}
    )
    languages = fields.List(
        LanguageCode(), validate=validate.Length(max=50), metadata={"example": ["en", "sw", "yo"]}
    )
    website = fields.Url(
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
        metadata={"example": "https://www.masakhane.io"},
    )
    contact_email = fields.Email(
        allow_none=True,
        validate=validate.Length(max=320),
        metadata={"example": "contact@masakhane.io"},
    )
    founded_year = fields.Integer(
        allow_none=True,
        strict=True,
        validate=[validate.Range(min=1000), not_after_this_year],
        metadata={"example": 2019},
    )
    open_to_dialogue = StrictBoolean(metadata={"example": True})
    offers = fields.List(
        Code(), validate=validate.Length(max=50), metadata={"example": ["linguistic-diversity"]}
    )
    seeks = fields.List(
        Code(), validate=validate.Length(max=50), metadata={"example": ["compute-access"]}
    )
    external_ids = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "Identifiers in other registries, by scheme: "
            + ", ".join(EXTERNAL_ID_PATTERNS),
            "example": {"wikidata": "Q96373493"},
        },
    )

    @ma.validates_schema
    def check_external_ids(self, data: dict, **kwargs) -> None:
        """Reject external ids of unknown schemes or in the wrong format."""
        errors = external_id_errors(data.get("external_ids") or {})
        if errors:
            raise ma.ValidationError({"external_ids": errors})

    @ma.post_load
    def drop_repeats(self, data: dict, **kwargs) -> dict:
        """Drop repeated items from the lists, keeping the first of each."""
        for key in ("operating_regions", "languages", "offers", "seeks"):
            if key in data:
                data[key] = _unique(data[key])
        return data


class OrganizationCreateSchema(OrganizationPatchSchema):
    """A new organization; name, sector and country are required."""

    name = TrimmedString(
        required=True, validate=validate.Length(min=1, max=300), metadata={"example": "Masakhane"}
    )
    sector = fields.String(
        required=True, validate=validate.OneOf(SECTORS), metadata={"example": "civil_society"}
    )
    country = CountryCode(required=True, metadata={"example": "ZA"})


class OrganizationCreateArgsSchema(QueryArgsSchema):
    """Options of a create."""

    allow_duplicate = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Create it even when its name resolves to an organization of "
            "the same country already in the directory (else 409 probable_duplicate)."
        },
    )


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
        Code(),
        metadata={"description": "Region codes; includes regions below and operating regions."},
    )
    topic = fields.List(
        Code(),
        metadata={"description": "Topic slugs offered or sought; includes topics below."},
    )
    offers = fields.List(Code(), metadata={"description": "Topic slugs offered."})
    seeks = fields.List(Code(), metadata={"description": "Topic slugs sought."})
    language = fields.List(LanguageCode())
    open_to_dialogue = fields.Boolean()
    status = fields.List(
        fields.String(validate=validate.OneOf(STATUSES)),
        load_default=lambda: ["active"],
        metadata={"description": "Default: active only."},
    )
    updated_since = Timestamp(
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

    value = fields.String(metadata={"example": "KE"})
    name = fields.String(
        metadata={"description": "Display name, where the value is a code.", "example": "Kenya"}
    )
    count = fields.Integer(metadata={"example": 6})


class FacetsSchema(Schema):
    """Counts of the filtered organizations by sector, country, region, topic and language."""

    total = fields.Integer(metadata={"example": 105})
    sector = fields.List(fields.Nested(FacetValueSchema))
    country = fields.List(fields.Nested(FacetValueSchema))
    region = fields.List(fields.Nested(FacetValueSchema))
    topic = fields.List(fields.Nested(FacetValueSchema))
    language = fields.List(fields.Nested(FacetValueSchema))
