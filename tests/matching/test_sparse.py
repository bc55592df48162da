"""The sparse topic columns give the scores the dense organizations x topics matrices gave.

The reference is the index's former computation, kept here: dense boolean matrices read
from the link table, expanded up the taxonomy by a dense product, and the scoring
formulas over whole columns. Every seeker of a synthetic directory is scored both ways.
"""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from partners_api.matching import scoring
from partners_api.matching import service as matching
from partners_api.matching.index import current_index
from partners_api.matching.sparse import TopicColumns, expanded, larger
from partners_api.organizations.models import OrganizationTopic
from partners_api.synthetic import generate_directory
from partners_api.topics.models import Topic

TOLERANCE = 1e-6


def dense_matrices(session, index):
    """offers, seeks (bool) and their expansions (float64), the old dense way."""
    slug_of = dict(session.execute(select(Topic.id, Topic.slug)).all())
    shape = (index.size, len(index.taxonomy.slugs))
    offers, seeks = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    links = select(
        OrganizationTopic.organization_id, OrganizationTopic.topic_id, OrganizationTopic.relation
    )
    for org_id, topic_id, relation in session.execute(links):
        if org_id in index.row_of:
            matrix = offers if relation == "offers" else seeks
            matrix[index.row_of[org_id], index.taxonomy.column[slug_of[topic_id]]] = True

    def up(exact):
        return np.minimum(exact.astype(np.float64) @ index.taxonomy.expand, 1.0)

    return offers, seeks, up(offers), np.maximum(up(offers), up(seeks))


def dense_reciprocity(profile, offers_up, seeks):
    """The former reciprocity over dense matrices."""
    size, seeks_count = len(seeks), seeks.sum(axis=1)
    sought = np.flatnonzero(profile.seeks)
    a = offers_up[:, sought].sum(axis=1) / sought.size if sought.size else np.zeros(size)
    giving = np.flatnonzero(profile.offers_up)
    wanted = seeks[:, giving].astype(np.float64) @ profile.offers_up[giving]
    b = np.divide(wanted, seeks_count, out=np.zeros(size), where=seeks_count > 0)
    return np.divide(2 * a * b, a + b, out=np.zeros(size), where=a + b > 0)


def dense_shared_focus(profile, topics_up):
    """The former weighted Jaccard over a dense matrix."""
    mine = profile.topics_up
    overlap = np.minimum(topics_up, mine).sum(axis=1)
    union = topics_up.sum(axis=1) + mine.sum() - overlap
    return np.divide(overlap, union, out=np.zeros(len(topics_up)), where=union > 0)


@pytest.fixture
def directory(session):
    """A synthetic directory beside the demo one, and its matching index."""
    generate_directory(session, organizations=400, seed=18)
    return current_index(session)


def test_sparse_matrices_hold_the_dense_values(session, directory):
    index = directory
    offers, seeks, offers_up, topics_up = dense_matrices(session, index)
    for sparse, dense in (
        (index.offers, offers),
        (index.seeks, seeks),
        (index.offers_up, offers_up),
        (index.topics_up, topics_up),
    ):
        every_row = np.array([sparse.row(r) for r in range(index.size)])
        assert np.array_equal(every_row, dense)
        assert np.array_equal(
            sparse.dense(np.arange(index.size), list(range(dense.shape[1]))), dense
        )
    assert index.offers_up.values.dtype == np.float32
    assert np.allclose(index.topics_sum, topics_up.sum(axis=1), rtol=0, atol=TOLERANCE)
    assert np.array_equal(index.seeks_count, seeks.sum(axis=1))


def test_every_seeker_scores_as_with_dense_matrices(session, directory):
    index = directory
    _, seeks, offers_up, topics_up = dense_matrices(session, index)
    for row in range(index.size):
        profile = matching.profile_of(index, row)
        new = scoring.reciprocity(profile, index.offers_up, index.seeks, index.seeks_count)
        dense = dense_reciprocity(profile, offers_up, seeks)
        assert np.abs(new - dense).max() < TOLERANCE
        rows, _ = scoring.reciprocity_entries(
            profile, index.offers_up, index.seeks, index.seeks_count
        )
        assert np.array_equal(rows, np.flatnonzero(dense > 0))  # the entries are the non-zeros
        new = scoring.shared_focus(profile, index.topics_up, index.topics_sum)
        assert np.abs(new - dense_shared_focus(profile, topics_up)).max() < TOLERANCE


def test_topic_filter_reads_the_same_rows(session, directory):
    index = directory
    offers, seeks, _, _ = dense_matrices(session, index)
    for slug in ("ai-safety", "model-evaluations", index.taxonomy.slugs[-1]):
        columns = index.taxonomy.below[index.taxonomy.column[slug]]
        chosen = matching.candidate_rows(index, matching.MatchOptions(topic=[slug]), set())
        dense = index.open & (offers[:, columns] | seeks[:, columns]).any(axis=1)
        assert np.array_equal(chosen, np.flatnonzero(dense))


def test_expansion_and_maximum_of_hand_made_matrices():
    expand = np.array([[1, 0, 0], [0.5, 1, 0], [0.25, 0.5, 1]])  # 2 under 1 under 0
    exact = np.array([[0, 1, 1], [1, 0, 0], [0, 0, 0], [1, 1, 1]], dtype=bool)
    up = expanded(TopicColumns.from_dense(exact), expand)
    want = np.minimum(exact.astype(np.float64) @ expand, 1.0)
    assert np.array_equal(up.dense(np.arange(4), [0, 1, 2]), want)
    other = TopicColumns.from_dense(np.array([[0.9, 0, 0], [0, 0, 0.5], [0, 0, 0], [0, 0, 0]]))
    both = larger(up, other)
    assert np.allclose(
        both.dense(np.arange(4), [0, 1, 2]), np.maximum(want, other.dense(np.arange(4), [0, 1, 2]))
    )
    assert both.row(2).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("boolean", [True, False])
def test_sums_at_some_rows_equal_those_over_every_row(boolean):
    rng = np.random.default_rng(4)
    matrix = (rng.random((300, 6)) < 0.3) * (rng.integers(1, 5, (300, 6)) / 4)
    sparse = TopicColumns.from_dense(matrix > 0 if boolean else matrix)
    rows = np.flatnonzero(rng.random(300) < 0.4)
    position = np.full(300, -1)
    position[rows] = np.arange(rows.size)
    assert np.array_equal(sparse.dense(rows, [1, 4], position), sparse.dense(rows, [1, 4]))
    for topics in ([2], [0, 3, 5]):
        weights = rng.random(len(topics))
        every = sparse.weighted_sum(np.array(topics), weights)
        assert np.array_equal(sparse.weighted_sum(np.array(topics), weights, at=rows), every[rows])
        found, sums = sparse.nonzero_weighted_sum(np.array(topics), weights)
        assert np.array_equal(found, np.flatnonzero(every)) and np.array_equal(sums, every[found])
