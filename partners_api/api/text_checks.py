"""Text no database stores: NUL characters and unpaired surrogates in URLs and JSON bodies."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from webargs.flaskparser import FlaskParser

from partners_api.api.problems import problem_response
from partners_api.errors import BadRequest


def reject_nul_characters() -> Response | None:
    """Answer 400 for a NUL character in the path or query, which no database stores."""
    values = [v for _, v in request.args.items(multi=True)]
    if "\x00" in request.path or any("\x00" in v for v in values):
        return problem_response(
            400, "NUL characters are not allowed in URLs.", code="nul_character"
        )
    return None


def _has_unstorable_text(data: Any) -> bool:
    """True when a string or key holds a NUL or an unpaired surrogate, which no database stores."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser, refusing JSON too deep to parse or with unstorable text."""

    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError:
            raise BadRequest("The JSON body is nested too deeply.") from None
        if _has_unstorable_text(data):
            raise BadRequest("Strings may not contain NUL characters or unpaired surrogates.")
        return data
