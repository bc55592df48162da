"""Roster composition: the pure algorithm on small problems, and POST /dialogues/compose."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from partners_api.matching import roster
from tests.helpers import new_organization

URL = "/api/v1/dialogues/compose"


def problem(size, *, sectors, countries, coverage=None, **rules) -> roster.RosterProblem:
    count = len(sectors)
    sectors = np.array(sectors)
    coverage = np.zeros((count, 0)) if coverage is None else np.array(coverage, dtype=float)
    minimums = [
        roster.Quota(f"sector_min.{s}", sectors == s, n)
        for s, n in rules.pop("sector_min", {}).items()
    ]
    maximums = [
        roster.Quota(f"sector_max.{s}", sectors == s, n)
        for s, n in rules.pop("sector_max", {}).items()
    ]
    return roster.RosterProblem(
        size=size,
        ids=np.arange(1, count + 1),
        countries=np.array(countries),
        coverage=coverage,
        reciprocity=lambda i: np.zeros(count),
        minimums=minimums,
        maximums=maximums,
        **rules,
    )


def test_minimums_are_served_before_the_best_gains():
    # Candidates 0-3 cover the topic; only 4 and 5 are media.
    p = problem(
        3,
        sectors=["a", "a", "a", "a", "media", "media"],
        countries=[0, 1, 2, 3, 4, 4],
        coverage=[[1], [1], [1], [1], [0], [0]],
        sector_min={"media": 2},
    )
    chosen = roster.compose(p)
    assert sorted(chosen.members[:2]) == [4, 5]
    assert chosen.fills[4] == ["sector_min.media"]
    report = {c["name"]: c for c in roster.constraint_report(p, chosen.members)}
    assert all(c["satisfied"] for c in report.values())


def test_maximums_and_countries_hold():
    p = problem(
        4,
        sectors=["x"] * 6,
        countries=[0, 0, 0, 1, 1, 2],
        max_per_country=2,
        min_countries=3,
        sector_max={"x": 4},
    )
    chosen = roster.compose(p)
    countries = [int(p.countries[m]) for m in chosen.members]
    assert max(countries.count(c) for c in set(countries)) <= 2 and len(set(countries)) == 3


@pytest.mark.parametrize(
    ("size", "rules", "constraint"),
    [
        (7, {}, "size"),
        (3, {"sector_min": {"media": 3}}, "sector_min.media"),
        (3, {"sector_min": {"x": 2, "media": 1, "y": 1}}, "sector_min"),
        (3, {"sector_min": {"x": 2}, "sector_max": {"x": 1}}, "sector_min.x"),
        (3, {"min_countries": 5}, "min_countries"),
        (5, {"max_per_country": 1}, "max_per_country"),
        (3, {"include": [0, 1, 2, 3]}, "include"),
        (3, {"include": [0, 1], "sector_max": {"x": 1}}, "sector_max.x"),
    ],
)
def test_infeasible_requests_name_the_constraint(size, rules, constraint):
    p = problem(
        size, sectors=["x", "x", "x", "x", "media", "y"], countries=[0, 0, 1, 1, 2, 3], **rules
    )
    with pytest.raises(roster.Infeasible) as raised:
        roster.compose(p)
    assert raised.value.constraint == constraint


def test_greedy_is_close_to_the_best_roster_on_a_small_case():
    rng = np.random.default_rng(5)
    coverage = rng.random((12, 4)) * (rng.random((12, 4)) > 0.6)
    p = problem(
        4, sectors=list("aabbccaabbcc"), countries=list(rng.integers(0, 6, 12)), coverage=coverage
    )
    best = max(roster.objective(p, list(c)) for c in itertools.combinations(range(12), 4))
    assert roster.objective(p, roster.compose(p).members) >= 0.9 * best


def test_compose_over_http(client, admin_key):
    body = {
        "size": 8,
        "topics": ["model-evaluations", "linguistic-diversity"],
        "min_countries": 6,
        "max_per_country": 2,
        "sector_min": {"civil_society": 2, "ai_safety_institute": 2},
        "sector_max": {"industry": 1},
        "region_min": {"africa": 2},
    }
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.json
    answer = response.json
    assert len(answer["roster"]) == 8 and answer["report"]["size"] == 8
    assert all(c["satisfied"] for c in answer["report"]["constraints"])
    names = {c["name"] for c in answer["report"]["constraints"]}
    assert {
        "size",
        "sector_min.civil_society",
        "sector_max.industry",
        "region_min.africa",
        "max_per_country",
        "min_countries",
    } <= names
    assert answer["report"]["topic_coverage"] == pytest.approx(1.0)
    added = [t for m in answer["roster"] for t in m["adds_topics"]]
    assert sorted(added) == ["linguistic-diversity", "model-evaluations"]


def test_compose_includes_and_excludes(client, admin_key):
    guest = new_organization(client, admin_key, "Guest", open_to_dialogue=False)
    out = client.get("/api/v1/organizations/uk-aisi").json["id"]
    answer = client.post(URL, json={"size": 5, "include": [guest["id"]], "exclude": [out]}).json
    ids = [m["organization"]["id"] for m in answer["roster"]]
    assert guest["id"] in ids and out not in ids


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"size": 1}, "size"),
        ({"size": 5, "sector_min": {"bank": 1}}, "sector_min"),
        ({"size": 5, "topics": ["alchemy"]}, "topics"),
        ({"size": 5, "region_min": {"mars": 1}}, "region_min"),
        ({"size": 5, "include": [10**9]}, "include"),
        ({"size": 5, "sector_min": {"media": 50}}, "sector_min.media"),
    ],
)
def test_compose_rejects_bad_or_infeasible_requests(client, body, field):
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert any(k.startswith(field) for k in response.json["errors"]), response.json


def test_rotation_costs_the_mean_fatigue_of_the_members():
    # Four alike candidates in one country; the first two took part in 1 and 3 dialogues.
    base = problem(2, sectors=["a"] * 4, countries=[0] * 4)
    participations = np.array([1, 3, 0, 0])
    rotated = problem(2, sectors=["a"] * 4, countries=[0] * 4, participations=participations)
    assert roster.compose(base).members == [0, 1]
    assert roster.compose(rotated).members == [0, 1]  # rotation 0: participations do nothing
    rotated.rotation = 0.5
    assert roster.compose(rotated).members == [2, 3]
    fatigue = (1 / 2 + 3 / 4) / 2
    assert roster.objective(rotated, [0, 1]) == pytest.approx(
        roster.objective(base, [0, 1]) - 0.5 * fatigue
    )
    assert roster.objective(rotated, [2, 3]) == pytest.approx(roster.objective(base, [2, 3]))


def every_gain_sorted(state, pool, count):
    """The former selection: every candidate of the pool scored, then sorted whole."""
    rows = np.flatnonzero(pool)
    gains = state.gains()[rows]
    return rows[np.lexsort((state.problem.ids[rows], -gains))][:count]


def crowded_problem(seed: int) -> roster.RosterProblem:
    """Thousands of candidates with sparse reciprocities, quotas, rotation and many ties."""
    rng = np.random.default_rng(seed)
    count = 4000
    sectors = rng.integers(0, 4, count)
    touched = [np.sort(rng.choice(count, 300, replace=False)) for _ in range(count)]
    values = [rng.integers(0, 5, 300) / 4 for _ in range(count)]  # often equal, often 0

    def reciprocity(row):
        return touched[row], values[row]

    participations = rng.integers(0, 3, count) * (rng.random(count) < 0.2)
    return roster.RosterProblem(
        size=12,
        ids=np.arange(1, count + 1) * 3,
        countries=rng.integers(0, 30, count),
        coverage=rng.integers(0, 3, (count, 3)) / 2 * (rng.random((count, 3)) < 0.1),
        reciprocity=reciprocity,
        minimums=[
            roster.Quota("sector_min.a", sectors == 0, 3),
            roster.Quota("region_min.b", sectors < 2, 5),
            roster.Quota("min_newcomers", participations == 0, 6),
        ],
        maximums=[roster.Quota("sector_max.c", sectors == 3, 2)],
        max_per_country=2,
        min_countries=8,
        participations=participations,
        rotation=0.5 * (seed % 2),
        reserves=25,
    )


@pytest.mark.parametrize("leaders", [roster.LEADERS, 8])
@pytest.mark.parametrize("seed", range(6))
def test_pruned_scoring_chooses_as_scoring_every_candidate(monkeypatch, seed, leaders):
    # Few leaders fill up and raise their floor; the default stays below it.
    monkeypatch.setattr(roster, "LEADERS", leaders)
    pruned = roster.compose(crowded_problem(seed))
    monkeypatch.setattr(roster, "_leading", every_gain_sorted)
    whole = roster.compose(crowded_problem(seed))
    assert pruned.members == whole.members
    assert pruned.fills == whole.fills
    assert pruned.reserves == whole.reserves
