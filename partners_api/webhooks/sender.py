"""Sending signed deliveries over HTTP: pinned to a checked address, no redirects, capped."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from partners_api.errors import Unprocessable
from partners_api.webhooks.signing import signature_header
from partners_api.webhooks.targets import Target, TargetRefused, parse_target, resolve

MAX_RESPONSE_BYTES = 64 * 1024  # what is read of an answer; the rest is never read
USER_AGENT = "partners-api-webhooks/1"
# A request's headers and body go out in two writes: without TCP_NODELAY the body waits
# for the receiver's delayed acknowledgement of the headers (tens of milliseconds).
SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


@dataclass(frozen=True)
class Message:
    """One delivery ready to send: its webhook-id, body and the secrets that sign it."""

    delivery_id: int
    message_id: str
    body: bytes
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    delivery_id: int
    succeeded: bool
    status: int | None
    duration_ms: int
    error: str | None


@dataclass(frozen=True)
class Limits:
    """How an attempt may go: its timeout, whether private targets are allowed."""

    timeout: float
    allow_private: bool


def send_in_order(
    url: str, messages: Sequence[Message], *, limits: Limits, deadline: float
) -> list[Outcome]:
    """Send one subscription's messages in order over one client, until one fails.

    Stops before the monotonic `deadline` (the end of the dispatcher's lease), so that no
    attempt outlives the lease.
    """
    outcomes: list[Outcome] = []
    try:
        target = parse_target(url, allow_private=limits.allow_private)
    except Unprocessable as refused:
        return [Outcome(messages[0].delivery_id, False, None, 0, refused.detail)]
    timeout = httpx.Timeout(limits.timeout)
    transport = httpx.HTTPTransport(socket_options=SOCKET_OPTIONS)
    with httpx.Client(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        for message in messages:
            if time.monotonic() + limits.timeout > deadline:
                break
            outcome = send_one(client, target, message, limits)
            outcomes.append(outcome)
            if not outcome.succeeded:
                break
    return outcomes


def send_one(client: httpx.Client, target: Target, message: Message, limits: Limits) -> Outcome:
    """One attempt: resolve and check the host again, connect to that address, POST."""
    started = time.monotonic()
    status, error = None, None
    try:
        address = resolve(target, allow_private=limits.allow_private)
        url, headers, extensions = target.pinned_to(address)
        headers.update(_webhook_headers(message))
        with client.stream(
            "POST", url, content=message.body, headers=headers, extensions=extensions
        ) as response:
            _read_capped(response, started + limits.timeout)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"answered {status}" + (" (redirects are not followed)" if status < 400 else "")
    except TargetRefused as refused:
        error = str(refused)
    except httpx.TimeoutException:
        error = f"no answer within {limits.timeout:g} s"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    return Outcome(message.delivery_id, error is None, status, duration, error)


def _webhook_headers(message: Message) -> dict[str, str]:
    """Content type and the Standard Webhooks headers, signed at the real time of sending."""
    now = datetime.now(UTC)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(
            message.secrets, message_id=message.message_id, at=now, body=message.body
        ),
    }


def _read_capped(response: httpx.Response, deadline: float) -> None:
    """Read at most MAX_RESPONSE_BYTES of the answer, and not past the attempt's deadline."""
    read = 0
    for chunk in response.iter_raw():
        read += len(chunk)
        if read >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
            break
