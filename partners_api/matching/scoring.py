"""Scoring: the five components of a match, as pure functions over index arrays.

For a seeker u and every candidate v, each component lies in [0, 1]:

- reciprocity: a = share of what u seeks that v offers, b = share of what v seeks that u
  offers (offers credited up the taxonomy with a discount); 2ab / (a + b), 0 if either is 0.
- shared focus: weighted Jaccard of all topics of u and v, expanded the same way.
- bridging: (different sector + different continent) / 2, plus a bonus when exactly one
  of the two is in the Global South, capped at 1.
- network: Adamic-Adar over the ties u and v share, scaled by the largest among candidates.
- track record: v's earlier dialogues that led to active partnerships and the share of
  proposals and invitations it answered (see matching.record); weight 0 by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partners_api.matching.sparse import TopicColumns

COMPONENTS = ("reciprocity", "shared_focus", "bridging", "network", "track_record")
DEFAULT_WEIGHTS = {
    "reciprocity": 0.45,
    "shared_focus": 0.20,
    "bridging": 0.20,
    "network": 0.15,
    "track_record": 0.0,
}


@dataclass(frozen=True)
class Profile:
    """Who is looking: topic vectors, sector and continent (unknown: -1)."""

    offers: np.ndarray  # bool [T]
    seeks: np.ndarray  # bool [T]
    offers_up: np.ndarray  # float64 [T]: offers expanded up the taxonomy
    topics_up: np.ndarray  # float64 [T]: offers and seeks expanded, the larger of the two
    sector: int
    continent: int
    global_south: bool | None


def reciprocity(
    profile: Profile, offers_up: TopicColumns, seeks: TopicColumns, seeks_count: np.ndarray
) -> np.ndarray:
    """Harmonic mean of what each side gains from the other, per candidate row.

    Only the seeker's own topic columns are read, so the cost grows with the rows having them.
    """
    rows, values = reciprocity_entries(profile, offers_up, seeks, seeks_count)
    dense = np.zeros(len(seeks_count), dtype=np.float64)
    dense[rows] = values
    return dense


def reciprocity_entries(
    profile: Profile, offers_up: TopicColumns, seeks: TopicColumns, seeks_count: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The rows where reciprocity is above 0 (ascending) and its value there.

    Elsewhere a = 0 (the row offers nothing the seeker seeks) or b = 0 (it seeks nothing
    the seeker offers), hence 0. So b's sums are taken only over rows with a > 0, each
    with the same operations, in the same order, as over every row.
    """
    sought = np.flatnonzero(profile.seeks)
    giving = np.flatnonzero(profile.offers_up)
    if not sought.size or not giving.size:
        return np.empty(0, dtype=np.int64), np.empty(0)
    offering, offered = offers_up.nonzero_weighted_sum(sought, np.ones(sought.size))
    wanted = seeks.weighted_sum(giving, profile.offers_up[giving], at=offering)
    both = wanted > 0  # a row with wanted > 0 seeks at least one topic
    rows = offering[both]
    a = offered[both] / sought.size
    b = wanted[both] / seeks_count[rows]
    return rows, 2 * a * b / (a + b)


def shared_focus(profile: Profile, topics_up: TopicColumns, topics_sum: np.ndarray) -> np.ndarray:
    """Weighted Jaccard of the expanded topic vectors: sum of minima over sum of maxima."""
    mine = profile.topics_up
    columns = np.flatnonzero(mine)
    overlap = topics_up.capped_sum(columns, mine[columns])
    union = topics_sum + mine.sum() - overlap
    return np.divide(overlap, union, out=np.zeros(len(topics_sum)), where=union > 0)


def bridging(
    profile: Profile,
    sector: np.ndarray,
    continent: np.ndarray,
    global_south: np.ndarray,
    bonus: float,
) -> np.ndarray:
    """Credit for crossing sectors, continents and the Global South line."""
    other_sector = (sector != profile.sector) if profile.sector >= 0 else np.zeros(len(sector))
    other_continent = (
        (continent != profile.continent) & (continent >= 0)
        if profile.continent >= 0
        else np.zeros(len(sector))
    )
    value = (other_sector.astype(np.float64) + other_continent.astype(np.float64)) / 2
    if profile.global_south is not None:
        value = value + bonus * (global_south != profile.global_south)
    return np.minimum(value, 1.0).astype(np.float64)


def adamic_adar(
    ties_of_seeker: np.ndarray, tie_ptr: np.ndarray, tie_idx: np.ndarray, size: int
) -> np.ndarray:
    """Sum over shared ties w of 1 / log(degree(w)), for every row."""
    scores = np.zeros(size, dtype=np.float64)
    for w in ties_of_seeker:
        degree = tie_ptr[w + 1] - tie_ptr[w]  # not np.diff of all: a pass over a million
        if degree > 1:
            neighbours = tie_idx[tie_ptr[w] : tie_ptr[w + 1]]
            scores[neighbours] += 1.0 / np.log(degree)
    return scores


def scaled(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Divide by the largest value among the candidate rows (0 stays 0)."""
    top = values[among].max() if among.size else 0.0
    return (values / top).astype(np.float64) if top > 0 else np.zeros(len(values), np.float64)


def top_rows(scores: np.ndarray, ids: np.ndarray, candidates: np.ndarray, limit: int):
    """The best candidate rows: highest score first, ties broken by lower id."""
    if candidates.size == 0:
        return candidates
    chosen = candidates
    if candidates.size > limit:
        values = scores[candidates]
        # Only the rows at or above a floor can be among the best; then, of those, keep
        # everything at or above the limit-th best score, and order exactly.
        kept = values >= _floor_of_best(values, limit)
        chosen, values = candidates[kept], values[kept]
        if chosen.size > limit:
            kth = np.partition(values, chosen.size - limit)[chosen.size - limit]
            chosen = chosen[values >= kth]
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return chosen[order][:limit]


FLOOR_BLOCK = 4096


def _floor_of_best(values: np.ndarray, limit: int) -> float:
    """A value the limit-th largest reaches: the limit-th largest of the maxima of blocks
    of FLOOR_BLOCK (each of those blocks holds a value at least as large). Cheaper than
    a partition of every value, and leaves few values above it."""
    blocks = values.size // FLOOR_BLOCK
    if blocks < limit:
        return -np.inf
    maxima = values[: blocks * FLOOR_BLOCK].reshape(blocks, FLOOR_BLOCK).max(axis=1)
    return float(np.partition(maxima, blocks - limit)[blocks - limit])
