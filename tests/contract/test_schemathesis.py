"""Schemathesis over every operation of the served spec, against a live gunicorn server.

The server runs the project's gunicorn configuration on a database of its own (a new
SQLite file, or a new PostgreSQL database when the suite runs on PostgreSQL), migrated
and loaded with the demo directory by the command line. Schemathesis runs as its command
line in a subprocess, with the settings of `schemathesis.toml` beside this file: every
check, the four phases (examples, coverage, fuzzing, and the stateful scenarios that
follow the spec's OpenAPI links), once without a key and once with an admin key. Any
failure of a check fails the test, with Schemathesis' own report (and a `curl` line for
each failure) in the message.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.servers import BIN, ROOT, cli, fresh_database, on_postgresql, serve

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
SPEC_PATH = "/api/v1/openapi.json"
# Examples per operation in the fuzzing phase; the coverage phase adds its own cases.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
MIN_CASES = 1000  # generated cases per run: two runs, at least 2,000 per database
# Limits far above what the fuzzer sends, so that no answer is a 429 but every answer
# still carries the X-RateLimit-* headers the spec documents.
RAISED_LIMIT = "1000000 per minute"
ALL_PHASES = "examples,coverage,fuzzing,stateful"


@dataclass
class LiveServer:
    """A gunicorn server on a fresh database, and the keys made for the fuzzer."""

    url: str
    admin_key: str
    own_key_id: int
    spare_key_id: int
    logs: Path


@pytest.fixture(scope="module")
def fuzz_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new database of the suite's kind, migrated, with the demo directory."""
    with fresh_database("partners_fuzz", tmp_path_factory.mktemp("fuzz-db")) as url:
        cli(url, "db", "upgrade")
        cli(url, "demo", "load")
        yield url


def make_admin_key(database_url: str, name: str) -> tuple[int, str]:
    """Create an admin key with the command line; its id and secret."""
    secret = cli(database_url, "keys", "create", "--name", name, "--scope", "admin")
    secret = secret.strip().splitlines()[-1]
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        key_id = connection.execute(
            text("SELECT id FROM api_keys WHERE name = :name"), {"name": name}
        ).scalar_one()
    engine.dispose()
    return key_id, secret


@pytest.fixture(scope="module")
def live_server(fuzz_database: str, tmp_path_factory) -> Iterator[LiveServer]:
    """The project's gunicorn configuration with two workers, limits raised."""
    own_id, secret = make_admin_key(fuzz_database, "fuzz")
    spare_id, _ = make_admin_key(fuzz_database, "fuzz spare")
    logs = tmp_path_factory.mktemp("fuzz-server")
    with serve(
        "server",
        logs,
        DATABASE_URL=fuzz_database,
        LOG_LEVEL="WARNING",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_KEYED=RAISED_LIMIT,
        RATELIMIT_ANONYMOUS=RAISED_LIMIT,
    ) as server:
        yield LiveServer(server.url, secret, own_id, spare_id, logs)


def _server_logs(server: LiveServer) -> str:
    """The server's error lines (tracebacks included), without its access log."""
    lines = [
        line
        for path in (server.logs / "server.out", server.logs / "server.err")
        for line in path.read_text(errors="replace").splitlines()
        if '"gunicorn.access"' not in line
    ]
    return "\n".join(lines)[-8000:]


def run_schemathesis(server: LiveServer, name: str, *, phases: str, key: str | None) -> dict:
    """Run the Schemathesis command line against the server; its JSON report."""
    report = server.logs / f"{name}.json"
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{server.url}{SPEC_PATH}",
        "--phases",
        phases,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",  # one request at a time: a run is reproducible from its seed
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    if key:
        command += ["--header", f"Authorization: Bearer {key}"]
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FUZZ_OWN_KEY_ID": str(server.own_key_id),
        "FUZZ_SPARE_KEY_ID": str(server.spare_key_id),
    }
    done = subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    output = (done.stdout + done.stderr).replace(key or "\0", "[key]")
    assert report.exists(), f"Schemathesis wrote no report:\n{output}"
    result = json.loads(report.read_text())
    assert done.returncode == 0 and not result["failures"] and not result["errors"], (
        f"Schemathesis ({name}) found problems:\n{output}\n--- server logs\n{_server_logs(server)}"
    )
    assert result["operations"]["tested"] == result["operations"]["total"], output
    assert result["test_cases"]["generated"] >= MIN_CASES, result["test_cases"]
    return result


def _summary(name: str, result: dict) -> str:
    database = "PostgreSQL" if on_postgresql() else "SQLite"
    return (
        f"schemathesis {name} on {database}: {result['test_cases']['generated']} cases over "
        f"{result['operations']['tested']} operations in {result['running_time']:.0f} s, "
        "no failures"
    )


def test_fuzz_without_a_key(live_server, figures):
    result = run_schemathesis(live_server, "anonymous", phases=ALL_PHASES, key=None)
    figures.append(_summary("without a key", result))


def test_fuzz_with_an_admin_key_and_stateful_links(live_server, figures):
    result = run_schemathesis(
        live_server,
        "admin",
        phases=ALL_PHASES,
        key=live_server.admin_key,
    )
    figures.append(_summary("with an admin key", result))
    assert result["phases"]["stateful"]["status"] == "success", result["phases"]
