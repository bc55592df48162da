"""The committed spec lints clean under Spectral's OpenAPI ruleset: no error, no warning.

`npm ci` installs the pinned Spectral of tests/contract/lint from its lockfile (skipped
when the lockfile has not changed since the last install); without npm the test skips,
which CI (PARTNERS_REQUIRE_SERVICES) turns into a failure.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "openapi.json"
LINT = Path(__file__).resolve().parent / "lint"
STAMP = LINT / "node_modules" / ".installed-lock-sha256"
SEVERITIES = {0: "error", 1: "warning", 2: "info", 3: "hint"}


def tool(name: str) -> str:
    """The path of a command, or skip saying why it is needed."""
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"`{name}` is not installed here (it installs and runs Spectral)")
    return found


def run(*command: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """Run a command in the lint folder, failing the test with its output on other codes."""
    done = subprocess.run(command, cwd=LINT, capture_output=True, text=True, timeout=300)
    assert done.returncode in ok, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def install() -> None:
    """`npm ci` from the committed lockfile, once per lockfile, one process at a time."""
    npm = tool("npm")
    wanted = hashlib.sha256((LINT / "package-lock.json").read_bytes()).hexdigest()
    with (LINT / "package-lock.json").open("rb") as lockfile:
        fcntl.flock(lockfile, fcntl.LOCK_EX)
        if STAMP.is_file() and STAMP.read_text() == wanted:
            return
        run(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
        STAMP.write_text(wanted)


def test_spectral_finds_nothing_in_the_spec(figures):
    node = tool("node")
    install()
    spectral = LINT / "node_modules" / "@stoplight" / "spectral-cli" / "dist" / "index.js"
    # Spectral exits 1 when it finds anything; its JSON report says what.
    done = run(
        node,
        str(spectral),
        "lint",
        "--ruleset",
        str(LINT / ".spectral.yaml"),
        "--format",
        "json",
        "--quiet",
        str(SPEC),
        ok=(0, 1),
    )
    findings = json.loads(done.stdout or "[]")
    shown = [
        f"{SEVERITIES[f['severity']]} {f['code']} at {'.'.join(map(str, f['path']))}: "
        f"{f['message']}"
        for f in findings
    ]
    counts = {
        name: sum(f["severity"] == level for f in findings) for level, name in SEVERITIES.items()
    }
    figures.append(
        "spectral (spectral:oas) on openapi/openapi.json: "
        + ", ".join(f"{n} {name}s" for name, n in counts.items())
    )
    assert not [f for f in findings if f["severity"] <= 1], "\n".join(shown)
