"""gunicorn's gthread worker, answering the HTTP server's own refusals as problem documents.

gunicorn refuses some requests before the application sees them (a request line over
4,094 bytes: 414; a header over 8,190 bytes: 431; a request it cannot parse: 400) and
writes an HTML page through `gunicorn.util.write_error`. The worker's error handler
writes through that name at each call, so this module replaces it: the same statuses,
as RFC 9457 problem documents, like every other answer of the API.
"""

from __future__ import annotations

import json
import socket

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_MIMETYPE = "application/problem+json"
DETAILS = {
    400: "The request could not be read as HTTP.",
    403: "The request is not allowed.",
    414: "The URL is too long: keep the request line under 4,094 bytes.",
    417: "The expectation given is not supported.",
    431: "A header is too large: keep each under 8,190 bytes.",
    500: "The server could not complete the request.",
    501: "The transfer coding is not supported.",
}


def write_problem(sock: socket.socket, status_int: int, reason: str, _message: str) -> None:
    """Write a problem document for a request the HTTP server refused, and close."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": reason,
            "status": status_int,
            "detail": DETAILS.get(status_int, reason),  # never the request's own text
            "code": reason.lower().replace(" ", "_"),
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_MIMETYPE}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_problem


class ProblemThreadWorker(ThreadWorker):
    """The gthread worker; its refusals are problem documents (see the module's text)."""
