"""The rows a list's filters select, in its sort order, kept while the list index lasts.

Filtering 100,000 rows of the list index costs a few milliseconds, more than the rest of
a page; a client paging through a list, or many asking the same list, repeat the same
filters. Each worker keeps the last selections it made per database, for the index they
were made from: a write moves the directory version, which replaces the index, and the
selections made from the old one are dropped with it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from partners_api.db import database_key

MAX_POSITIONS = 4_000_000  # row positions kept per database and worker, in all selections


class Selections:
    """Selections made from one list index, least recently used first."""

    def __init__(self, index: object) -> None:
        self.index = index
        self.kept: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self.positions = 0

    def get(self, key: Hashable) -> np.ndarray | None:
        """A kept selection, now the most recently used; None when not kept."""
        found = self.kept.get(key)
        if found is not None:
            self.kept.move_to_end(key)
        return found

    def keep(self, key: Hashable, chosen: np.ndarray) -> None:
        """Keep a selection, dropping the least recently used beyond MAX_POSITIONS."""
        if key in self.kept or len(chosen) > MAX_POSITIONS:
            return
        self.kept[key] = chosen
        self.positions += len(chosen)
        while self.positions > MAX_POSITIONS:
            _, dropped = self.kept.popitem(last=False)
            self.positions -= len(dropped)


_lock = threading.Lock()
_selections: dict[str, Selections] = {}


def selection(
    session: Session,
    index: object,
    *,
    filters: Mapping[str, Any],
    sort: str,
    select: Callable[[], np.ndarray],
) -> np.ndarray:
    """The positions `select()` gives for these filters and sort on this index, kept."""
    key = (sort, *sorted((name, _frozen(value)) for name, value in filters.items()))
    database = database_key(session)
    with _lock:
        kept = _selections.get(database)
        if kept is None or kept.index is not index:
            kept = _selections[database] = Selections(index)
        found = kept.get(key)
    if found is not None:
        return found
    chosen = select().astype(np.int32)
    chosen.flags.writeable = False
    with _lock:
        kept.keep(key, chosen)
    return chosen


def forget() -> None:
    """Drop every selection (after a rolled-back write, or an emptied database)."""
    with _lock:
        _selections.clear()


def _frozen(value: Any) -> Hashable:
    """A filter's value as part of a key: lists as tuples, times with their zone."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(_frozen(item) for item in value))
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())
    return value
