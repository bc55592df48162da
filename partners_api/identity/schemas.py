"""Schemas of resolving names to organizations."""

from __future__ import annotations

from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import CountryCode, TrimmedString
from partners_api.identity.resolver import MATCHING_TYPES
from partners_api.organizations.models import SECTORS, STATUSES

MAX_QUERY = 500
MAX_BATCH = 1_000
MAX_CANDIDATES = 20


def _name(**kwargs) -> TrimmedString:
    return TrimmedString(
        validate=validate.Length(min=1, max=MAX_QUERY),
        metadata={
            "description": "A name as written anywhere: an acronym, another language, a "
            "city or country inside it.",
            "example": "Makerere Univ., Kampala, Uganda",
        },
        **kwargs,
    )


def _country(**kwargs) -> CountryCode:
    return CountryCode(
        metadata={
            "description": "Only organizations with their headquarters in this country.",
            "example": "UG",
        },
        **kwargs,
    )


def _limit() -> fields.Integer:
    return fields.Integer(
        load_default=5,
        validate=validate.Range(min=1, max=MAX_CANDIDATES),
        metadata={"description": "Candidates at most, per name.", "example": 5},
    )


class ResolveArgsSchema(QueryArgsSchema):
    """One name to resolve."""

    name = _name(required=True)
    country = _country()
    limit = _limit()


class ResolveQuerySchema(Schema):
    """One name of a batch, with its own country if known."""

    name = _name(required=True)
    country = _country()


class ResolveBatchSchema(Schema):
    """Up to 1,000 names to resolve at once."""

    queries = fields.List(
        fields.Nested(ResolveQuerySchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
        metadata={
            "example": [{"name": "UK AISI"}, {"name": "Makerere University", "country": "UG"}]
        },
    )
    limit = _limit()


class ResolvedOrganizationSchema(Schema):
    """The organization a candidate names."""

    id = fields.Integer(metadata={"example": 12})
    slug = fields.String(metadata={"example": "makerere-university"})
    name = fields.String(metadata={"example": "Makerere University"})
    sector = fields.String(metadata={"enum": list(SECTORS), "example": "academia"})
    country = fields.String(metadata={"example": "UG"})
    status = fields.String(metadata={"enum": list(STATUSES), "example": "active"})


class CandidateSchema(Schema):
    """An organization the name may mean, with how well and how it matched."""

    score = fields.Float(
        metadata={"description": "From 0 to 1; higher is closer.", "example": 0.96}
    )
    matching_type = fields.String(
        metadata={
            "enum": list(MATCHING_TYPES),
            "description": "exact: a name as written (case, accents, punctuation aside); "
            "acronym; alias: another of its names; phrase: every word of a name, in any "
            "order; fuzzy: close, with missing or mistyped words.",
            "example": "phrase",
        }
    )
    chosen = fields.Boolean(
        metadata={
            "description": "True on at most one candidate: the service is confident that "
            "the name means it.",
            "example": True,
        }
    )
    organization = fields.Nested(ResolvedOrganizationSchema)


class ResolutionSchema(Schema):
    """The candidates for one name, best first."""

    name = fields.String(metadata={"example": "Makerere Univ., Kampala, Uganda"})
    candidates = fields.List(fields.Nested(CandidateSchema))


class ResolutionsSchema(Schema):
    """The candidates for each name of a batch, in the order given."""

    results = fields.List(fields.Nested(ResolutionSchema))


class PairedOrganizationSchema(Schema):
    """One organization of a probable duplicate pair."""

    id = fields.Integer(metadata={"example": 12})
    slug = fields.String(metadata={"example": "makerere-university"})
    name = fields.String(metadata={"example": "Makerere University"})
    country = fields.String(metadata={"example": "UG"})


class EvidenceSchema(Schema):
    """One thing the two organizations share."""

    kind = fields.String(metadata={"enum": ["name", "external_id", "website"], "example": "name"})
    value = fields.String(
        metadata={
            "description": "The shared name (normalized), scheme:id or website.",
            "example": "makerere university",
        }
    )


class DuplicatePairSchema(Schema):
    """Two active organizations that are probably one, with the evidence."""

    organizations = fields.List(fields.Nested(PairedOrganizationSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))
