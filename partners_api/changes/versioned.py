"""One value per database, kept until the directory version moves: the in-memory indexes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from partners_api.changes.service import directory_version
from partners_api.db import database_key


class Versioned(Protocol):
    """A value that knows the directory version it was made at."""

    version: int


V = TypeVar("V", bound=Versioned)


class PerDatabase(Generic[V]):
    """Values by database, made or remade under a lock when the directory version moved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, V] = {}

    def get(self, session: Session, make: Callable[[V | None, int], V]) -> V:
        """The value for this session's database at the version it sees now.

        `make(previous, version)` builds it; `previous` is the outdated value, or None.
        """
        key = database_key(session)
        version = directory_version(session)
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
