"""The committed spec lints clean under Spectral's OpenAPI ruleset: no error, no warning.

`npm ci` installs the pinned Spectral of tests/contract/lint from its lockfile (skipped
when the lockfile has not changed since the last install); without npm the test skips,
which CI (PARTNERS_REQUIRE_SERVICES) turns into a failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.node import npm_ci, run, tool

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "openapi.json"
LINT = Path(__file__).resolve().parent / "lint"
SPECTRAL = "it installs and runs Spectral"
SEVERITIES = {0: "error", 1: "warning", 2: "info", 3: "hint"}


def test_spectral_finds_nothing_in_the_spec(figures):
    node = tool("node", SPECTRAL)
    npm_ci(LINT, SPECTRAL)
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
        cwd=LINT,
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
