"""Pollers: threads that send one request through a live server again and again, noting answers."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from tests.servers import Answer, Server


class Noted(NamedTuple):
    """One request a poller sent: when, when answered, and the answer (status 0: none)."""

    sent: float
    answered: float
    status: int
    content_type: str
    detail: str  # a problem's detail, the start of another error body, or the error raised


def error_detail(answer: Answer) -> str:
    """A problem document's detail; for any other body (an HTML 500 page), its start."""
    try:
        return answer.json.get("detail", "")
    except (ValueError, AttributeError):
        return answer.body[:200].decode(errors="replace")


@dataclass
class Poller:
    """A thread that reads or writes through a server again and again, noting every answer."""

    server: Server
    path: str
    method: str = "GET"
    body_of: Callable[[int], object] | None = None  # the body of the n-th request
    headers: dict = field(default_factory=dict)
    timeout: float = 10
    answers: list[Noted] = field(default_factory=list)
    running: bool = True
    thread: threading.Thread | None = None

    def run(self) -> None:
        """Send requests one after another until stopped."""
        sent = 0
        while self.running:
            sent += 1
            body = self.body_of(sent) if self.body_of else None
            at = time.monotonic()
            try:
                answer = self.server.call(self.method, self.path, body, self.headers, self.timeout)
                detail = error_detail(answer) if answer.status >= 400 else ""
                noted = (answer.status, answer.headers.get("Content-Type", ""), detail)
            except (OSError, http.client.HTTPException) as error:  # no answer at all
                noted = (0, "", repr(error))
            self.answers.append(Noted(at, time.monotonic(), *noted))
            time.sleep(0.02)

    def start(self) -> None:
        """Run in a daemon thread of its own."""
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def stop(self, seconds: float) -> None:
        """Stop sending, and wait up to `seconds` for the request under way."""
        self.running = False
        if self.thread is not None:
            self.thread.join(seconds)

    def since(self, moment: float) -> list[Noted]:
        """The answers given after a moment."""
        return [a for a in list(self.answers) if a.answered > moment]

    def between(self, start: float, end: float = float("inf")) -> list[Noted]:
        """The answers to requests sent after start and answered by end."""
        return [a for a in list(self.answers) if start < a.sent and a.answered <= end]

    def first_success_after(self, moment: float) -> float | None:
        """When the first 2xx to a request sent after a moment came."""
        return next((a.answered for a in self.between(moment) if 200 <= a.status < 300), None)

    def first_200_since(self, moment: float) -> float | None:
        """When the first 200 after a moment came, if one did."""
        return next((a.answered for a in self.since(moment) if a.status == 200), None)

    def wait_for(self, check: Callable[[list[Noted]], bool], seconds: float) -> bool:
        """Wait until `check(answers)` holds; False when it never did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check(list(self.answers)):
                return True
            time.sleep(0.05)
        return False
