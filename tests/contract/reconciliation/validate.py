"""Validate documents against the vendored Reconciliation Service API v0.2 schemas, offline.

Draft 7 on purpose: the files say "$schema": "http://json-schema.org/schema#", upstream checks
them with ajv 6 (draft-07), and jsonschema_rs.validator_for() would pick 2020-12.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema_rs

HERE = Path(__file__).parent
SCHEMAS = HERE / "schemas"
# manifest.json: "authentication": {"$ref": SWAGGER_V2 + "#/definitions/securityDefinitions/…"}
SWAGGER_V2 = "http://swagger.io/v2/schema.json"


@cache
def _registry() -> jsonschema_rs.Registry:
    """Every vendored file under its $id, so the relative "$ref": "type.json" resolves offline."""
    schemas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))]
    resources = [(schema["$id"], schema) for schema in schemas]
    # Swagger 2.0 is not vendored. We offer no authentication, so the stand-in rejects the key.
    stand_in = {"definitions": {"securityDefinitions": {"additionalProperties": False}}}
    resources.append((SWAGGER_V2, stand_in))
    return jsonschema_rs.Registry(resources, draft=jsonschema_rs.Draft7)


@cache
def validator(name: str) -> jsonschema_rs.Draft7Validator:
    """The validator of a file in schemas/, e.g. "reconciliation-result-batch.json"."""
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema_rs.Draft7Validator(schema, registry=_registry(), offline=True)


def errors(name: str, document) -> list[str]:
    """Where and why `document` is not valid against the schema `name`."""
    return [
        f"/{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in validator(name).iter_errors(document)
    ]


def assert_valid(name: str, document) -> None:
    """Fail listing every error when `document` is not valid against the schema `name`."""
    found = errors(name, document)
    assert not found, f"{name}: " + "; ".join(found)


def recorded(name: str) -> dict:
    """A recorded request kept beside the schemas, e.g. "openrefine_batch.json"."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))
