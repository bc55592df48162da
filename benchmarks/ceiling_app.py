"""The framework's ceiling: a minimal Flask app answering one constant JSON body.

`gunicorn benchmarks.ceiling_app:app`; CEILING_BODY names a file whose bytes are the body
(the throughput benchmark gives it one of our list pages), else the body is `{"ok": true}`.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response

BODY = (
    Path(os.environ["CEILING_BODY"]).read_bytes()
    if os.environ.get("CEILING_BODY")
    else b'{"ok": true}'
)

app = Flask(__name__)


@app.get("/api/v1/organizations")
@app.get("/api/v1/organizations/<ref>")
def organizations(ref: str | None = None) -> Response:
    """The same bytes for every request, whatever its query."""
    return Response(BODY, mimetype="application/json")
