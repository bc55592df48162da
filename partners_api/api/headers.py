"""Request headers the API reads beside the key: their forms, spec parameters and checks."""

from __future__ import annotations

import re

from flask import request

from partners_api.errors import Unprocessable

# RFC 9110 entity tags, strong or weak, as this API writes them: quoted visible ASCII.
ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7E]*"'
ENTITY_TAGS = rf"[ \t]*{ENTITY_TAG}(?:[ \t]*,[ \t]*{ENTITY_TAG})*[ \t]*"
IF_MATCH_PATTERN = f"^{ENTITY_TAGS}$"
IF_NONE_MATCH_PATTERN = rf"^(?:[ \t]*\*[ \t]*|{ENTITY_TAGS})$"
# Printable ASCII, 1 to 200 characters, not starting or ending with a space.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7E](?:[\x20-\x7E]{0,198}[\x21-\x7E])?$"

EXAMPLE_TAG = '"5d41402abc4b2a76b9719d911017c592"'


def _parameter(name: str, pattern: str, description: str, example: str, **extra) -> dict:
    """A header parameter for the spec's components."""
    return {
        "name": name,
        "in": "header",
        "description": description,
        "schema": {"type": "string", "pattern": pattern},
        "example": example,
        **extra,
    }


HEADER_PARAMETERS = {
    "IF_MATCH": _parameter(
        "If-Match",
        IF_MATCH_PATTERN,
        "The ETag of the version you read (quoted, as ETag gave it). Without it, or with "
        "`*`, the answer is 428; when the resource has changed since, 412.",
        EXAMPLE_TAG,
        required=True,
    ),
    "IF_NONE_MATCH": _parameter(
        "If-None-Match",
        IF_NONE_MATCH_PATTERN,
        "ETags of versions you hold, or `*`: 304 when the current version is among them.",
        EXAMPLE_TAG,
    ),
    "IDEMPOTENCY_KEY": _parameter(
        "Idempotency-Key",
        IDEMPOTENCY_KEY_PATTERN,
        "A key of your choice (printable ASCII, up to 200 characters) that makes a retried "
        "POST safe: the same key with the same request answers what the first one did, for "
        "24 hours; the same key with another request is a 422.",
        "3f1c2a9e-7b1d-4c1e-9d6a-2f0e8b7c5a41",
    ),
}


FORMS = {
    "If-Match": 'one or more quoted entity tags, as ETag gives them: "5d41…"',
    "If-None-Match": "*, or one or more quoted entity tags, as ETag gives them",
    "Idempotency-Key": "1 to 200 printable ASCII characters",
}
PATTERNS = {p["name"]: p["schema"]["pattern"] for p in HEADER_PARAMETERS.values()}


def checked_header(name: str) -> str | None:
    """The header's value, or None when absent; a 422 naming it when it is not of its form."""
    value = request.headers.get(name)
    pattern = PATTERNS[name].removeprefix("^").removesuffix("$")
    if value is not None and not re.fullmatch(pattern, value):
        raise Unprocessable.field(name, f"{name} must be {FORMS[name]}.")
    return value
