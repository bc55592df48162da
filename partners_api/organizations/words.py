"""The words of every organization's search_text and the rows holding each, for `q` in memory.

`q` keeps an organization when each folded word of q is a substring of its search_text
(search.py). search_text is folded text, its words separated by spaces, and a word of q
holds no whitespace: so a word of q occurs in a search_text exactly when it occurs inside
one of its words. The index keeps each distinct word once, in one string, and the rows
holding it: a word of q is looked for in that string (a few hundred thousand words at a
million organizations, not 200 MB of text), and the rows of the words it occurs in are
the rows it selects. Rows are the list index's, so the answer is a mask beside its own.

Words found in more than a 32nd of the rows keep their rows as a packed bit column
(cheaper than four bytes a row), the others as a list of rows: about 35 MB at a million.
Organizations re-read after writes are kept apart, with their text, until they are many
enough that the whole index is read again.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from partners_api.arrays import any_of, bit_mask, positions
from partners_api.db import in_chunks, plain_batches
from partners_api.organizations.models import Organization

DENSE_SHARE = 1 / 32  # a word in more rows than this share keeps a bit column
REREAD_SHARE = 0.02  # read everything again when more rows than this share were re-read,
REREAD_LEAST = 1_000  # and more than this many
SEPARATOR = "\n"  # after each word of the vocabulary; never inside a word of q


@dataclass(frozen=True)
class Postings:
    """Distinct words, each once, and the rows (0 to size - 1) holding each."""

    size: int
    vocabulary: str  # SEPARATOR, then every word, each followed by SEPARATOR
    starts: np.ndarray  # int64 [words + 1]: where each word starts in the vocabulary
    offsets: np.ndarray  # int64 [words + 1]: each listed word's rows in `rows`
    rows: np.ndarray  # int32: rows of the words kept as lists, word after word
    column: np.ndarray  # int32 [words]: a dense word's bit column in `columns`, else -1
    columns: np.ndarray  # uint64 [dense words, size / 64]: see arrays.bit_columns

    def having(self, fragment: str) -> np.ndarray:
        """bool [size]: the rows holding a word in which this fragment occurs."""
        return self._rows_of(self._words_with(fragment))

    def beginning(self, prefix: str, *, whole: bool = False) -> np.ndarray:
        """bool [size]: the rows holding a word that begins with this prefix (or is it)."""
        pattern = SEPARATOR + prefix + (SEPARATOR if whole else "")
        return self._rows_of(self._words_with(pattern) + 1)  # the word after the separator

    def _rows_of(self, words: np.ndarray) -> np.ndarray:
        """bool [size]: the rows holding any of these words (numbers)."""
        dense = self.column[words]
        found = any_of(self.columns, dense[dense >= 0].tolist(), self.size)
        found[self.rows[_ranges(self.offsets, words[dense < 0])]] = True
        return found

    def nbytes(self) -> int:
        """Memory held by the vocabulary and the arrays, in bytes."""
        arrays = (self.starts, self.offsets, self.rows, self.column, self.columns)
        return len(self.vocabulary) + sum(a.nbytes for a in arrays)

    def _words_with(self, pattern: str) -> np.ndarray:
        """Numbers of the words in which the pattern begins, once each (the word before, for
        a pattern beginning with the separator that precedes a word)."""
        vocabulary, found = self.vocabulary, array("q")
        at = vocabulary.find(pattern)
        while at >= 0:
            found.append(at)
            at = vocabulary.find(pattern, vocabulary.index(SEPARATOR, at + 1))  # the next word
        return np.searchsorted(self.starts, np.frombuffer(found, np.int64), side="right") - 1


def postings(texts: Iterable[tuple[int, str]], size: int) -> Postings:
    """The postings of (row, search_text) pairs, rows below size."""
    numbers = _Numbers()
    words, owners, counts = array("i"), array("i"), array("i")
    for row, text in texts:
        distinct = set(text.split())
        words.extend(map(numbers.__getitem__, distinct))
        owners.append(row)
        counts.append(len(distinct))
    vocabulary = list(numbers)
    found_in = np.bincount(_numpy(words), minlength=len(vocabulary))
    pairs = _numpy(words).astype(np.int64)
    del words, numbers
    # Each (word, row) as word << 32 | row, sorted in place: rows grouped by word, with
    # no index array of every pair (hundreds of MB at a million organizations).
    pairs <<= 32
    pairs |= np.repeat(_numpy(owners), _numpy(counts))
    pairs.sort()
    pairs &= 0xFFFFFFFF
    return _grouped_postings(vocabulary, found_in, pairs.astype(np.int32), size)


def _grouped_postings(
    vocabulary: list[str], found_in: np.ndarray, rows: np.ndarray, size: int
) -> Postings:
    """Postings of the rows of every word, word after word, found_in[word] rows each."""
    dense = np.flatnonzero(found_in > size * DENSE_SHARE)
    column = np.full(len(vocabulary), -1, np.int32)
    column[dense] = np.arange(len(dense))
    offsets = np.zeros(len(vocabulary) + 1, np.int64)
    np.cumsum(found_in, out=offsets[1:])
    columns = np.zeros((len(dense), -(-size // 64)), np.uint64)
    for number in dense:
        mask = np.zeros(size, bool)
        mask[rows[offsets[number] : offsets[number + 1]]] = True
        columns[column[number]] = bit_mask(mask)
    rows = rows[np.repeat(column < 0, found_in)]
    found_in[dense] = 0
    np.cumsum(found_in, out=offsets[1:])
    starts = np.ones(len(vocabulary) + 1, np.int64)
    np.cumsum([len(word) + 1 for word in vocabulary], out=starts[1:])
    starts[1:] += 1
    return Postings(
        size=size,
        vocabulary=SEPARATOR + "".join(word + SEPARATOR for word in vocabulary),
        starts=starts,
        offsets=offsets,
        rows=rows,
        column=column,
        columns=columns,
    )


def _numpy(numbers: array) -> np.ndarray:
    """A view of an array of C ints (empty ones too) as numpy's."""
    return np.frombuffer(numbers, np.int32) if numbers else np.zeros(0, np.int32)


