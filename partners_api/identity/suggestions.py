"""Organizations whose name, a word of their name, or slug begins with a prefix, found
through sorted arrays and word postings rather than by reading every name.

Reconciliation's suggest ranks first the organizations whose normalized name begins with
the normalized prefix (or whose slug is the prefix), then those where it begins a later
word of the name (or begins the slug), each group by normalized name, then id. The names
in that order make the first group one range found by bisection; the words of the names
(organizations/words.py) find the second; the slugs in order, both slug conditions.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

import numpy as np

from partners_api.arrays import Strings
from partners_api.identity.resolver import NameIndex, normalize
from partners_api.organizations import words

AFTER_ALL = chr(0x10FFFF)  # a prefix followed by this sorts after every string it begins


class Suggestions:
    """The name index's rows by normalized name and by slug, and the words of the names."""

    def __init__(self, index: NameIndex, slugs: Strings) -> None:
        self._names = index.names
        normalized = [normalize(name) for name in _strings(index.names)]
        rows = len(normalized)
        # Rows are in id order, and sorted() is stable: ties by name stay in id order.
        self._by_name = np.array(sorted(range(rows), key=normalized.__getitem__), np.int32)
        self._rank = np.empty(rows, np.int32)
        self._rank[self._by_name] = np.arange(rows, dtype=np.int32)
        self._slugs = slugs
        self._by_slug = slugs.ascending()
        self._words = words.postings(enumerate(normalized), rows)

    def rows(self, prefix: str, count: int) -> np.ndarray:
        """The first `count` rows suggested for a prefix, best first."""
        wanted, slug = normalize(prefix), prefix.strip().lower()
        if not wanted:
            return self._by_name[:count]
        first = np.zeros(len(self._rank), bool)
        first[self._by_name[self._range(self._name_at, wanted)]] = True
        first[self._by_slug[self._range(self._slug_at, slug, whole=True)]] = True
        begun, unsure = self._word_begun(wanted)
        begun[self._by_slug[self._range(self._slug_at, slug)]] = True
        begun &= ~first
        ahead = self._in_order(first)[:count]
        if not unsure.any():
            return np.concatenate([ahead, self._in_order(begun)])[:count]
        unsure &= ~first & ~begun
        second = self._checked(self._in_order(begun | unsure), begun, wanted, count - len(ahead))
        return np.concatenate([ahead, second])

    def nbytes(self) -> int:
        """Bytes held by the orders and the words."""
        arrays = (self._by_name, self._rank, self._by_slug)
        return self._words.nbytes() + sum(a.nbytes for a in arrays)

    def _name_at(self, place: int) -> str:
        return normalize(self._names[int(self._by_name[place])])

    def _slug_at(self, place: int) -> str:
        return self._slugs[int(self._by_slug[place])]

    def _range(self, value_at: Callable[[int], str], prefix: str, *, whole=False) -> slice:
        """The places of an order (value_at gives the value at each) whose values begin
        with the prefix (or are it)."""
        places = range(len(self._rank))
        start = bisect.bisect_left(places, prefix, key=value_at)
        end = bisect.bisect_right(places, prefix if whole else prefix + AFTER_ALL, key=value_at)
        return slice(start, end)

    def _word_begun(self, wanted: str) -> tuple[np.ndarray, np.ndarray]:
        """bool masks: the rows where `wanted` begins a word of the normalized name, and
        those where it may (its words found in the name, their order unchecked)."""
        *whole, last = wanted.split()
        found = self._words.beginning(last)
        for word in whole:
            found &= self._words.beginning(word, whole=True)
        nothing = np.zeros(len(found), bool)
        return (nothing, found) if whole else (found, nothing)

    def _checked(self, rows: np.ndarray, sure: np.ndarray, wanted: str, count: int) -> np.ndarray:
        """The first `count` of these rows (in order) that are sure or where `wanted`
        does begin a word of the normalized name."""
        kept: list[int] = []
        for row in rows.tolist():
            if len(kept) >= count:
                break
            if sure[row] or f" {wanted}" in f" {normalize(self._names[row])}":
                kept.append(row)
        return np.array(kept, np.int32)

    def _in_order(self, chosen: np.ndarray) -> np.ndarray:
        """The chosen rows by normalized name, then id."""
        return self._by_name[np.sort(self._rank[chosen])]


def _strings(strings: Strings) -> list[str]:
    return [strings[row] for row in range(len(strings))]
