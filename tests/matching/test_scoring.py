"""The scoring functions on hand-made arrays."""

from __future__ import annotations

import numpy as np
import pytest

from partners_api.matching import scoring
from partners_api.matching.sparse import TopicColumns

# Topics: 0 = parent, 1 = child of 0, 2 = unrelated.
EXPAND = np.array([[1, 0, 0], [0.5, 1, 0], [0, 0, 1]], dtype=np.float64)


def vec(*columns: int) -> np.ndarray:
    v = np.zeros(3, dtype=bool)
    v[list(columns)] = True
    return v


def up(v: np.ndarray) -> np.ndarray:
    return np.minimum(v.astype(np.float64) @ EXPAND, 1.0)


def profile(offers=(), seeks=(), sector=0, continent=0, south=False) -> scoring.Profile:
    o, s = vec(*offers), vec(*seeks)
    return scoring.Profile(
        offers=o,
        seeks=s,
        offers_up=up(o),
        topics_up=np.maximum(up(o), up(s)),
        sector=sector,
        continent=continent,
        global_south=south,
    )


def candidates(*rows: tuple[tuple[int, ...], tuple[int, ...]]):
    offers = np.array([vec(*o) for o, _ in rows])
    seeks = np.array([vec(*s) for _, s in rows])
    return offers, seeks, up_rows(offers), up_rows(seeks)


def up_rows(m: np.ndarray) -> np.ndarray:
    return np.minimum(m.astype(np.float64) @ EXPAND, 1.0)


def test_reciprocity_needs_both_sides_to_gain():
    me = profile(offers=[2], seeks=[0])
    _, seeks, offers_up, _ = candidates(
        ((0,), (2,)),  # planted: offers what I seek, seeks what I offer
        ((0,), ()),  # one-sided decoy
        ((1,), (2,)),  # offers the child of what I seek: half credit for me
    )
    r = scoring.reciprocity(
        me, TopicColumns.from_dense(offers_up), TopicColumns.from_dense(seeks), seeks.sum(axis=1)
    )
    assert r[0] == pytest.approx(1.0)
    assert r[1] == 0.0
    assert r[2] == pytest.approx(2 * 0.5 * 1 / 1.5)


def test_shared_focus_is_weighted_jaccard():
    me = profile(offers=[0], seeks=[2])
    _, _, offers_up, seeks_up = candidates(((0,), (2,)), ((1,), ()), ((), ()))
    topics_up = np.maximum(offers_up, seeks_up)
    j = scoring.shared_focus(me, TopicColumns.from_dense(topics_up), topics_up.sum(axis=1))
    assert j[0] == pytest.approx(1.0)
    assert j[1] == pytest.approx(0.5 / (1 + 1 + 1))  # min(1,.5)=.5 over max 1+1+1
    assert j[2] == 0.0


def test_bridging_counts_sector_continent_and_south():
    me = profile(sector=0, continent=0, south=True)
    sector = np.array([0, 1, 1, 1], dtype=np.int8)
    continent = np.array([0, 0, 1, -1], dtype=np.int8)
    south = np.array([True, True, False, True])
    b = scoring.bridging(me, sector, continent, south, bonus=0.25)
    assert b.tolist() == pytest.approx([0.0, 0.5, 1.0, 0.5])


def test_adamic_adar_rewards_rare_mutual_ties():
    # 0 - 1 - 2 and 0 - 3 - 2, 3 also tied to 4: node 1 (degree 2) weighs more than 3.
    pairs = {(0, 1), (1, 2), (0, 3), (3, 2), (3, 4)}
    edges = sorted(pairs | {(b, a) for a, b in pairs})
    ptr = np.zeros(6, dtype=np.int64)
    for a, _ in edges:
        ptr[a + 1] += 1
    ptr = np.cumsum(ptr)
    idx = np.array([b for _, b in edges])
    aa = scoring.adamic_adar(idx[ptr[0] : ptr[1]], ptr, idx, 5)
    assert aa[2] == pytest.approx(1 / np.log(2) + 1 / np.log(3))
    assert aa[4] == pytest.approx(1 / np.log(3))


def test_top_rows_break_ties_on_id():
    scores = np.array([0.5, 0.9, 0.5, 0.5, 0.1])
    ids = np.array([40, 10, 30, 20, 50])
    rows = scoring.top_rows(scores, ids, np.arange(5), limit=3)
    assert ids[rows].tolist() == [10, 20, 30]


def test_top_rows_equal_a_whole_sort_among_many_ties():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 40, 300_000) / 7  # many equal scores
    ids = rng.permutation(300_000)
    candidates = np.flatnonzero(rng.random(300_000) < 0.7)
    whole = candidates[np.lexsort((ids[candidates], -scores[candidates]))]
    for limit in (1, 3, 10, 40, 100):
        rows = scoring.top_rows(scores, ids, candidates, limit)
        assert rows.tolist() == whole[:limit].tolist()
