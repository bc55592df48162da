"""Schemathesis hooks for the fuzzing run (loaded through SCHEMATHESIS_HOOKS).

The fuzzer holds an admin key and may call DELETE /keys/{key_id} with any id; revoking its
own key would turn the rest of the run into 401s. A call aimed at its own key goes to a
spare admin key instead, so revocation is still exercised on a real key.
"""

from __future__ import annotations

import os

import schemathesis

OWN_KEY_ID = os.environ.get("FUZZ_OWN_KEY_ID", "")
SPARE_KEY_ID = os.environ.get("FUZZ_SPARE_KEY_ID", "")


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    """Send a revocation of the fuzzer's own key to the spare key."""
    if case.method.upper() != "DELETE" or not case.path.startswith("/api/v1/keys/"):
        return
    parameters = case.path_parameters or {}
    if OWN_KEY_ID and str(parameters.get("key_id")) == OWN_KEY_ID:
        parameters["key_id"] = int(SPARE_KEY_ID)
