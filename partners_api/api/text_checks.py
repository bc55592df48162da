"""Input no schema reads: NUL characters in the path, and JSON nested too deeply to parse.

Text in query strings and bodies is checked by the schemas (`fields.TEXT_PATTERN`).
"""

from __future__ import annotations

import marshmallow as ma
from flask import Response, request
from webargs.flaskparser import FlaskParser

from partners_api.api.problems import problem_response
from partners_api.errors import BadRequest


def refuse_nul_in_path() -> Response | None:
    """Answer 404 for a path holding a NUL character: nothing is stored under such a name."""
    if "\x00" in request.path:
        return problem_response(404, "Nothing is found at a path with a NUL character.")
    return None


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser, refusing JSON nested too deeply to parse.

    A schema given as a class is made once and reused (webargs would make one per
    request, which cost more than the rest of parsing a list's query).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap, req) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise BadRequest("The JSON body is nested too deeply.") from None
