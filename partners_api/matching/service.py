"""Matching: whom an organization, or a profile, should talk to, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.db import utcnow
from partners_api.errors import Conflict, Unprocessable, unknown_values
from partners_api.matching import roster, scoring
from partners_api.matching.index import (
    CONTINENTS,
    MatchingIndex,
    current_index,
    expand_up,
)
from partners_api.matching.record import months_before
from partners_api.organizations import service as organizations
from partners_api.organizations.models import SECTORS, Organization
from partners_api.organizations.service import Standing
from partners_api.regions.models import CountryRegion

GLOBAL_SOUTH_BONUS = 0.25
MAX_INTRODUCERS = 5
DECLINE_MONTHS = 12  # a declined pair is not recommended again for this long


@dataclass
class MatchOptions:
    """Filters applied before scoring, weights, and how many to return."""

    topic: Sequence[str] = ()
    region: Sequence[str] = ()
    sector: Sequence[str] = ()
    language: Sequence[str] = ()
    exclude: Sequence[int] = ()
    include_partners: bool = False
    include_declined: bool = False
    weights: Mapping[str, float] = field(default_factory=lambda: dict(scoring.DEFAULT_WEIGHTS))
    limit: int = 10


def match_organization(
    session: Session, *, organization: Organization | Standing, options: MatchOptions
) -> list[dict[str, Any]]:
    """The best partners for an organization of the directory."""
    if organization.status != "active":
        raise Conflict("An archived organization has no matches.", code="archived")
    index = current_index(session)
    row = index.row_of[organization.id]
    profile = profile_of(index, row)
    excluded = set(options.exclude) | {organization.id}
    excluded |= _paired_with(
        index,
        row,
        open_links=not options.include_partners,
        declined=not options.include_declined,
    )
    return _rank(index, profile, options, excluded=excluded, seeker_row=row)


def seeker(session: Session, *, ref: str) -> Standing:
    """The organization to match, by id or slug: one the matching index holds is found
    with no query."""
    if organizations.is_id(ref) and indexed(session, int(ref)):
        return Standing(int(ref), "active")
    return organizations.standing(session, ref=ref)


def indexed(session: Session, org_id: int) -> bool:
    """Whether the matching index holds an organization: active at the version this session
    sees."""
    return org_id in current_index(session).row_of


def profile_of(index: MatchingIndex, row: int, *, with_place: bool = True) -> scoring.Profile:
    """The profile of an indexed organization (without sector and place if asked)."""
    return scoring.Profile(
        offers=index.offers.row(row),
        seeks=index.seeks.row(row),
        offers_up=index.offers_up.row(row),
        topics_up=index.topics_up.row(row),
        sector=int(index.sector[row]) if with_place else -1,
        continent=int(index.continent[row]) if with_place else -1,
        global_south=bool(index.global_south[row]) if with_place else None,
    )


def match_profile(
    session: Session, *, profile: Mapping[str, Any], options: MatchOptions
) -> list[dict[str, Any]]:
    """The best partners for a profile given in the request (seeks, offers, sector, …)."""
    index = current_index(session)
    columns = index.taxonomy.column
    for key in ("seeks", "offers"):
        _check_known(profile.get(key, ()), columns, key, "See GET /api/v1/topics.")
    offers = np.zeros(len(columns), dtype=bool)
    seeks = np.zeros(len(columns), dtype=bool)
    offers[[columns[s] for s in profile.get("offers", ())]] = True
    seeks[[columns[s] for s in profile.get("seeks", ())]] = True
    continent, global_south = _place(session, profile.get("country"))
    excluded = set(options.exclude) | _speaking_for(session, index, profile)
    seeker = scoring.Profile(
        offers=offers,
        seeks=seeks,
        offers_up=expand_up(offers, index.taxonomy),
        topics_up=np.maximum(expand_up(offers, index.taxonomy), expand_up(seeks, index.taxonomy)),
        sector=SECTORS.index(profile["sector"]) if profile.get("sector") else -1,
        continent=continent,
        global_south=global_south,
    )
    return _rank(index, seeker, options, excluded=excluded, seeker_row=None)


def _speaking_for(session: Session, index: MatchingIndex, profile: Mapping[str, Any]) -> set[int]:
    """The organization a profile speaks for and, unless asked, its declined pairs."""
    organization_id = profile.get("organization_id")
    if organization_id is None:
        return set()
    if organization_id not in index.row_of:
        raise Unprocessable.field("organization_id", f"No active organization {organization_id}.")
    if profile.get("include_declined"):
        return {organization_id}
    row = index.row_of[organization_id]
    return {organization_id} | _paired_with(index, row, open_links=False, declined=True)


def _place(session: Session, country: str | None) -> tuple[int, bool | None]:
    """Continent number and Global South membership of a country (unknown: -1, None)."""
    if country is None:
        return -1, None
    regions = set(
        session.scalars(
            select(CountryRegion.region_code).where(CountryRegion.country_code == country)
        )
    )
    continent = next((n for n, code in enumerate(CONTINENTS) if code in regions), -1)
    return continent, "global-south" in regions


def _paired_with(index: MatchingIndex, row: int, *, open_links: bool, declined: bool) -> set[int]:
    """The other side of an organization's open links (if asked) and (if asked) of its
    links declined within the last DECLINE_MONTHS, either way.

    From the matching index: every change of a link moves the directory version, so a
    decline holds on every worker from the moment it is committed.
    """
    since = None
    if declined:
        since = datetime.combine(
            months_before(utcnow().date(), DECLINE_MONTHS), datetime.min.time(), tzinfo=UTC
        ).timestamp()
    rows = index.paired(row, open_links=open_links, declined_since=since)
    return set(index.ids[rows].tolist())


def candidate_rows(index: MatchingIndex, options: MatchOptions, excluded: set[int]) -> np.ndarray:
    """Rows that pass the filters: open to dialogue, not excluded, in every filter given."""
    mask = index.open.copy()
    for org_id in excluded:
        row = index.row_of.get(org_id)
        if row is not None:
            mask[row] = False
    if options.topic:
        _check_known(options.topic, index.taxonomy.column, "topic", "See GET /api/v1/topics.")
        columns = np.concatenate(
            [index.taxonomy.below[index.taxonomy.column[t]] for t in options.topic]
        )
        mask &= index.offers.any(columns) | index.seeks.any(columns)
    if options.region:
        _check_known(options.region, index.in_region, "region", "See GET /api/v1/regions.")
        mask &= _rows_in(index.size, [index.in_region[r] for r in options.region])
    if options.sector:
        mask &= np.isin(index.sector, [SECTORS.index(s) for s in options.sector])
    if options.language:
        empty = np.empty(0, dtype=np.int64)
        mask &= _rows_in(index.size, [index.speaks.get(code, empty) for code in options.language])
    return np.flatnonzero(mask)


def _rows_in(size: int, groups: list[np.ndarray]) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for rows in groups:
        mask[rows] = True
    return mask


def _check_known(values, known, field: str, hint: str) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise unknown_values(field, unknown, hint)


def _rank(
    index: MatchingIndex,
    seeker: scoring.Profile,
    options: MatchOptions,
    *,
    excluded: set[int],
    seeker_row: int | None,
) -> list[dict[str, Any]]:
    """Score every candidate, keep the best, and explain each."""
    candidates = candidate_rows(index, options, excluded)
    components = {
        "reciprocity": scoring.reciprocity(seeker, index.offers_up, index.seeks, index.seeks_count),
        "shared_focus": scoring.shared_focus(seeker, index.topics_up, index.topics_sum),
        "bridging": scoring.bridging(
            seeker, index.sector, index.continent, index.global_south, GLOBAL_SOUTH_BONUS
        ),
        "network": scoring.scaled(_network(index, seeker_row), candidates),
        "track_record": index.record.track_record,
    }
    # A weight of 0 adds only zeros: left out, the sum is the same, two passes shorter.
    score = sum(
        (
            options.weights[name] * components[name]
            for name in scoring.COMPONENTS
            if options.weights[name]
        ),
        np.zeros(index.size),
    )
    best = scoring.top_rows(score, index.ids, candidates, options.limit)
    return [
        _explain(index, seeker, seeker_row, int(row), components, options.weights) for row in best
    ]


def _network(index: MatchingIndex, seeker_row: int | None) -> np.ndarray:
    if seeker_row is None:
        return np.zeros(index.size)
    graph = index.graph
    return scoring.adamic_adar(graph.ties(seeker_row), graph.tie_ptr, graph.tie_idx, index.size)


def _explain(
    index: MatchingIndex,
    seeker: scoring.Profile,
    seeker_row: int | None,
    row: int,
    values: Mapping[str, np.ndarray],
    weights: Mapping[str, float],
) -> dict[str, Any]:
    """One match with its components, the topics behind them, introducers and reasons."""
    components = {}
    for name in scoring.COMPONENTS:
        value = float(values[name][row])
        components[name] = {
            "value": value,
            "weight": weights[name],
            "contribution": weights[name] * value,
        }
    slugs = index.taxonomy.slugs
    offers, seeks = index.offers.row(row), index.seeks.row(row)
    offers_up = index.offers_up.row(row)
    they_offer = [slugs[t] for t in np.flatnonzero(seeker.seeks & (offers_up > 0))]
    they_seek = [slugs[t] for t in np.flatnonzero(seeks & (seeker.offers_up > 0))]
    mine = seeker.offers | seeker.seeks
    shared = [slugs[t] for t in np.flatnonzero(mine & (offers | seeks))]
    introducers = _introducers(index, seeker_row, row)
    return {
        "organization": summary(index, row),
        "score": sum(c["contribution"] for c in components.values()),
        "components": components,
        "they_offer_you_seek": they_offer,
        "you_offer_they_seek": they_seek,
        "shared_topics": shared,
        "introducers": introducers,
        "reasons": _topic_reasons(index, they_offer, they_seek, shared)
        + _bridging_reasons(index, seeker, row)
        + _tie_reasons(introducers, _shared_ties(index, seeker_row, row)),
    }


def summary(index: MatchingIndex, row: int) -> dict[str, Any]:
    """The short form of an indexed organization, as OrganizationSummarySchema dumps it."""
    return {
        "id": int(index.ids[row]),
        "slug": index.slugs[row],
        "name": index.names[row],
        "sector": SECTORS[index.sector[row]],
        "country_code": index.countries[row],
    }


def _introducers(index: MatchingIndex, seeker_row: int | None, row: int) -> list[dict]:
    """Mutual partners (active links with both), those with fewer ties first."""
    if seeker_row is None:
        return []
    graph = index.graph
    mutual = np.intersect1d(graph.partners(seeker_row), graph.partners(row))
    degree = dict(zip(mutual.tolist(), graph.degree(mutual).tolist(), strict=True))
    ordered = sorted(mutual.tolist(), key=lambda w: (degree[w], index.ids[w]))
    return [{"id": int(index.ids[w]), "name": index.names[w]} for w in ordered[:MAX_INTRODUCERS]]


def _shared_ties(index: MatchingIndex, seeker_row: int | None, row: int) -> int:
    """How many organizations both are tied to, by links or held dialogues."""
    if seeker_row is None:
        return 0
    return len(np.intersect1d(index.graph.ties(seeker_row), index.graph.ties(row)))


def _topic_reasons(
    index: MatchingIndex, they_offer: list[str], they_seek: list[str], shared: list[str]
) -> list[str]:
    """What each side brings the other, in words."""
    names = dict(zip(index.taxonomy.slugs, index.taxonomy.names, strict=True))

    def listed(slugs: list[str]) -> str:
        words = [names[s][0].lower() + names[s][1:] for s in slugs]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    reasons = []
    if they_offer:
        reasons.append(f"They offer {listed(they_offer)}, which you seek")
    if they_seek:
        reasons.append(f"They seek {listed(they_seek)}, which you offer")
    if shared:
        reasons.append(f"You both work on {listed(shared)}")
    return reasons


def _bridging_reasons(index: MatchingIndex, seeker: scoring.Profile, row: int) -> list[str]:
    """Which lines the match crosses: sector, continent, Global South and North."""
    sector = SECTORS[index.sector[row]].replace("_", " ")
    continent = int(index.continent[row])
    other_sector = seeker.sector >= 0 and index.sector[row] != seeker.sector
    other_continent = seeker.continent >= 0 and continent >= 0 and continent != seeker.continent
    reasons = []
    if other_sector and other_continent:
        reasons.append(
            f"They bring another sector ({sector}) and continent ({CONTINENTS[continent].title()})"
        )
    elif other_sector:
        reasons.append(f"They bring another sector ({sector})")
    elif other_continent:
        reasons.append(f"They bring another continent ({CONTINENTS[continent].title()})")
    if seeker.global_south is not None and bool(index.global_south[row]) != seeker.global_south:
        reasons.append("The two of you span the Global South and the Global North")
    return reasons


def _tie_reasons(introducers: list[dict], shared_ties: int) -> list[str]:
    """Who could introduce them, and how close they already are."""
    reasons = []
    if introducers:
        who = ", ".join(i["name"] for i in introducers)
        plural = "s" if len(introducers) > 1 else ""
        reasons.append(f"{len(introducers)} mutual partner{plural} can introduce you: {who}")
    if shared_ties > len(introducers):
        reasons.append(
            f"You are both tied to {shared_ties} of the same organizations "
            "through links and dialogues"
        )
    return reasons


def compose_roster(session: Session, *, request: Mapping[str, Any]) -> dict[str, Any]:
    """Choose a balanced roster for a dialogue; 422 naming the constraint when infeasible."""
    index = current_index(session)
    topics = list(request.get("topics", ()))
    _check_known(topics, index.taxonomy.column, "topics", "See GET /api/v1/topics.")
    rows, include = _roster_candidates(index, request)
    problem = build_roster_problem(index, request, rows, include, topics)
    try:
        chosen = roster.compose(problem)
    except roster.Infeasible as infeasible:
        raise Unprocessable(
            f"Infeasible: {infeasible.constraint}: {infeasible.message}",
            errors={infeasible.constraint: [infeasible.message]},
            code="infeasible",
        ) from None
    return _roster_answer(index, problem, rows, chosen, topics)


def _roster_candidates(index: MatchingIndex, request: Mapping[str, Any]):
    """Index rows of the candidates (open, not excluded, speaking a language asked for)."""
    include = list(dict.fromkeys(request.get("include", ())))
    missing = [i for i in include if i not in index.row_of]
    if missing:
        raise unknown_values(
            "include", [str(i) for i in missing], "Only active organizations can be included."
        )
    options = MatchOptions(
        language=request.get("languages", ()), exclude=request.get("exclude", ())
    )
    rows = candidate_rows(index, options, excluded=set(options.exclude))
    include_rows = [index.row_of[i] for i in include]
    if include_rows:  # a union sorts every row again: only when there are rows to add
        rows = np.union1d(rows, include_rows)
    rows = rows.astype(np.int64, copy=False)
    return rows, np.searchsorted(rows, include_rows).tolist()


def build_roster_problem(
    index: MatchingIndex,
    request: Mapping[str, Any],
    rows: np.ndarray,
    include: list[int],
    topics: list[str],
) -> roster.RosterProblem:
    """The roster problem over the candidate rows (index rows, include as positions)."""
    position_of = np.full(index.size, -1, dtype=np.int64)  # each row's place among rows
    position_of[rows] = np.arange(len(rows))
    columns = [index.taxonomy.column[t] for t in topics]
    coverage = index.topics_up.dense(rows, columns, position_of)

    def reciprocity(position: int) -> tuple[np.ndarray, np.ndarray]:
        seeker = profile_of(index, int(rows[position]), with_place=False)
        found, values = scoring.reciprocity_entries(
            seeker, index.offers_up, index.seeks, index.seeks_count
        )
        at = position_of[found]
        kept = (at >= 0) & (at != position)
        return at[kept], values[kept]

    sectors = index.sector[rows]
    minimums = [
        roster.Quota(f"sector_min.{s}", sectors == SECTORS.index(s), n)
        for s, n in sorted(request.get("sector_min", {}).items())
    ]
    for code, n in sorted(request.get("region_min", {}).items()):
        _check_known([code], index.in_region, "region_min", "See GET /api/v1/regions.")
        members = _rows_in(index.size, [index.in_region[code]])[rows]  # np.isin would sort
        minimums.append(roster.Quota(f"region_min.{code}", members, n))
    maximums = [
        roster.Quota(f"sector_max.{s}", sectors == SECTORS.index(s), n)
        for s, n in sorted(request.get("sector_max", {}).items())
    ]
    participations = index.record.recent_participations(index.size, utcnow().date())[rows]
    if request.get("min_newcomers"):
        minimums.append(
            roster.Quota("min_newcomers", participations == 0, request["min_newcomers"])
        )
    return roster.RosterProblem(
        size=request["size"],
        ids=index.ids[rows],
        countries=index.country[rows],  # int16: a quarter of int64's pass for each country
        coverage=coverage,
        reciprocity=reciprocity,
        minimums=minimums,
        maximums=maximums,
        max_per_country=request.get("max_per_country"),
        min_countries=request.get("min_countries", 0),
        include=include,
        participations=participations,
        rotation=request.get("rotation", 0.0),
        reserves=request.get("reserves", 0),
    )


def _roster_answer(
    index: MatchingIndex,
    problem: roster.RosterProblem,
    rows: np.ndarray,
    chosen: roster.Roster,
    topics: list[str],
) -> dict[str, Any]:
    """The roster with what each member adds and fills, and the report."""
    cover = np.zeros(len(topics))
    members = []
    for position in chosen.members:
        row = int(rows[position])
        own = problem.coverage[position]
        adds = [t for j, t in enumerate(topics) if own[j] > cover[j]]
        cover = np.maximum(cover, own)
        members.append(
            {
                "organization": summary(index, row),
                "adds_topics": adds,
                "fills": chosen.fills.get(position, []),
                "recent_participations": int(problem.participations[position]),
            }
        )
    countries = {index.countries[int(rows[p])] for p in chosen.members}
    return {
        "roster": members,
        "reserves": [
            {"rank": rank, "organization": summary(index, int(rows[p])), "keeps": keeps}
            for rank, (p, keeps) in enumerate(chosen.reserves, start=1)
        ],
        "report": {
            "size": len(chosen.members),
            "countries": len(countries),
            "newcomers": sum(m["recent_participations"] == 0 for m in members),
            "topic_coverage": float(cover.mean()) if topics else 1.0,
            "uncovered_topics": [t for j, t in enumerate(topics) if cover[j] == 0],
            "constraints": roster.constraint_report(problem, chosen.members),
        },
    }
