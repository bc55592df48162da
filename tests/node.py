"""Node.js for tests: the tools on PATH, commands run in a project, `npm ci` once per lockfile."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

# Written into node_modules after an install: the SHA-256 of the lockfile installed.
STAMP = Path("node_modules") / ".installed-lock-sha256"


def tool(name: str, why: str) -> str:
    """The path of a command-line tool, or skip saying what it is needed for."""
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"`{name}` is not installed here ({why}); .ci/run installs it in CI")
    return found


def run(
    *command: str, cwd: Path, ok: tuple[int, ...] = (0,), timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run a command in a folder, failing the test with its output on an exit code not `ok`."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode in ok, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def npm_ci(project: Path, why: str) -> None:
    """`npm ci` in a project from its committed lockfile, once per lockfile, one at a time."""
    npm = tool("npm", why)
    lock = project / "package-lock.json"
    stamp = project / STAMP
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    with lock.open("rb") as lockfile:
        fcntl.flock(lockfile, fcntl.LOCK_EX)  # two test runs must not install at once
        if stamp.is_file() and stamp.read_text() == wanted:
            return
        run(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", cwd=project)
        stamp.write_text(wanted)
