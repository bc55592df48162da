"""Numpy helpers shared by the in-memory indexes (list and matching)."""

from __future__ import annotations

from array import array

import numpy as np


def positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each wanted id sits in the sorted ids, and which of them are there at all.

    A position is meaningful only where the second array is true.
    """
    if ids.size == 0:
        return np.zeros(len(wanted), np.int64), np.zeros(len(wanted), bool)
    at = np.searchsorted(ids, wanted).clip(max=ids.size - 1)
    return at, ids[at] == wanted


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


def bit_columns(matrix: np.ndarray) -> np.ndarray:
    """uint64 [columns, words]: each column of a bool [rows, columns] matrix as packed bits,
    row r at bit r % 64 (little-endian) of word r // 64."""
    packed = np.packbits(np.ascontiguousarray(matrix.T), axis=1, bitorder="little")
    padding = -packed.shape[1] % 8
    return np.pad(packed, ((0, 0), (0, padding))).view(np.uint64)


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
        return bytes(self._buffer), offsets


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
