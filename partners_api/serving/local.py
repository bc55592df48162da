"""Serving locally: the project's gunicorn on a free loopback port, until it answers.

For the tests and the benchmarks, which run the server as production does: gunicorn in a
child process (its own session, so that it stops with its workers), started on a port
nobody uses, waited for until it answers, and stopped when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.request import urlopen

BIN = Path(sys.executable).parent
CONFIG = "python:partners_api.serving.gunicorn_conf"
HOST = "127.0.0.1"
# Each server gets a metrics directory of its own (the configuration makes one when unset).
NOT_INHERITED = ("PROMETHEUS_MULTIPROC_DIR",)


def free_port() -> int:
    """A loopback TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def gunicorn(
    app: str = "wsgi:app",
    *,
    config: str | None = CONFIG,
    port: int | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    chdir: Path | None = None,
) -> list[str]:
    """The gunicorn command serving a WSGI app on the loopback interface.

    With a configuration, the project's by default, or plain sync workers when `config`
    is None; the options left out come from the configuration (or gunicorn's defaults).
    """
    # Without the project's configuration, which turns it off, gunicorn would open one
    # control socket per user, shared by every server started at once.
    options = ["-c", config] if config else ["--worker-class", "sync", "--no-control-socket"]
    if chdir is not None:
        options += ["--chdir", str(chdir)]
    if workers is not None:
        options += ["--workers", str(workers)]
    if timeout is not None:
        options += ["--timeout", str(timeout)]
    if port is not None:
        options += ["--bind", f"{HOST}:{port}"]
    return [str(BIN / "gunicorn"), *options, app]


def listening(port: int) -> bool:
    """True when something accepts TCP connections on the loopback port."""
    with socket.create_connection((HOST, port), timeout=0.1):
        return True


def healthy(url: str) -> bool:
    """True when the API at `url` answers 200 to GET /api/v1/health."""
    with urlopen(f"{url}/api/v1/health", timeout=1) as answer:
        return answer.status == 200


def wait_until_ready(
    process: subprocess.Popen,
    ready: Callable[[], bool],
    *,
    seconds: float = 30,
    explain: Callable[[], str] = lambda: "",
) -> None:
    """Wait until `ready()` holds; RuntimeError if the process exits or time runs out first.

    An OSError from `ready()` means not yet; the error says what `explain()` returns.
    """
    name = Path(str(process.args[0])).name if isinstance(process.args, list) else "server"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{explain()}")
        with contextlib.suppress(OSError):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer in {seconds} s:\n{explain()}")


@contextlib.contextmanager
def running(
    command: list[str],
    *,
    port: int,
    ready: Callable[[], bool] | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: Path | None = None,
    stderr: Path | None = None,
    explain: Callable[[], str] = lambda: "",
    seconds: float = 30,
) -> Iterator[subprocess.Popen]:
    """Run a server on a loopback port until the block ends, once it answers.

    It answers when `ready()` holds, by default when the port accepts connections. Its
    environment is this one (but for NOT_INHERITED) updated with `env`; its output goes
    to the files `stdout` and `stderr`, else nowhere; it has `seconds` to start answering.
    """
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    with contextlib.ExitStack() as files:
        out, err = (
            files.enter_context(path.open("wb")) if path else subprocess.DEVNULL
            for path in (stdout, stderr)
        )
        process = subprocess.Popen(
            command,
            env={**environment, **(env or {})},
            cwd=cwd,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        wait_until_ready(
            process, ready or (lambda: listening(port)), seconds=seconds, explain=explain
        )
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen, seconds: float = 20) -> None:
    """Stop a server started by `running`, its workers with it: SIGTERM, then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
