"""Numpy helpers shared by the in-memory indexes (list and matching)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import pairwise

import numpy as np


def positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each wanted id sits in the sorted ids, and which of them are there at all.

    A position is meaningful only where the second array is true.
    """
    if ids.size == 0:
        return np.zeros(len(wanted), np.int64), np.zeros(len(wanted), bool)
    at = np.searchsorted(ids, wanted).clip(max=ids.size - 1)
    return at, ids[at] == wanted


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values, as np.unique gives them, by one sort: numpy 2's hashing
    np.unique takes a hundred times longer on millions of integers (25 s for 14 million)."""
    ordered = np.sort(values)
    return ordered[_firsts(ordered)]


def distinct_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values and each value's place among them (np.unique's
    return_inverse), by one sort."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    firsts = _firsts(ordered)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(firsts) - 1
    return ordered[firsts], inverse


def _firsts(ordered: np.ndarray) -> np.ndarray:
    """bool: where a sorted array's values change (each distinct value's first place)."""
    firsts = np.empty(len(ordered), dtype=bool)
    firsts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=firsts[1:])
    return firsts


def narrowed(values: np.ndarray) -> np.ndarray:
    """Non-negative integers (counts, offsets, row pointers) as int32 when they fit: half
    the memory of int64."""
    return values.astype(np.int32) if not len(values) or values.max() < 2**31 else values


def from_array(values: array, dtype) -> np.ndarray:
    """A numpy copy of a Python array of numbers (sized exactly, unlike the array)."""
    return np.array(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)


class Strings:
    """A list of strings as one UTF-8 buffer and offsets: a fraction of the memory of a list
    of Python strings (about 50 bytes each besides the text), read back one at a time."""

    def __init__(self, values=()):
        builder = StringsBuilder()
        for value in values:
            builder.append(value)
        self._buffer, self._offsets = builder.parts()

    @classmethod
    def of(cls, builder: StringsBuilder) -> Strings:
        """The strings a builder was given, in order."""
        strings = cls()
        strings._buffer, strings._offsets = builder.parts()
        return strings

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        return self._buffer[self._offsets[index] : self._offsets[index + 1]].decode()

    def nbytes(self) -> int:
        """Bytes held by the buffer and the offsets."""
        return len(self._buffer) + self._offsets.nbytes

    def ascending(self) -> np.ndarray:
        """int32: the places of the strings in ascending order, ties in place order. Sorted
        as their UTF-8 bytes, whose order is the code points' (Python's order of str)."""
        buffer = self._buffer
        encoded = [buffer[start:end] for start, end in pairwise(self._offsets.tolist())]
        return np.array(sorted(range(len(self)), key=encoded.__getitem__), dtype=np.int32)

    def merged(self, places: np.ndarray, values: Sequence[str]) -> Strings:
        """A copy with the string at each place replaced by its value; places from len(self)
        on (consecutive, in order) appended. The buffer is copied in a few slices, not
        string by string."""
        encoded = [value.encode() for value in values]
        size = max(len(self), int(places.max()) + 1) if len(places) else len(self)
        lengths = np.zeros(size, dtype=np.int64)
        lengths[: len(self)] = np.diff(self._offsets)
        lengths[places] = [len(value) for value in encoded]
        buffer, ends = memoryview(self._buffer), self._offsets
        parts, start = [], 0
        for i in np.argsort(places, kind="stable").tolist():
            place = int(places[i])
            stop = int(ends[place]) if place < len(self) else len(buffer)
            parts += [buffer[start:stop], encoded[i]]
            start = int(ends[place + 1]) if place < len(self) else len(buffer)
        parts.append(buffer[start:])
        strings = Strings()
        strings._buffer = b"".join(parts)
        offsets = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        strings._offsets = narrowed(offsets)
        return strings


def bit_columns(matrix: np.ndarray) -> np.ndarray:
    """uint64 [columns, words]: each column of a bool [rows, columns] matrix as packed bits,
    row r at bit r % 64 (little-endian) of word r // 64."""
    packed = np.packbits(np.ascontiguousarray(matrix.T), axis=1, bitorder="little")
    padding = -packed.shape[1] % 8
    return np.pad(packed, ((0, 0), (0, padding))).view(np.uint64)


def bit_rows(columns: np.ndarray, size: int) -> np.ndarray:
    """bool [size, columns]: the matrix that `bit_columns` packed, unpacked."""
    as_bytes = np.ascontiguousarray(columns).view(np.uint8)
    return np.unpackbits(as_bytes, axis=1, count=size, bitorder="little").T.view(bool)


