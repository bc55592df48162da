"""The gunicorn configuration: settings from the environment, metrics shared through files."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import serve

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARIABLES = {
    "BIND",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "LOG_FORMAT",
    "PROMETHEUS_MULTIPROC_DIR",
}

# Loads the configuration as gunicorn does, then makes a metric the way a worker would.
PROBE = """
import json, os
from partners_api.serving import gunicorn_conf as conf
from partners_api import create_app
app = create_app({"DATABASE_URL": "sqlite://"})
app.test_client().get("/api/v1/health")
print(json.dumps({
    "bind": conf.bind, "workers": conf.workers, "threads": conf.threads,
    "worker_class": conf.worker_class, "max_requests": conf.max_requests,
    "max_requests_jitter": conf.max_requests_jitter, "access_log_format": conf.access_log_format,
    "log_format": os.environ["LOG_FORMAT"],
    "metrics_dir": os.environ["PROMETHEUS_MULTIPROC_DIR"],
    "metric_files": sorted(os.listdir(os.environ["PROMETHEUS_MULTIPROC_DIR"])),
}))
"""


def load_config(**env: str) -> dict:
    """The settings the configuration yields in a fresh process with this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    settings = json.loads(done.stdout.strip().splitlines()[-1])
    if "PROMETHEUS_MULTIPROC_DIR" not in env:
        shutil.rmtree(settings["metrics_dir"])
    return settings


@pytest.fixture(scope="module")
def defaults() -> dict:
    """The settings with none of the configuration's variables set."""
    return load_config()


def test_defaults_serve_json_logs_on_localhost_with_workers_from_the_cores(defaults):
    settings = defaults
    cores = len(os.sched_getaffinity(0))
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["workers"] == min(2 * cores + 1, 8)
    assert (
        settings["worker_class"] == "partners_api.serving.workers.ProblemThreadWorker"
        and settings["threads"] == 4
    )
    assert settings["max_requests"] > settings["max_requests_jitter"] > 0
    assert "%({x-request-id}o)s" in settings["access_log_format"]
    assert settings["log_format"] == "json"


def test_the_environment_overrides_workers_address_and_log_format():
    settings = load_config(WEB_CONCURRENCY="3", WEB_THREADS="2", HOST="::1", PORT="9001")
    assert (settings["workers"], settings["threads"]) == (3, 2)
    assert settings["bind"] == "[::1]:9001"
    settings = load_config(BIND="unix:/tmp/partners.sock", HOST="0.0.0.0", LOG_FORMAT="text")
    assert settings["bind"] == "unix:/tmp/partners.sock" and settings["log_format"] == "text"


def test_workers_write_their_metrics_to_the_shared_directory(defaults, tmp_path):
    # Were prometheus_client imported before the configuration set the variable, every
    # worker would count in its own memory and a scrape would see one worker's share.
    assert defaults["metric_files"] and all(f.endswith(".db") for f in defaults["metric_files"])
    assert Path(defaults["metrics_dir"]).name.startswith("partners-api-metrics-")
    given = load_config(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    assert given["metrics_dir"] == str(tmp_path) and given["metric_files"]


@pytest.mark.database_independent
def test_what_gunicorn_refuses_is_a_problem_document_too(tmp_path):
    # gunicorn answers some requests before the application: a request line over 4,094
    # bytes (414), a header over 8,190 bytes (431), a request line it cannot parse (400).
    with serve("refusals", tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}") as server:
        host, port = server.url.removeprefix("http://").split(":")
        long_url = "/api/v1/organizations?q=" + "x" * 5000
        long_header = "X-Long: " + "y" * 9000
        for request, status in (
            (f"GET {long_url} HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            (f"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n{long_header}\r\n\r\n", 431),
            ("GET /api/v1/health HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        ):
            with socket.create_connection((host, int(port)), timeout=10) as connection:
                connection.sendall(request.encode())
                answer = b"".join(iter(lambda: connection.recv(65536), b""))
            head, body = answer.split(b"\r\n\r\n", 1)
            assert head.split()[1] == str(status).encode(), head
            assert b"Content-Type: application/problem+json" in head
            problem = json.loads(body)
            assert problem["status"] == status and problem["detail"], problem
            assert "xxxx" not in problem["detail"]
