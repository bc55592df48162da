"""The word index finds the rows whose text holds every fragment, as `in` on the text does."""

from __future__ import annotations

import random

import numpy as np
import pytest

from partners_api.organizations import words

WORDS = ["data", "policy", "metadata", "a", "ab", "über", "ünïcode", "x" * 40, "-", "%_", "da"]
FRAGMENTS = ["data", "a", "at", "ata", "meta", "ü", "übe", "x" * 41, "-", "%", "da da", "q", ""]


def texts(count: int, seed: int) -> list[str]:
    """Texts of a few words each, some words in most texts, some in one."""
    rng = random.Random(seed)
    common = [" ".join(rng.sample(WORDS, rng.randint(0, 4))) for _ in range(count)]
    return [f"{text} only{row}" if row % 7 == 0 else text for row, text in enumerate(common)]


def expected(rows: list[str], fragments: list[str]) -> np.ndarray:
    return np.array([all(f in text for f in fragments) for text in rows], dtype=bool)


@pytest.mark.parametrize("count", [0, 1, 70, 500])
def test_postings_find_what_in_finds(count):
    rows = texts(count, seed=count)
    postings = words.postings(enumerate(rows), len(rows))
    if count == 500:  # both kinds of postings are read
        assert len(postings.columns) and len(postings.rows)
    index = words.WordIndex(size=len(rows), base=postings)
    for fragment in FRAGMENTS:
        fragments = fragment.split()
        assert np.array_equal(index.matching(fragments), expected(rows, fragments)), fragment
    assert np.array_equal(index.matching(["data", "policy"]), expected(rows, ["data", "policy"]))


def test_rows_re_read_replace_their_old_words():
    rows = texts(300, seed=1)
    base = words.postings(enumerate(rows), len(rows))
    changed = {3: "metadata policy", 10: "", 300: "new data", 301: "über"}  # two new rows
    recent = words.postings(changed.items(), 302)
    stale = np.fromiter(changed, np.int64)
    index = words.WordIndex(302, base, changed, recent, stale)
    now = [changed.get(row, text) for row, text in enumerate(rows)] + ["new data", "über"]
    for fragment in FRAGMENTS:
        fragments = fragment.split()
        assert np.array_equal(index.matching(fragments), expected(now, fragments)), fragment


def test_words_by_their_beginning_or_whole():
    rows = texts(300, seed=2)
    postings = words.postings(enumerate(rows), len(rows))
    for prefix in ["data", "d", "meta", "a", "ab", "ü", "über", "only1", "only", "x", "zz"]:
        beginning = [any(w.startswith(prefix) for w in text.split()) for text in rows]
        whole = [prefix in text.split() for text in rows]
        assert postings.beginning(prefix).tolist() == beginning, prefix
        assert postings.beginning(prefix, whole=True).tolist() == whole, prefix