def with_bit_rows(
    columns: np.ndarray, size: int, rows: np.ndarray, matrix: np.ndarray
) -> np.ndarray:
    """A copy of packed bit columns made to hold `size` rows (new ones empty), with these
    rows set as a bool [len(rows), columns] matrix has them: a few changed rows written
    without unpacking the million others."""
    grown = np.zeros((columns.shape[0], -(-size // 64)), dtype=np.uint64)
    grown[:, : columns.shape[1]] = columns
    rows = np.asarray(rows, dtype=np.int64)
    word = rows // 64
    bit = np.left_shift(np.uint64(1), (rows % 64).astype(np.uint64))
    for column in range(grown.shape[0]):  # ufunc.at: several rows may share a word
        np.bitwise_and.at(grown[column], word, ~bit)
        chosen = matrix[:, column]
        np.bitwise_or.at(grown[column], word[chosen], bit[chosen])
    return grown


def bit_mask(mask: np.ndarray) -> np.ndarray:
    """uint64 [words]: a bool [rows] array packed as `bit_columns` packs one column."""
    return bit_columns(mask[:, np.newaxis])[0]


def counts_within(columns: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """int64 [columns]: how many rows of the mask each packed column has."""
    return np.bitwise_count(columns & bit_mask(mask)).sum(axis=1, dtype=np.int64)


def any_of(columns: np.ndarray, chosen: list[int], size: int) -> np.ndarray:
    """bool [size]: rows having at least one of the chosen packed columns."""
    if not chosen:
        return np.zeros(size, dtype=bool)
    words = np.bitwise_or.reduce(columns[chosen], axis=0)
    as_bytes = np.ascontiguousarray(words).view(np.uint8)
    return np.unpackbits(as_bytes, count=size, bitorder="little").view(bool)


class StringsBuilder:
    """Strings appended one at a time into a growing UTF-8 buffer, for Strings.of: no list
    of Python strings is ever held."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._ends = array("q")

    def append(self, value: str) -> None:
        """Add one string at the end."""
        self._buffer += value.encode()
        self._ends.append(len(self._buffer))

    def parts(self) -> tuple[bytes, np.ndarray]:
        """The buffer and the offsets of its strings (one more than there are strings)."""
        offsets = np.zeros(len(self._ends) + 1, dtype=np.int64)
        offsets[1:] = np.frombuffer(self._ends, dtype=np.int64) if self._ends else ()
        return bytes(self._buffer), narrowed(offsets)


class Coded:
    """A column of few distinct values (countries, cities) as each row's number in the list
    of those values: two or four bytes a row instead of a pointer to a Python object."""

    def __init__(self, values, dtype) -> None:
        number: dict = {}
        self.numbers = np.fromiter((number.setdefault(v, len(number)) for v in values), dtype)
        self.number = number  # value → its number
        self.values = list(number)

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, row: int):
        return self.values[self.numbers[row]]

    def nbytes(self) -> int:
        """Bytes held by the numbers (the few distinct values aside)."""
        return self.numbers.nbytes


class RowNumbers(Mapping[int, int]):
    """Each id's row in an ascending array of ids, as a read-only mapping found by binary
    search: no dict of a million Python ints."""

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = ids

    def __getitem__(self, org_id: int) -> int:
        at, found = positions(self._ids, np.array([org_id], dtype=np.int64))
        if not found[0]:
            raise KeyError(org_id)
        return int(at[0])

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids.tolist())

    def __len__(self) -> int:
        return len(self._ids)


def columns_of(batches: Iterable[Sequence[Sequence]], *dtypes) -> list[np.ndarray]:
    """The columns of rows given a batch at a time (a result's partitions) as arrays of
    these dtypes, converted batch by batch, so that no list of every row is held. A dict
    instead of a dtype numbers that column's values: each value's number in the dict
    (int64), a new value added with the next number."""
    parts: list[list[np.ndarray]] = [[] for _ in dtypes]
    for batch in batches:
        for part, column, dtype in zip(parts, zip(*batch, strict=True), dtypes, strict=True):
            if isinstance(dtype, dict):
                numbers = (dtype.setdefault(value, len(dtype)) for value in column)
                part.append(np.fromiter(numbers, np.int64, len(column)))
            else:
                part.append(np.array(column, dtype=dtype))
    return [
        np.concatenate(part) if part else np.zeros(0, np.int64 if isinstance(d, dict) else d)
        for part, d in zip(parts, dtypes, strict=True)
    ]
