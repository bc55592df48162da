"""The network and introductions, on a small directory built in the test."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, link, new_organization

# u - a - v, u - b - c - v, and u meets d at a held dialogue where d meets v.


@pytest.fixture
def web(client, admin_key):
    ids = {
        name: new_organization(client, admin_key, f"Node {name}")["id"]
        for name in ("u", "a", "b", "c", "d", "v", "x")
    }
    for one, two in (("u", "a"), ("a", "v"), ("u", "b"), ("b", "c"), ("c", "v")):
        assert link(client, admin_key, ids[one], ids[two], status="active").status_code == 201
    # A proposed link is not a tie.
    assert link(client, admin_key, ids["u"], ids["x"]).status_code == 201
    dialogue = client.post(
        "/api/v1/dialogues", json={"title": "Meeting", "status": "held"}, headers=bearer(admin_key)
    ).json["id"]
    for name in ("u", "d"):
        client.put(
            f"/api/v1/dialogues/{dialogue}/participants/{ids[name]}",
            json={"role": "participant"},
            headers=bearer(admin_key),
        )
    return ids


def test_introductions_prefer_short_paths(client, web):
    u, v = web["u"], web["v"]
    answer = client.get(f"/api/v1/organizations/{u}/introductions", query_string={"to": v}).json
    assert answer["direct"] is False
    assert answer["paths"] == [[u, web["a"], v], [u, web["b"], web["c"], v]]
    assert {o["id"] for o in answer["organizations"]} == {u, v, web["a"], web["b"], web["c"]}


def test_direct_links_and_dialogue_ties(client, web, admin_key):
    u, a, d = web["u"], web["a"], web["d"]
    direct = client.get(f"/api/v1/organizations/{u}/introductions", query_string={"to": a}).json
    assert direct["direct"] is True
    met = client.get(f"/api/v1/organizations/{a}/introductions", query_string={"to": d}).json
    assert met["paths"] == [[a, u, d]]


def test_introductions_validate_the_target(client, web):
    u = web["u"]
    url = f"/api/v1/organizations/{u}/introductions"
    assert client.get(url).status_code == 422
    assert client.get(url, query_string={"to": "no-such-org"}).status_code == 422
    assert client.get(url, query_string={"to": u}).status_code == 422


def test_network_depth_and_edges(client, web):
    u = web["u"]
    one = client.get(f"/api/v1/organizations/{u}/network").json
    assert {n["id"]: n["depth"] for n in one["nodes"]} == {
        u: 0,
        web["a"]: 1,
        web["b"]: 1,
        web["d"]: 1,
    }
    weights = {(e["source"], e["target"]): e["weight"] for e in one["edges"]}
    assert weights[tuple(sorted((u, web["a"])))] == 1.0
    assert weights[tuple(sorted((u, web["d"])))] == 0.5
    two = client.get(f"/api/v1/organizations/{u}/network", query_string={"depth": 2}).json
    assert {n["id"] for n in two["nodes"]} >= {web["v"], web["c"]}
    assert web["x"] not in {n["id"] for n in two["nodes"]}
    assert two["truncated"] is False
    cut = client.get(
        f"/api/v1/organizations/{u}/network", query_string={"depth": 3, "max_nodes": 3}
    ).json
    assert len(cut["nodes"]) == 3 and cut["truncated"] is True
    assert (
        client.get(f"/api/v1/organizations/{u}/network", query_string={"depth": 4}).status_code
        == 422
    )
