"""TypeScript types generated from the committed spec compile under `tsc --strict`.

`npm ci` installs the pinned openapi-typescript, openapi-fetch and typescript of
tests/clients/typescript (skipped when its lockfile has not changed since the last
install); openapi-typescript writes the types into a temporary folder, and tsc checks
usage.ts against them: typed calls with filters, bodies, path and header parameters,
X-Pagination and ETag read through the spec's header types, and misuses that must
remain type errors.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import SPEC
from tests.node import npm_ci, run, tool

pytestmark = pytest.mark.database_independent

PROJECT = Path(__file__).resolve().parent / "typescript"


def test_generated_types_compile_with_a_client_under_strict(tmp_path):
    node = tool("node", "it runs openapi-typescript and tsc")
    npm_ci(PROJECT, "it installs the TypeScript toolchain from the committed lockfile")
    types = tmp_path / "api.ts"
    done = run(
        node,
        str(PROJECT / "node_modules" / "openapi-typescript" / "bin" / "cli.js"),
        str(SPEC),
        # Fields with a default are optional to send, not present in every body.
        "--default-non-nullable=false",
        "--output",
        str(types),
        cwd=PROJECT,
    )
    generated = done.stdout + done.stderr
    assert "warn" not in generated.lower(), generated
    source = types.read_text()
    for path in json.loads(SPEC.read_text())["paths"]:
        assert f'"{path}": {{' in source, path

    # The project's tsconfig, with the generated types in place of generated/api.ts.
    config = tmp_path / "tsconfig.json"
    config.write_text(
        json.dumps(
            {
                "extends": str(PROJECT / "tsconfig.json"),
                "compilerOptions": {"paths": {"partners-api-types": [str(types)]}},
                "files": [str(PROJECT / "usage.ts")],
            }
        )
    )
    tsc = str(PROJECT / "node_modules" / "typescript" / "bin" / "tsc")
    done = subprocess.run(
        [node, tsc, "-p", str(config), "--strict", "--pretty", "false"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, f"tsc --strict rejected the client:\n{done.stdout}{done.stderr}"
