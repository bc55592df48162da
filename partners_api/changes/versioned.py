"""One value per database, kept until the directory version moves: the in-memory indexes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from partners_api.changes.service import SEEN_VERSION, directory_version
from partners_api.db import database_key


class Versioned(Protocol):
    """A value that knows the directory version it was made at."""

    version: int


V = TypeVar("V", bound=Versioned)


def seen_version(session: Session) -> int:
    """The directory version as this session sees it: read once per transaction.

    Forgotten when the session flushes, commits or rolls back, so a write's own request
    sees the version its write made.
    """
    info = session.info
    if SEEN_VERSION not in info:
        info[SEEN_VERSION] = directory_version(session)
    return info[SEEN_VERSION]


class PerDatabase(Generic[V]):
    """Values by database, made or remade under a lock when the directory version moved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, V] = {}
        _STORES.append(self)

    def get(self, session: Session, make: Callable[[V | None, int], V]) -> V:
        """The value for this session's database at the version it sees now.

        `make(previous, version)` builds it; `previous` is the outdated value, or None.
        """
        key = database_key(session)
        version = seen_version(session)
        value = self._values.get(key)
        if value is not None and value.version == version:
            return value
        with self._lock:
            value = self._values.get(key)
            if value is None or value.version != version:
                value = self._values[key] = make(value, version)
            return value

    def clear(self) -> None:
        """Forget every value (after a rolled-back write, or an emptied database)."""
        with self._lock:
            self._values.clear()


# Every store, in the order made: the same in a process and in a child forked from it.
_STORES: list[PerDatabase] = []


def every_value() -> list[dict[str, Versioned]]:
    """The values of every store, in the order the stores were made (for handing what a
    forked child built back to its parent)."""
    return [dict(store._values) for store in _STORES]


def adopt(values: list[dict[str, Versioned]]) -> None:
    """Hold the values given by every_value() in the matching stores (those of a process
    forked from this one), in place of the values held for the same databases."""
    for store, given in zip(_STORES, values, strict=True):
        with store._lock:
            store._values.update(given)
