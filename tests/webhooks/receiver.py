"""A real webhook receiver on loopback for the tests: verifies signatures, records what came.

Each path behaves as its name says: `/ok/...` answers 204, `/fail/...` 500, `/hang/...`
sleeps past any timeout, `/close/...` drops the connection, `/redirect/...` answers 302
to `/ok/redirected`, `/slow/...` waits a little then answers 204. A path may be told to
fail its first N requests with `fail_first`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None
    at: float

    @property
    def json(self) -> dict:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        """The webhook-id header."""
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """The server's state: secrets by path, requests by path, behaviours."""

    url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    received: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    fail_first: dict[str, int] = field(default_factory=dict)
    slow_seconds: float = 0.02
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, path: str) -> list[Received]:
        """What reached a path, in order of arrival."""
        with self.lock:
            return list(self.received[path])

    def wait_for(self, path: str, count: int, seconds: float = 20) -> list[Received]:
        """Wait until a path has received `count` requests."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.of(path)) >= count:
                return self.of(path)
            time.sleep(0.02)
        raise AssertionError(f"{path} received {len(self.of(path))}, not {count}")

    def _verify(self, path: str, headers: dict[str, str], body: bytes) -> bool | None:
        secret = self.secrets.get(path)
        if secret is None:
            return None
        try:
            Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True

    def note(self, path: str, headers: dict[str, str], body: bytes) -> int:
        """Record a request; how many the path had before it."""
        verified = self._verify(path, headers, body)
        with self.lock:
            seen = len(self.received[path])
            self.received[path].append(Received(path, headers, body, verified, time.monotonic()))
        return seen


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    receiver: Receiver

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        seen = self.receiver.note(self.path, headers, body)
        kind = self.path.split("/")[1]
        if seen < self.receiver.fail_first.get(self.path, 0):
            kind = "fail"
        if kind == "hang":
            time.sleep(5)
        if kind == "close":
            self.close_connection = True
            self.connection.close()
            return
        if kind == "slow":
            time.sleep(self.receiver.slow_seconds)
        status = {"fail": 500, "redirect": 302}.get(kind, 204)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", f"{self.receiver.url}/ok/redirected")
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A sender that drops the connection (a killed dispatcher) is no error here."""


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    """Start a receiver on a free loopback port, in a daemon thread."""
    receiver = Receiver()
    handler = type("Handler", (_Handler,), {"receiver": receiver})
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