class _Numbers(dict):
    """Each word's number, a new word given the next."""

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


def _ranges(offsets: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Positions offsets[n] to offsets[n + 1] - 1 of each n, one after another."""
    starts, ends = offsets[numbers], offsets[numbers + 1]
    lengths = ends - starts
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return shift + np.arange(lengths.sum())


@dataclass(frozen=True)
class WordIndex:
    """Postings of every row as read at once, and those of the rows re-read since."""

    size: int
    base: Postings
    changed: dict[int, str] = field(default_factory=dict)  # row → search_text re-read
    recent: Postings | None = None  # postings of the changed rows
    stale: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # their rows

    def matching(self, words: Sequence[str]) -> np.ndarray:
        """bool [size]: the rows whose search_text holds every one of these words."""
        mask = np.ones(self.size, bool)
        for word in words:
            mask &= self._having(word)
        return mask

    def nbytes(self) -> int:
        """Memory held by the postings and the re-read texts, in bytes (about)."""
        recent = self.recent.nbytes() if self.recent else 0
        return self.base.nbytes() + recent + sum(len(text) for text in self.changed.values())

    def _having(self, word: str) -> np.ndarray:
        found = np.zeros(self.size, bool)
        found[: self.base.size] = self.base.having(word)
        if self.recent is not None:
            found[self.stale] = False
            found |= self.recent.having(word)
        return found


def build(session: Session, ids: np.ndarray) -> WordIndex:
    """The index of every organization among these ids (the list index's, ascending)."""
    query = select(Organization.id, Organization.search_text).order_by(Organization.id)
    batches = plain_batches(session.connection(), query)
    return WordIndex(size=len(ids), base=postings(_rows_of(batches, ids), len(ids)))


def refreshed(session: Session, index: WordIndex, changed: Sequence[int], ids: np.ndarray):
    """The index with these organizations re-read, over the list index's rows now (ids);
    None when so many were re-read that the whole index should be read again."""
    texts = dict(index.changed)
    for chunk in in_chunks(changed):
        query = select(Organization.id, Organization.search_text).where(Organization.id.in_(chunk))
        found = dict(session.execute(query).all())
        at, known = positions(ids, np.array(chunk, np.int64))
        texts.update(  # an organization no longer there holds no word
            (int(row), found.get(org_id, ""))
            for row, org_id, is_known in zip(at, chunk, known, strict=True)
            if is_known
        )
    if len(texts) > max(REREAD_SHARE * len(ids), REREAD_LEAST):
        return None
    stale = np.fromiter(texts, np.int64, len(texts))
    return WordIndex(len(ids), index.base, texts, postings(texts.items(), len(ids)), stale)


def _rows_of(batches: Iterable[list], ids: np.ndarray) -> Iterable[tuple[int, str]]:
    """(row, search_text) of each organization read that the list index holds."""
    for batch in batches:
        org_ids = np.array([org_id for org_id, _ in batch], np.int64)
        at, known = positions(ids, org_ids)
        for row, is_known, (_, text) in zip(at.tolist(), known.tolist(), batch, strict=True):
            if is_known:
                yield row, text
