"""Schemas of match requests and answers, and of roster composition."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.fields import Code, CountryCode, Id, LanguageCode
from partners_api.matching.scoring import DEFAULT_WEIGHTS
from partners_api.organizations.models import SECTORS
from partners_api.organizations.schemas import OrganizationSummarySchema

WEIGHT_FIELDS = {
    "w_reciprocity": "reciprocity",
    "w_shared": "shared_focus",
    "w_bridging": "bridging",
    "w_network": "network",
    "w_track_record": "track_record",
}


def _weight(component: str) -> fields.Float:
    return fields.Float(
        validate=validate.Range(min=0, max=1),
        allow_nan=False,
        metadata={
            "description": f"Weight of {component.replace('_', ' ')} "
            f"(default {DEFAULT_WEIGHTS[component]})."
        },
    )


class MatchQueryArgsSchema(QueryArgsSchema):
    """Filters (applied before scoring), weights and size of a match list."""

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    topic = fields.List(
        Code(),
        metadata={
            "description": "Candidates offering or seeking these topics or topics below them."
        },
    )
    region = fields.List(
        Code(), metadata={"description": "Candidates in or operating in these regions."}
    )
    sector = fields.List(fields.String(validate=validate.OneOf(SECTORS)))
    language = fields.List(LanguageCode())
    include_partners = fields.Boolean(
        load_default=False,
        metadata={"description": "Also list organizations with a proposed or active link."},
    )
    include_declined = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Also list organizations of a pair where one side declined the "
            "other's proposal within the last 12 months."
        },
    )
    w_reciprocity = _weight("reciprocity")
    w_shared = _weight("shared_focus")
    w_bridging = _weight("bridging")
    w_network = _weight("network")
    w_track_record = _weight("track_record")


class MatchProfileSchema(Schema):
    """A profile to match without an organization of the directory."""

    seeks = fields.List(
        Code(),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"example": ["model-evaluations"]},
    )
    offers = fields.List(
        Code(),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"example": ["linguistic-diversity"]},
    )
    sector = fields.String(
        validate=validate.OneOf(SECTORS),
        metadata={"description": "Your sector, for bridging.", "example": "academia"},
    )
    country = CountryCode(metadata={"description": "Your country, for bridging.", "example": "SN"})
    topics = fields.List(
        Code(), metadata={"description": "Filter: candidates' topics.", "example": ["ai-safety"]}
    )
    regions = fields.List(
        Code(), metadata={"description": "Filter: candidates' regions.", "example": ["europe"]}
    )
    sectors = fields.List(
        fields.String(validate=validate.OneOf(SECTORS)),
        metadata={
            "description": "Filter: candidates' sectors.",
            "example": ["ai_safety_institute"],
        },
    )
    languages = fields.List(
        LanguageCode(), metadata={"description": "Filter: languages.", "example": ["fr"]}
    )
    exclude = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=1000),
        metadata={"description": "Ids to leave out.", "example": [12]},
    )
    organization_id = Id(
        metadata={
            "description": "The organization of the directory this profile speaks for: it, "
            "and those of a pair where one side declined the other's proposal within the "
            "last 12 months, are left out.",
            "example": 3,
        }
    )
    include_declined = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Keep the declined pairs of `organization_id` in.",
            "example": False,
        },
    )
    limit = fields.Integer(
        load_default=10,
        strict=True,
        validate=validate.Range(min=1, max=100),
        metadata={"example": 10},
    )
    weights = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(DEFAULT_WEIGHTS))),
        values=fields.Float(validate=validate.Range(min=0, max=1), allow_nan=False),
        metadata={"example": {"reciprocity": 0.6, "network": 0.0}},
    )

    @ma.validates_schema
    def wants_something(self, data: dict, **kwargs) -> None:
        """A profile needs something to seek or offer."""
        if not data.get("seeks") and not data.get("offers"):
            raise ma.ValidationError("Name at least one topic you seek or offer.", "seeks")


class ComponentSchema(Schema):
    """One component of a score."""

    value = fields.Float(metadata={"description": "In [0, 1].", "example": 0.8})
    weight = fields.Float(metadata={"example": 0.45})
    contribution = fields.Float(metadata={"description": "value times weight.", "example": 0.36})


class ComponentsSchema(Schema):
    """The five components; their contributions sum to the score."""

    reciprocity = fields.Nested(ComponentSchema)
    shared_focus = fields.Nested(ComponentSchema)
    bridging = fields.Nested(ComponentSchema)
    network = fields.Nested(ComponentSchema)
    track_record = fields.Nested(ComponentSchema)


class IntroducerSchema(Schema):
    """A mutual partner who could make the introduction."""

    id = fields.Integer(metadata={"example": 3})
    name = fields.String(metadata={"example": "Lelapa AI"})


class MatchSchema(Schema):
    """One suggested partner and why."""

    organization = fields.Nested(OrganizationSummarySchema)
    score = fields.Float(metadata={"example": 0.71})
    components = fields.Nested(ComponentsSchema)
    they_offer_you_seek = fields.List(fields.String(), metadata={"example": ["red-teaming"]})
    you_offer_they_seek = fields.List(
        fields.String(), metadata={"example": ["linguistic-diversity"]}
    )
    shared_topics = fields.List(fields.String(), metadata={"example": ["ai-governance"]})
    introducers = fields.List(fields.Nested(IntroducerSchema))
    reasons = fields.List(
        fields.String(), metadata={"example": ["They offer red teaming, which you seek"]}
    )


class MatchesSchema(Schema):
    """Matches, best first; ties broken by organization id."""

    matches = fields.List(fields.Nested(MatchSchema))


def _counts(keys: fields.Field, description: str, example: dict) -> fields.Dict:
    return fields.Dict(
        keys=keys,
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=200)),
        metadata={"description": description, "example": example},
    )


class ComposeSchema(Schema):
    """What a roster must look like."""

    size = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=2, max=200),
        metadata={"example": 22},
    )
    topics = fields.List(
        Code(),
        load_default=list,
        validate=validate.Length(max=30),
        metadata={
            "description": "Topics the roster should cover.",
            "example": ["model-evaluations", "linguistic-diversity"],
        },
    )
    min_countries = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=200),
        metadata={"example": 8},
    )
    max_per_country = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=200), metadata={"example": 3}
    )
    sector_min = _counts(
        fields.String(validate=validate.OneOf(SECTORS)),
        "At least this many from each sector named.",
        {"academia": 3, "civil_society": 3, "government": 2},
    )
    sector_max = _counts(
        fields.String(validate=validate.OneOf(SECTORS)),
        "At most this many from each sector named.",
        {"industry": 4},
    )
    region_min = _counts(
        Code(), "At least this many lying or operating in each region.", {"africa": 5}
    )
    languages = fields.List(
        LanguageCode(),
        metadata={
            "description": "Only candidates working in at least one of these languages.",
            "example": ["en", "fr"],
        },
    )
    include = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=200),
        metadata={"description": "Ids that must be in the roster.", "example": [7]},
    )
    exclude = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=10_000),
        metadata={"description": "Ids that must not be in the roster.", "example": [12]},
    )
    rotation = fields.Float(
        load_default=0.0,
        validate=validate.Range(min=0, max=1),
        allow_nan=False,
        metadata={
            "description": "Fair rotation: how much organizations that took part in held "
            "dialogues of the last 24 months lose ground to comparable newcomers "
            "(0: not at all).",
            "example": 0.5,
        },
    )
    min_newcomers = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=200),
        metadata={
            "description": "At least this many members with no participation in a held "
            "dialogue of the last 24 months.",
            "example": 6,
        },
    )
    reserves = fields.Integer(
        strict=True,
        load_default=10,
        validate=validate.Range(min=0, max=100),
        metadata={
            "description": "How many ranked reserves to return beside the roster (at least "
            "the best 3 of each minimum's group come too).",
            "example": 10,
        },
    )


class RosterMemberSchema(Schema):
    """A chosen organization, what it adds and which quotas it fills."""

    organization = fields.Nested(OrganizationSummarySchema)
    adds_topics = fields.List(fields.String(), metadata={"example": ["model-evaluations"]})
    fills = fields.List(fields.String(), metadata={"example": ["sector_min.academia"]})
    recent_participations = fields.Integer(
        metadata={
            "description": "Held dialogues of the last 24 months it took part in.",
            "example": 0,
        }
    )


class ReserveSchema(Schema):
    """A candidate not chosen, ranked, and the minimums it could keep."""

    rank = fields.Integer(metadata={"description": "1 is the best reserve.", "example": 1})
    organization = fields.Nested(OrganizationSummarySchema)
    keeps = fields.List(
        fields.String(),
        metadata={
            "description": "The minimums it counts towards: replacing a member of one of "
            "these groups, it keeps that quota.",
            "example": ["sector_min.academia", "region_min.africa"],
        },
    )


class ConstraintReportSchema(Schema):
    """One constraint: its target, the roster's value, and whether it holds."""

    name = fields.String(metadata={"example": "region_min.africa"})
    target = fields.Integer(metadata={"example": 5})
    actual = fields.Integer(metadata={"example": 6})
    satisfied = fields.Boolean(metadata={"example": True})


class RosterReportSchema(Schema):
    """How the roster measures up."""

    size = fields.Integer(metadata={"example": 22})
    countries = fields.Integer(metadata={"example": 14})
    newcomers = fields.Integer(
        metadata={
            "description": "Members with no participation in a held dialogue of the last "
            "24 months.",
            "example": 7,
        }
    )
    topic_coverage = fields.Float(metadata={"description": "In [0, 1].", "example": 0.9})
    uncovered_topics = fields.List(fields.String(), metadata={"example": ["compute-access"]})
    constraints = fields.List(fields.Nested(ConstraintReportSchema))


class RosterSchema(Schema):
    """A proposed roster and its report."""

    roster = fields.List(fields.Nested(RosterMemberSchema))
    reserves = fields.List(
        fields.Nested(ReserveSchema),
        metadata={"description": "Candidates not chosen, best first, for declined seats."},
    )
    report = fields.Nested(RosterReportSchema)
