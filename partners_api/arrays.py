"""Numpy helpers shared by the in-memory indexes (list and matching)."""

from __future__ import annotations

import numpy as np


def positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each wanted id sits in the sorted ids, and which of them are there at all.

    A position is meaningful only where the second array is true.
    """
    if ids.size == 0:
        return np.zeros(len(wanted), np.int64), np.zeros(len(wanted), bool)
    at = np.searchsorted(ids, wanted).clip(max=ids.size - 1)
    return at, ids[at] == wanted
