"""SQLite's count of the memory it holds is off in a process that opened no connection
before its first engine, so connections on several threads do not queue on its lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Prints how much memory SQLite counts while a connection of the engine is open.
COUNTED_WITH_AN_ENGINE = """
import ctypes, sqlite3, sys
from partners_api.db import make_engine, sqlite_library
earlier = sqlite3.connect(":memory:") if sys.argv[1] == "earlier" else None
with make_engine(sys.argv[2]).connect() as connection:
    assert connection.exec_driver_sql("SELECT 40 + 2").scalar() == 42
    used = sqlite_library().sqlite3_memory_used
    used.restype = ctypes.c_int64
    print(used())
"""


@pytest.mark.database_independent
@pytest.mark.parametrize("connection, counted", [("none", False), ("earlier", True)])
def test_the_count_is_off_unless_a_connection_came_before(tmp_path, connection, counted):
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    done = subprocess.run(
        [sys.executable, "-c", COUNTED_WITH_AN_ENGINE, connection, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (int(done.stdout) > 0) is counted
