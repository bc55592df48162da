"""Webhooks at volume: 10,000 events to 20 subscriptions, delivered and checked in order.

    python -m benchmarks.webhooks [--events 10000] [--subscriptions 20]

Migrates a fresh SQLite file (or BENCH_DATABASE_URL on PostgreSQL, emptied), subscribes
20 loopback targets of one receiver process to `organization.created`, adds 10,000
organizations (one event each), then runs the dispatcher until every delivery went out.
The receiver verifies each signature with `standardwebhooks` and checks that every
subscription's events arrive in feed order; the figures are the time to fan out and
deliver all, deliveries per second, and any duplicates or failures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, func, select, text

from benchmarks.servers import record
from partners_api import create_app
from partners_api.db import database
from partners_api.keys import service as keys
from partners_api.ops.service import alembic_config
from partners_api.serving.local import free_port, wait_until_ready
from partners_api.synthetic import generate_directory
from partners_api.webhooks.dispatcher import Dispatcher, Settings
from partners_api.webhooks.models import WebhookDelivery


class Tally:
    """What the receiver saw, per path: count, last id, order breaks, bad signatures."""

    def __init__(self, secrets: dict[str, str]) -> None:
        from standardwebhooks import Webhook

        self.hooks = {path: Webhook(secret) for path, secret in secrets.items()}
        self.lock = threading.Lock()
        self.stats = {p: {"count": 0, "last": 0, "out_of_order": 0, "bad": 0} for p in secrets}
        self.ids: set[str] = set()
        self.duplicates = 0

    def note(self, path: str, headers: dict, body: bytes) -> None:
        """Verify one delivery and count it."""
        try:
            data = self.hooks[path].verify(body, headers)["data"]
            bad = 0
        except Exception:
            data, bad = {"id": 0}, 1
        with self.lock:
            stats = self.stats[path]
            stats["count"] += 1
            stats["bad"] += bad
            stats["out_of_order"] += data["id"] <= stats["last"]
            stats["last"] = max(stats["last"], data["id"])
            key = f"{path} {headers.get('webhook-id')}"
            self.duplicates += key in self.ids
            self.ids.add(key)


def receive(port: int, secrets_file: str) -> None:
    """The receiver process: answer 204 to POSTs, GET /stats gives the tally."""
    tally = Tally(json.loads(Path(secrets_file).read_text()))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            tally.note(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            body = json.dumps({"paths": tally.stats, "duplicates": tally.duplicates}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def prepared_app(url: str, receiver: str, count: int) -> tuple:
    """Migrate, subscribe `count` paths of the receiver; the app and the secrets by path."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    command.upgrade(alembic_config(url), "head")
    app = create_app(
        {"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "WEBHOOKS_ALLOW_PRIVATE": True}
    )
    with app.app_context(), database().session() as session:
        key = keys.create_key(session, name="bench", scopes=["admin"]).secret
    client, secrets = app.test_client(), {}
    for n in range(count):
        path = f"/hook/{n}"
        made = client.post(
            "/api/v1/webhooks",
            json={"url": receiver + path, "event_types": ["organization.created"]},
            headers={"Authorization": f"Bearer {key}"},
        )
        secrets[path] = made.json["secret"]
    return app, secrets


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=20)
    parser.add_argument("--receive", nargs=2, metavar=("PORT", "SECRETS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receive:
        receive(int(args.receive[0]), args.receive[1])
        return
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/webhooks.db"
        port = free_port()
        app, secrets = prepared_app(url, f"http://127.0.0.1:{port}", args.subscriptions)
        secrets_file = Path(folder) / "secrets.json"
        secrets_file.write_text(json.dumps(secrets))
        receiver = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.webhooks", "--receive", str(port), str(secrets_file)]
        )
        try:
            stats = f"http://127.0.0.1:{port}/stats"
            wait_until_ready(receiver, lambda: urllib.request.urlopen(stats).status == 200)
            measure(app, url, args, stats)
        finally:
            receiver.terminate()
            receiver.wait()
            app.extensions["partners_db"].engine.dispose()


def measure(app, url: str, args, stats_url: str) -> None:
    """Add the events, dispatch until all went out, and print the figures."""
    began = time.perf_counter()
    with app.app_context(), database().session() as session:
        generate_directory(session, organizations=args.events, links_per_organization=0)
    added = time.perf_counter() - began
    settings = Settings(
        timeout=10, concurrency=args.subscriptions, batch_size=500, allow_private=True
    )
    dispatcher = Dispatcher(app.extensions["partners_db"], settings)
    started = time.perf_counter()
    dispatcher.run_until_idle(max_seconds=3600)
    took = time.perf_counter() - started
    with urllib.request.urlopen(stats_url) as answer:
        stats = json.load(answer)
    with app.app_context(), database().session() as session:
        succeeded = session.scalar(
            select(func.count()).where(WebhookDelivery.status == "succeeded")
        )
    received = sum(p["count"] for p in stats["paths"].values())
    out_of_order = sum(p["out_of_order"] for p in stats["paths"].values())
    bad = sum(p["bad"] for p in stats["paths"].values())
    database_kind = url.split(":", 1)[0].split("+")[0]
    print(f"webhooks on {database_kind}: {args.events} events x {args.subscriptions} subscriptions")
    print(f"  events added in {added:.1f} s; fan-out and delivery of all took {took:.1f} s")
    print(f"  {received} received ({received / took:.0f} per second), {succeeded} succeeded")
    print(f"  out of order {out_of_order}, duplicates {stats['duplicates']}, bad signatures {bad}")
    size = f"{args.events:,} events x {args.subscriptions} subscriptions"
    record("webhooks", f"{database_kind}, {size}, all delivered", took, "s")
    record("webhooks", f"{database_kind}, deliveries per second", received / took, "/s")
    wrong = out_of_order + stats["duplicates"] + bad + (args.events * args.subscriptions - received)
    wrong_name = f"{database_kind}, missing, duplicated, out of order or bad"
    record("webhooks", wrong_name, wrong, "deliveries", "< 1")


if __name__ == "__main__":
    main()
