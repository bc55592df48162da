"""Schemathesis hooks for the fuzzing run (loaded through SCHEMATHESIS_HOOKS).

The fuzzer holds an admin key and may call DELETE /keys/{key_id} with any id; revoking its
own key would turn the rest of the run into 401s. A call aimed at its own key goes to a
spare admin key instead, so revocation is still exercised on a real key.

The fuzzer draws an Idempotency-Key as it draws any string, and draws the same one for
calls that are not retries of each other; the server then rightly replays the first
answer, so in a stateful scenario a topic created, then deleted, is "created" again. A
client sends a new key with each new request: in the stateful phase, where calls build
on each other, a well-formed key gets a suffix that makes it unique to its call (a
malformed one is sent as drawn, to be refused). The other phases send keys as drawn.

A templated path beside concrete ones (/organizations/{ref} beside /organizations/facets,
/resolve and /duplicates) gets, as a value breaking its pattern, the concrete segment it
leaves out. By OpenAPI's rule that concrete paths match before templated ones, that URL
is the other operation, not a negative test of this one, so such a case is dropped.
"""

from __future__ import annotations

import itertools
import os
import re

import schemathesis

from partners_api.api.headers import IDEMPOTENCY_KEY_PATTERN

OWN_KEY_ID = os.environ.get("FUZZ_OWN_KEY_ID", "")
SPARE_KEY_ID = os.environ.get("FUZZ_SPARE_KEY_ID", "")
CALLS = itertools.count(1)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    """Give stateful calls their own Idempotency-Key; send the own key's revocation elsewhere."""
    _unique_idempotency_key(case)
    if case.method.upper() != "DELETE" or not case.path.startswith("/api/v1/keys/"):
        return
    parameters = case.path_parameters or {}
    if OWN_KEY_ID and str(parameters.get("key_id")) == OWN_KEY_ID:
        parameters["key_id"] = int(SPARE_KEY_ID)


@schemathesis.hook
def filter_case(context, case) -> bool:
    """Keep a case unless its URL is a concrete path of the spec (another operation's)."""
    parameters = case.path_parameters or {}
    if not parameters:
        return True
    url = case.path
    for name, value in parameters.items():
        url = url.replace("{" + name + "}", str(value))
    return url not in _concrete_paths(context.operation.schema.raw_schema)


def _concrete_paths(raw_schema: dict) -> set[str]:
    """The spec's paths with no template in them."""
    return {path for path in raw_schema.get("paths", {}) if "{" not in path}


def _unique_idempotency_key(case) -> None:
    """In a stateful scenario, make a well-formed Idempotency-Key unique to its call."""
    if case.meta is None or case.meta.phase.name != "stateful":
        return
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and re.fullmatch(IDEMPOTENCY_KEY_PATTERN.strip("^$"), key):
        case.headers["Idempotency-Key"] = f"{key[:180]}~{next(CALLS)}"
