"""Matching and roster quality on synthetic directories with a planted answer.

    python -m benchmarks.matching_quality [--organizations 5000] [--pairs 200]

(a) planted reciprocal pairs among noise and one-sided decoys: how often the planted
partner ranks first and within the top 5, and whether a decoy ever outranks it;
(b) rosters: 200 random feasible requests (every constraint must hold), 50 small
instances against the brute-force optimum, and infeasible requests (the right
constraint must be named).
"""

from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from alembic import command

from partners_api import create_app
from partners_api.db import database
from partners_api.errors import Unprocessable
from partners_api.matching import roster, service
from partners_api.matching.index import current_index
from partners_api.ops.service import alembic_config
from partners_api.organizations import service as organizations
from partners_api.organizations.models import SECTORS
from partners_api.synthetic import generate_directory, plant_pairs


def planted_pairs(session, pairs) -> None:
    """Rank of each planted partner among the seeker's matches."""
    first = top5 = decoy_above = 0
    for pair in pairs:
        seeker = organizations.get_organization(session, ref=pair.seeker)
        found = service.match_organization(
            session, organization=seeker, options=service.MatchOptions(limit=50)
        )
        ranking = [m["organization"]["id"] for m in found]
        rank = ranking.index(pair.partner) if pair.partner in ranking else len(ranking)
        first += rank == 0
        top5 += rank < 5
        if pair.decoy in ranking and ranking.index(pair.decoy) < rank:
            decoy_above += 1
    n = len(pairs)
    print(
        f"(a) planted pairs: {n}; partner first {first / n:.1%} (target >= 90%), "
        f"top 5 {top5 / n:.1%} (target >= 95%), decoy above partner {decoy_above} "
        "(target 0)"
    )


def feasible_request(index, rng: random.Random) -> dict:
    """Constraints read off a random roster, so at least that roster meets them."""
    size = rng.randint(5, 30)
    rows = rng.sample(range(index.size), size)
    sectors = [SECTORS[index.sector[r]] for r in rows]
    countries = [index.countries[r] for r in rows]
    picked = rng.sample(sorted(set(sectors)), min(2, len(set(sectors))))
    request = {
        "size": size,
        "topics": rng.sample(index.taxonomy.slugs, 3),
        "sector_min": {s: rng.randint(1, sectors.count(s)) for s in picked},
        "sector_max": {s: sectors.count(s) + rng.randint(0, 2) for s in picked[:1]},
        "min_countries": rng.randint(1, len(set(countries))),
        "max_per_country": max(countries.count(c) for c in countries) + rng.randint(0, 1),
    }
    continent = next(
        (
            c
            for c in ("africa", "asia", "europe", "americas")
            if np.isin(rows, index.in_region[c]).any()
        ),
        None,
    )
    if continent:
        request["region_min"] = {continent: int(np.isin(rows, index.in_region[continent]).sum())}
    return request


def random_rosters(session, rng: random.Random, count: int = 200) -> None:
    """Every constraint of random feasible requests holds in the answer."""
    index = current_index(session)
    failures, timings = 0, []
    for _ in range(count):
        request = feasible_request(index, rng)
        started = time.perf_counter()
        answer = service.compose_roster(session, request=request)
        timings.append(time.perf_counter() - started)
        failures += not all(c["satisfied"] for c in answer["report"]["constraints"])
    print(
        f"(b) random feasible requests: {count}; with a constraint unmet: {failures} "
        f"(target 0); median {np.median(timings) * 1000:.0f} ms"
    )


