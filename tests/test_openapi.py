"""The committed OpenAPI document is the one the application serves."""

from __future__ import annotations

import json
from pathlib import Path

from partners_api.cli import render_openapi

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_spec_is_current(app):
    assert COMMITTED.read_text(encoding="utf-8") == render_openapi(app), (
        "openapi/openapi.json is stale: run `partners-api openapi write`"
    )


def test_served_spec_documents_every_route(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec == json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path in (
        "/api/v1/organizations",
        "/api/v1/organizations/{ref}",
        "/api/v1/organizations/facets",
        "/api/v1/regions/{code}",
        "/api/v1/countries",
        "/api/v1/topics/{slug}",
        "/api/v1/ready",
    ):
        assert path in spec["paths"], path
    for path_item in spec["paths"].values():
        for method in ("get", "post", "put", "patch", "delete"):
            operation = path_item.get(method, {"summary": "-", "tags": ["-"]})
            assert operation.get("summary") and operation.get("tags")


def test_docs_pages_are_served(client):
    assert b"swagger-ui" in client.get("/docs").data
    assert b"redoc" in client.get("/redoc").data
