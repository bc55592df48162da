"""Organizations x topics as sparse topic columns: for each topic, the rows that have it.

An organization has a handful of the taxonomy's topics, so a dense organizations x topics
matrix is mostly zeros (at a million organizations, a gigabyte of them per matrix). Here
each topic keeps the ascending rows that have it and, for weighted matrices, their values
as float32: the values are powers of TOPIC_DISCOUNT, exact in float32, and every sum is
taken in float64, so scores equal the dense computation's. The scoring reads only the
seeker's columns, so its cost grows with the organizations that share a topic with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partners_api.arrays import distinct, distinct_inverse, narrowed


@dataclass(frozen=True)
class TopicColumns:
    """A sparse [organizations, topics] matrix stored topic by topic (compressed columns).

    `values` is None for a 0/1 matrix. `row_pointer` and `row_topics` give the same
    entries organization by organization, for reading one row.
    """

    size: int  # organizations (rows)
    width: int  # topics (columns)
    pointer: np.ndarray  # int64 [width + 1]: topic t's entries are [pointer[t], pointer[t+1])
    rows: np.ndarray  # int32 [entries]: ascending within a topic
    values: np.ndarray | None  # float32 [entries], or None when every value is 1
    row_pointer: np.ndarray  # int32 [size + 1] (int64 past 2**31 entries)
    row_topics: np.ndarray  # int16 [entries]: ascending within a row

    @classmethod
    def from_entries(
        cls,
        rows: np.ndarray,
        columns: np.ndarray,
        values: np.ndarray | None = None,
        *,
        size: int,
        width: int,
    ) -> TopicColumns:
        """The matrix with value[i] at (rows[i], columns[i]); zeros dropped, the largest
        value kept where an entry repeats."""
        key = np.asarray(columns, np.int64) * size + np.asarray(rows, np.int64)
        if values is None:
            key, kept = distinct(key), None
        else:
            values = np.asarray(values, dtype=np.float64)
            order = np.lexsort((values, key))
            key, values = key[order], values[order]
            last = np.append(key[1:] != key[:-1], True) & (values != 0)
            key, kept = key[last], values[last].astype(np.float32)
        by_column, by_row = np.divmod(key, max(size, 1))
        order = np.lexsort((by_column, by_row))
        return cls(
            size=size,
            width=width,
            pointer=_pointer(by_column, width),
            rows=by_row.astype(np.int32),
            values=kept,
            row_pointer=narrowed(_pointer(by_row[order], size)),
            row_topics=by_column[order].astype(np.int16),
        )

    @classmethod
    def from_dense(cls, matrix: np.ndarray) -> TopicColumns:
        """The sparse form of a dense matrix (boolean: a 0/1 matrix without values)."""
        rows, columns = np.nonzero(matrix)
        values = None if matrix.dtype == bool else matrix[rows, columns]
        return cls.from_entries(rows, columns, values, size=matrix.shape[0], width=matrix.shape[1])

    def nbytes(self) -> int:
        """Memory held by the arrays, in bytes."""
        arrays = [self.pointer, self.rows, self.row_pointer, self.row_topics]
        return sum(a.nbytes for a in arrays) + (0 if self.values is None else self.values.nbytes)

    def column(self, topic: int) -> tuple[np.ndarray, np.ndarray | float]:
        """The rows having a topic, and their values (1.0 for a 0/1 matrix)."""
        start, stop = self.pointer[topic], self.pointer[topic + 1]
        return self.rows[start:stop], 1.0 if self.values is None else self.values[start:stop]

    def row(self, row: int) -> np.ndarray:
        """One organization's row, dense: bool for a 0/1 matrix, else float64."""
        start, stop = self.row_pointer[row], self.row_pointer[row + 1]
        topics = self.row_topics[start:stop]
        if self.values is None:
            dense = np.zeros(self.width, dtype=bool)
            dense[topics] = True
            return dense
        dense = np.zeros(self.width, dtype=np.float64)
        # The row as the columns' own type: a Python int would have searchsorted convert
        # the whole column first (0.15 ms for a column of 358,000 rows, 1.6 µs without).
        key = self.rows.dtype.type(row)
        for topic in topics.tolist():
            rows, values = self.column(topic)
            dense[topic] = values[np.searchsorted(rows, key)]
        return dense

    def weighted_sum(
        self, topics: np.ndarray, weights: np.ndarray, at: np.ndarray | None = None
    ) -> np.ndarray:
        """float64 [size]: the sum over these topics of weight x value, per row; or only at
        the rows `at` (distinct), made from their entries alone, in the same order."""
        if at is not None:
            place = np.full(self.size, -1, dtype=np.int32)  # each row's place in `at`
            place[at] = np.arange(len(at), dtype=np.int32)
        parts = []
        for topic, weight in zip(
            np.asarray(topics).tolist(), np.asarray(weights).tolist(), strict=True
        ):
            rows, values = self.column(topic)
            if at is not None:
                rows = place[rows]
                kept = rows >= 0
                rows = rows[kept]
                values = values if np.isscalar(values) else values[kept]
            parts.append((rows, np.multiply(values, weight, dtype=np.float64)))
        return self._summed(parts, self.size if at is None else len(at))

    def nonzero_weighted_sum(
        self, topics: np.ndarray, weights: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The rows (ascending) where weighted_sum is not 0, and its values there, made from
        the entries of these topics alone (no pass over every row's sum)."""
        if len(topics) == 1:
            rows, values = self.column(int(topics[0]))
            sums = np.broadcast_to(
                np.multiply(values, float(weights[0]), dtype=np.float64), rows.shape
            )
        else:
            rows = np.flatnonzero(self.any(topics))
            sums = self.weighted_sum(topics, weights, at=rows)
        kept = sums != 0
        return rows[kept].astype(np.int64), sums[kept]

    def _summed(self, parts: list[tuple[np.ndarray, np.ndarray | float]], length: int):
        """float64 [length]: per row, the sum of the values of the parts, taken in their order
        from 0 (np.bincount adds its weights in turn, as topic-by-topic additions would)."""
        if not parts:
            return np.zeros(length, dtype=np.float64)
        rows = np.concatenate([rows for rows, _ in parts])
        values = np.concatenate([np.broadcast_to(v, len(r)) for r, v in parts])
        return np.bincount(rows, weights=values, minlength=length).astype(np.float64, copy=False)

    def capped_sum(self, topics: np.ndarray, caps: np.ndarray) -> np.ndarray:
        """float64 [size]: the sum over these topics of min(value, cap), per row."""
        parts = []
        for topic, cap in zip(np.asarray(topics).tolist(), np.asarray(caps).tolist(), strict=True):
            rows, values = self.column(topic)
            parts.append((rows, np.minimum(np.asarray(values, dtype=np.float64), cap)))
        return self._summed(parts, self.size)

    def any(self, topics: np.ndarray) -> np.ndarray:
        """bool [size]: rows having at least one of these topics."""
        found = np.zeros(self.size, dtype=bool)
        for topic in np.asarray(topics).tolist():
            found[self.column(topic)[0]] = True
        return found

    def row_sums(self) -> np.ndarray:
        """float64 [size]: the sum of each row."""
        return self.weighted_sum(np.arange(self.width), np.ones(self.width))

    def dense(
        self, rows: np.ndarray, topics: list[int], position: np.ndarray | None = None
    ) -> np.ndarray:
        """float64 [len(rows), len(topics)]: these rows (ascending) and columns, dense.

        `position` (int [size]: each row's place among rows, -1 for the others), when the
        caller has it, finds the entries' places without a search per entry.
        """
        block = np.zeros((len(rows), len(topics)), dtype=np.float64)
        for j, topic in enumerate(topics):
            having, values = self.column(topic)
            if position is not None:
                at = position[having]
                hit = at >= 0
            else:
                at = np.searchsorted(rows, having).clip(max=max(len(rows) - 1, 0))
                hit = rows[at] == having if len(rows) else np.zeros(0, bool)
            block[at[hit], j] = values if np.isscalar(values) else values[hit]
        return block


def _pointer(sorted_keys: np.ndarray, length: int) -> np.ndarray:
    """Start of each key's run in ascending keys, with the total at the end."""
    pointer = np.zeros(length + 1, dtype=np.int64)
    pointer[1:] = np.cumsum(np.bincount(sorted_keys, minlength=length))
    return pointer


def expanded(exact: TopicColumns, expand: np.ndarray) -> TopicColumns:
    """min(exact @ expand, 1) for a 0/1 matrix and a small [topics, topics] expansion."""
    above, ancestors = np.nonzero(expand)
    ancestor_pointer = _pointer(above, exact.width)
    per_topic = np.diff(ancestor_pointer)
    topics = np.repeat(np.arange(exact.width), np.diff(exact.pointer))
    repeats = per_topic[topics]
    firsts = np.repeat(ancestor_pointer[topics], repeats)
    steps = np.arange(repeats.sum()) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    at = firsts + steps
    rows = np.repeat(exact.rows.astype(np.int64), repeats)
    key = ancestors[at].astype(np.int64) * exact.size + rows
    unique, inverse = distinct_inverse(key)
    sums = np.minimum(np.bincount(inverse, weights=expand[above[at], ancestors[at]]), 1.0)
    columns, rows = np.divmod(unique, max(exact.size, 1))
    return TopicColumns.from_entries(rows, columns, sums, size=exact.size, width=exact.width)


def larger(a: TopicColumns, b: TopicColumns) -> TopicColumns:
    """The entrywise maximum of two matrices of the same shape."""
    entries = [_entries(a), _entries(b)]
    rows, columns, values = (np.concatenate(parts) for parts in zip(*entries, strict=True))
    return TopicColumns.from_entries(rows, columns, values, size=a.size, width=a.width)


def _entries(matrix: TopicColumns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of every entry."""
    columns = np.repeat(np.arange(matrix.width), np.diff(matrix.pointer))
    values = np.ones(len(columns)) if matrix.values is None else matrix.values
    return matrix.rows, columns, values