def small_instances(session, rng: random.Random, count: int = 50) -> None:
    """Greedy objective against the brute-force optimum, 30 candidates, size 6."""
    index = current_index(session)
    ratios = []
    for _ in range(count):
        rows = np.array(sorted(rng.sample(range(index.size), 30)), dtype=np.int64)
        sectors = [SECTORS[index.sector[r]] for r in rows]
        common = max(set(sectors), key=sectors.count)
        request = {
            "size": 6,
            "topics": rng.sample(index.taxonomy.slugs, 3),
            "sector_min": {common: 2},
            "min_countries": 3,
        }
        problem = service.build_roster_problem(index, request, rows, [], request["topics"])
        greedy = roster.objective(problem, roster.compose(problem).members)
        ratios.append(greedy / fast_optimum(problem))
    print(
        f"(b) small instances: {count}; greedy / optimum mean {np.mean(ratios):.1%} "
        f"(target >= 95%), worst {min(ratios):.1%}"
    )


def dense_reciprocity(problem: roster.RosterProblem, row: int) -> np.ndarray:
    """float [C]: R of one candidate with every candidate, the zeros written out."""
    found = problem.reciprocity(row)
    if not isinstance(found, tuple):
        return found
    dense = np.zeros(len(problem.ids))
    dense[found[0]] = found[1]
    return dense


def fast_optimum(problem: roster.RosterProblem) -> float:
    """Brute force over all C(30, 6) rosters, vectorized in chunks."""
    count, size = len(problem.ids), problem.size
    pair_r = np.array([dense_reciprocity(problem, i) for i in range(count)])
    combos = np.array(list(itertools.combinations(range(count), size)), dtype=np.int64)
    k = problem.coverage.shape[1]
    best = -1.0
    for start in range(0, len(combos), 100_000):
        chunk = combos[start : start + 100_000]
        ok = np.ones(len(chunk), dtype=bool)
        for quota in problem.minimums:
            ok &= quota.members[chunk].sum(axis=1) >= quota.bound
        countries = np.sort(problem.countries[chunk], axis=1)
        distinct = 1 + (np.diff(countries, axis=1) != 0).sum(axis=1)
        ok &= distinct >= problem.min_countries
        cover = problem.coverage[chunk].max(axis=1).sum(axis=1) / k if k else 0
        pairs = list(itertools.combinations(range(size), 2))
        pair_sum = sum(pair_r[chunk[:, i], chunk[:, j]] for i, j in pairs)
        value = cover + distinct / size + pair_sum / len(pairs)
        if ok.any():
            best = max(best, float(value[ok].max()))
    return best


def infeasible_requests(session) -> None:
    """Requests that no roster can meet, and the constraint each must be refused for."""
    cases = [
        ({"size": 10, "sector_min": {"media": 11}}, "sector_min.media"),
        ({"size": 10, "sector_min": {"media": 6, "academia": 6}}, "sector_min"),
        ({"size": 10, "min_countries": 11}, "min_countries"),
        ({"size": 10, "sector_min": {"media": 3}, "sector_max": {"media": 2}}, "sector_min.media"),
        ({"size": 12, "region_min": {"atlantis": 1}}, "region_min"),
        ({"size": 12, "include": [10**9]}, "include"),
        ({"size": 100_000}, "size"),
    ]
    right = 0
    for request, expected in cases:
        try:
            service.compose_roster(session, request=request)
            named = None
        except Unprocessable as refused:
            named = next(iter(refused.errors))
        right += named == expected
    print(
        f"(b) infeasible requests: {len(cases)}; refused naming the right constraint: "
        f"{right} (target {len(cases)})"
    )


def main() -> None:
    """Build the directory, plant the answers, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'quality.db'}"
        command.upgrade(alembic_config(url), "head")
        app = create_app({"DATABASE_URL": url})
        with app.app_context(), database().session() as session:
            generate_directory(session, organizations=args.organizations, seed=11)
            pairs = plant_pairs(session, pairs=args.pairs, seed=11)
            rng = random.Random(11)
            planted_pairs(session, pairs)
            random_rosters(session, rng)
            small_instances(session, rng)
            infeasible_requests(session)
        app.extensions["partners_db"].engine.dispose()


if __name__ == "__main__":
    main()
