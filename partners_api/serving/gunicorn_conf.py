"""Gunicorn settings: `gunicorn -c python:partners_api.serving.gunicorn_conf wsgi:app`.

Gunicorn reads every name of this module that is one of its settings, so helpers start
with an underscore. Environment: WEB_CONCURRENCY (workers), WEB_THREADS (threads per
worker), BIND or HOST and PORT, LOG_FORMAT (json here), LOG_LEVEL,
PROMETHEUS_MULTIPROC_DIR and PRELOAD ("false" to load the app in each worker instead).

With PRELOAD (the default) the master loads the app and builds the in-memory indexes
once, before it forks the workers: they start with the indexes in pages they share with
the master and with one another (copy-on-write), so a new worker answers at once and
four workers take little more memory than one. Any setting can still be overridden on the
command line or in GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from partners_api.observability.logs import gunicorn_logging

MAX_DEFAULT_WORKERS = 8  # each worker holds its own database pool

# Workers share their metrics through files in this directory. prometheus_client reads the
# variable when first imported, in the workers, so it must be set before they start.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="partners-api-metrics-")
os.environ.setdefault("LOG_FORMAT", "json")


def _default_workers() -> int:
    """Twice the usable cores plus one, at most MAX_DEFAULT_WORKERS."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, MAX_DEFAULT_WORKERS)


def _bind() -> str:
    """BIND as given, else HOST:PORT (127.0.0.1:8000 by default)."""
    if os.environ.get("BIND"):
        return os.environ["BIND"]
    host = os.environ.get("HOST") or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"{host}:{os.environ.get('PORT') or 8000}"


bind = _bind()
workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())
# Threads let a worker stream a long export while it keeps answering gunicorn's heartbeat.
worker_class = "partners_api.serving.workers.ProblemThreadWorker"  # gthread
threads = int(os.environ.get("WEB_THREADS") or 4)
timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 30  # time to finish requests in flight on restart or shutdown
keepalive = 5  # seconds an idle connection stays open; keep below the proxy's idle timeout
# Built once in the master, before fork: see the module's text.
preload_app = (os.environ.get("PRELOAD") or "true").lower() not in ("0", "false", "no")
# Recycle workers now and then, at different times, to bound any slow growth of memory.
# Rarely: without PRELOAD, a new worker rebuilds its in-memory indexes (seconds of CPU at
# 100,000 organizations), which at 5,000 requests a life took a third of the machine.
max_requests = 100_000
max_requests_jitter = 10_000
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
# gunicornc's control socket (gunicorn 25.1 and later) has one default path per user, which
# every instance on a host would share: leave it off.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
logconfig_dict = gunicorn_logging(os.environ["LOG_FORMAT"], loglevel)


def on_starting(server) -> None:
    """Empty the metrics directory of an earlier run before the first worker starts."""
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()


def when_ready(server) -> None:
    """With PRELOAD, build the indexes in the master, then fork workers that share them.

    The indexes are built in a child and taken over from it (see warm_up_apart), so the
    master holds them without the heap their building left partly used; then one request
    of each kind is answered here (see rehearse), so that what a first request sets up is
    shared too. The master's
    database connections are closed first, so no worker inherits a socket it would share
    with another; the objects made so far are frozen out of the garbage
    collector's reach, whose passes would otherwise write to (and so copy) their pages;
    the heap's free pages, what the builds used for a while, go back to the system; and
    the free blocks left between live ones are taken, so that a worker's own blocks do
    not land on the pages it shares (see fill_heap_holes).
    """
    if not preload_app:
        return
    import gc

    from partners_api.ops.service import (
        fill_heap_holes,
        rehearse,
        release_free_memory,
        warm_up_apart,
    )

    app = server.app.wsgi()
    warm_up_apart(app)
    rehearse(app)
    app.extensions["partners_db"].engine.dispose()
    gc.collect()
    gc.freeze()
    release_free_memory()
    fill_heap_holes()


def post_worker_init(worker) -> None:
    """Start building the worker's in-memory indexes before its first request arrives.

    In a thread, so the worker keeps its heartbeat however long a large directory takes;
    a request that comes first waits for the build instead of starting another. With
    PRELOAD the indexes came built from the master, and this only checks they are current.
    """
    import threading

    from partners_api.ops.service import warm_up

    threading.Thread(target=warm_up, args=(worker.wsgi,), name="warm-up", daemon=True).start()


def child_exit(server, worker) -> None:
    """Drop the live gauges of a worker that has exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """Remove the metrics directory this configuration made."""
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
