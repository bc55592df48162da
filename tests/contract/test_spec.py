"""Every operation of the spec is documented for clients: a new route that is not fails here.

Each operation has a stable operationId, a summary, a description and tags; a security
requirement that says whether it needs a key; every error status the application can
answer it with, as a problem document with an example; examples for its request body and
its JSON answers; and every answer that creates something links to what can be done next.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
METHODS = ("get", "put", "post", "delete", "patch")
OPERATIONS = [
    (method, path, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in METHODS
]
IDS = [f"{method.upper()} {path}" for method, path, _ in OPERATIONS]
PROBLEM = "application/problem+json"
# Error answers that are not only problem documents: readiness answers a status document
# in both states, for load balancers; an import in error answers its report by row.
STATUS_BODIES = {("/api/v1/ready", "503"), ("/api/v1/imports/organizations", "422")}
ANYONE = {}
KEY = {"bearerAuth": []}


def resolve(node):
    """Follow a local $ref."""
    while isinstance(node, dict) and "$ref" in node:
        target = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def parameters(path: str, operation: dict) -> list[dict]:
    """The operation's parameters, those of its path included."""
    shared = SPEC["paths"][path].get("parameters", [])
    return [resolve(p) for p in (*shared, *operation.get("parameters", ()))]


def exemplified(schema, seen=()) -> bool:
    """True when a sample can be built from examples: on the schema or on every leaf."""
    ref = schema.get("$ref")
    if ref in seen:
        return True
    schema = resolve(schema)
    if "example" in schema or "enum" in schema:
        return True
    seen = (*seen, ref)
    if "allOf" in schema:
        return all(exemplified(part, seen) for part in schema["allOf"])
    if schema.get("type") == "array":
        return exemplified(schema.get("items", {}), seen)
    if "properties" in schema:
        return all(exemplified(p, seen) for p in schema["properties"].values())
    return False


def test_the_spec_has_operations():
    assert len(OPERATIONS) >= 47


def test_operation_ids_are_unique_camel_case():
    ids = [operation.get("operationId") for _, _, operation in OPERATIONS]
    assert all(ids), [i for i, x in zip(IDS, ids, strict=True) if not x]
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", operation_id), operation_id


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_operation_is_described_and_tagged(method, path, operation):
    assert operation.get("summary", "").strip()
    assert operation.get("description", "").strip()
    known = {tag["name"] for tag in SPEC["tags"] if tag.get("description")}
    assert operation.get("tags") and set(operation["tags"]) <= known


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_error_the_application_can_answer_is_documented(method, path, operation):
    responses = operation["responses"]
    documented = set(responses)
    required = {"400", "401", "default"}  # a key in the URL; a bad key; 500 and 503
    given = parameters(path, operation)
    if any(p["in"] == "path" for p in given):
        required.add("404")
    if any(p["in"] in ("query", "header") for p in given) or "requestBody" in operation:
        required.add("422")
    if method in ("post", "put", "patch"):
        required.add("415")
    if "requestBody" in operation:
        required.add("413")
    if any(p["in"] == "header" and p["name"] == "If-Match" for p in given):
        required |= {"412", "428"}
    if operation["security"] == [KEY]:
        required |= {"401", "403"}
    assert required <= documented, sorted(required - documented)
    if path not in ("/api/v1/health", "/api/v1/ready", "/api/v1/metrics"):
        assert "429" in documented  # every other route is rate limited
    for status, response in responses.items():
        if (status == "default" or int(status) >= 400) and (path, status) not in STATUS_BODIES:
            content = resolve(response)["content"]
            assert list(content) == [PROBLEM], status
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_security_matches_the_routes(app):
    """A write needs a key unless its view lists it as open; reads take a key optionally."""
    views = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        views[path] = app.view_functions[rule.endpoint]
    for method, path, operation in OPERATIONS:
        view_class = getattr(views[path], "view_class", None)
        is_open = method.upper() in getattr(view_class, "open_methods", ())
        if method != "get" and not is_open:
            assert operation["security"] == [KEY], (method, path)
        if method != "get" and is_open:
            assert operation["security"] == [ANYONE, KEY], (method, path)
        limited = getattr(view_class, "rate_limited", True)
        assert ("429" in operation["responses"]) == limited, (method, path)


def test_reads_without_a_key_are_refused_exactly_where_the_spec_needs_one(client):
    """A GET without path parameters answers 401 to no key when, and only when, it needs one."""
    for method, path, operation in OPERATIONS:
        if method == "get" and "{" not in path:
            with client.get(path) as answer:
                assert (answer.status_code == 401) == (operation["security"] == [KEY]), path


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_bodies_and_answers_show_examples(method, path, operation):
    bodies = operation.get("requestBody", {}).get("content", {})
    for media_type, media in bodies.items():
        assert "example" in media or exemplified(media["schema"]), media_type
    for status, response in operation["responses"].items():
        for media_type, media in resolve(response).get("content", {}).items():
            if media_type == PROBLEM:
                assert "example" in media, status  # a problem document for each status
            elif media_type == "application/json":  # not files (CSV, NDJSON, XLSX, …)
                assert "example" in media or exemplified(media["schema"]), (status, media_type)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_what_is_created_links_to_what_comes_next(method, path, operation):
    for status, response in operation["responses"].items():
        if status == "201":
            assert response.get("links"), "a 201 without links"
        for name, link in response.get("links", {}).items():
            targets = [(p, o) for _, p, o in OPERATIONS if o["operationId"] == link["operationId"]]
            assert len(targets) == 1, name
            target_path, target = targets[0]
            names = {f"{p['in']}.{p['name']}" for p in parameters(target_path, target)}
            for parameter in link["parameters"]:
                qualified = parameter if "." in parameter else f"path.{parameter}"
                assert qualified in names, (name, parameter)


def strings_without_a_form(schema, where: str, seen=()) -> list[str]:
    """Where a schema lets a string be anything: no pattern, choices or format."""
    ref = schema.get("$ref")
    if ref in seen:
        return []
    schema, seen = resolve(schema), (*seen, ref)
    if schema.get("type") == "string":
        has_form = {"pattern", "enum", "format"} & set(schema)
        return [] if has_form else [where]
    parts = [
        (f"{where}[]", schema.get("items")),
        (f"{where}{{}}", schema.get("additionalProperties")),
    ]
    parts += [(f"{where}.{name}", p) for name, p in schema.get("properties", {}).items()]
    parts += [(where, p) for p in schema.get("allOf", ())]
    return [
        found
        for at, part in parts
        if isinstance(part, dict)
        for found in strings_without_a_form(part, at, seen)
    ]


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_string_a_client_sends_has_its_form_in_the_spec(method, path, operation):
    # Text follows one rule (no control characters but tab and line breaks), shown as a
    # pattern; codes, slugs, entity tags and keys have patterns of their own.
    loose = [
        found
        for parameter in parameters(path, operation)
        for found in strings_without_a_form(parameter["schema"], parameter["name"])
    ]
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        if media.endswith("json"):
            loose += strings_without_a_form(content["schema"], "body")
    assert not loose
