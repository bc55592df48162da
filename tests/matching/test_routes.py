"""Matching over HTTP on the demo directory plus organizations made in each test."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from partners_api.matching import index as matching_index
from partners_api.organizations.models import OrganizationOperatingRegion
from tests.helpers import bearer, link, new_organization

WEIGHTS = ("reciprocity", "shared_focus", "bridging", "network", "track_record")


def matches(client, ref, **params) -> list[dict]:
    response = client.get(f"/api/v1/organizations/{ref}/matches", query_string=params)
    assert response.status_code == 200, response.json
    return response.json["matches"]


@pytest.fixture
def planted(client, admin_key):
    """u seeks content provenance and offers labor impacts; v is its exact mirror."""
    u = new_organization(
        client,
        admin_key,
        "Seeker",
        sector="academia",
        country="KE",
        seeks=["content-provenance"],
        offers=["labor-impacts"],
    )
    v = new_organization(
        client,
        admin_key,
        "Mirror",
        sector="industry",
        country="BR",
        offers=["content-provenance"],
        seeks=["labor-impacts"],
    )
    decoy = new_organization(
        client,
        admin_key,
        "Decoy",
        sector="industry",
        country="BR",
        offers=["content-provenance"],
        seeks=["military-ai"],
    )
    return u, v, decoy


def test_the_mirror_ranks_first_with_full_reciprocity(client, planted):
    u, v, decoy = planted
    found = matches(client, u["id"], limit=100)
    assert found[0]["organization"]["id"] == v["id"]
    best = found[0]
    assert best["components"]["reciprocity"]["value"] == pytest.approx(1.0)
    assert best["they_offer_you_seek"] == ["content-provenance"]
    assert best["you_offer_they_seek"] == ["labor-impacts"]
    assert "They offer content provenance and watermarking, which you seek" in best["reasons"]
    ranks = [m["organization"]["id"] for m in found]
    assert decoy["id"] not in ranks[:1]
    decoy_match = next(m for m in found if m["organization"]["id"] == decoy["id"])
    assert decoy_match["components"]["reciprocity"]["value"] == 0.0


def test_contributions_sum_to_the_score_and_order_is_deterministic(client, planted):
    found = matches(client, planted[0]["id"], limit=100)
    for match in found:
        parts = match["components"]
        assert set(parts) == set(WEIGHTS)
        assert sum(p["contribution"] for p in parts.values()) == pytest.approx(
            match["score"], abs=1e-9
        )
        for part in parts.values():
            assert 0 <= part["value"] <= 1
            assert part["contribution"] == pytest.approx(part["value"] * part["weight"])
    keys = [(-m["score"], m["organization"]["id"]) for m in found]
    assert keys == sorted(keys)
    assert found == matches(client, planted[0]["id"], limit=100)


def test_weights_can_be_changed_per_request(client, planted):
    found = matches(
        client, planted[0]["id"], w_reciprocity=1, w_shared=0, w_bridging=0, w_network=0
    )
    assert found[0]["components"]["reciprocity"]["weight"] == 1
    assert found[0]["score"] == pytest.approx(found[0]["components"]["reciprocity"]["value"])
    bad = client.get(
        f"/api/v1/organizations/{planted[0]['id']}/matches", query_string={"w_network": 2}
    )
    assert bad.status_code == 422 and "w_network" in bad.json["errors"]


def test_partners_self_archived_and_closed_are_left_out(client, admin_key, planted):
    u, v, decoy = planted
    closed = new_organization(
        client,
        admin_key,
        "Closed",
        offers=["content-provenance"],
        seeks=["labor-impacts"],
        open_to_dialogue=False,
    )
    link(client, admin_key, u["id"], v["id"], status="active")
    etag = client.get(f"/api/v1/organizations/{decoy['id']}").headers["ETag"]
    client.delete(
        f"/api/v1/organizations/{decoy['id']}", headers={**bearer(admin_key), "If-Match": etag}
    )
    ids = {m["organization"]["id"] for m in matches(client, u["id"], limit=100)}
    assert not ids & {u["id"], v["id"], decoy["id"], closed["id"]}
    with_partners = matches(client, u["id"], limit=100, include_partners="true")
    assert v["id"] in {m["organization"]["id"] for m in with_partners}


def test_introducers_are_mutual_partners(client, admin_key, planted):
    u, v, _ = planted
    broker = new_organization(client, admin_key, "Broker")
    link(client, admin_key, u["id"], broker["id"], status="active")
    link(client, admin_key, broker["id"], v["id"], status="active")
    best = next(
        m for m in matches(client, u["id"], limit=100) if m["organization"]["id"] == v["id"]
    )
    assert best["introducers"] == [{"id": broker["id"], "name": "Broker"}]
    assert best["components"]["network"]["value"] == pytest.approx(1.0)
    assert any("can introduce you: Broker" in r for r in best["reasons"])


def test_filters_apply_before_scoring(client, planted):
    u = planted[0]["id"]
    assert all(
        m["organization"]["sector"] == "media"
        for m in matches(client, u, sector="media", limit=100)
    )
    in_asia = matches(client, u, region="asia", limit=100)
    assert in_asia and planted[1]["id"] not in {m["organization"]["id"] for m in in_asia}
    by_topic = matches(client, u, topic="technical-standards", limit=100)
    assert planted[1]["id"] in {m["organization"]["id"] for m in by_topic}  # child topic
    for params, field in (
        ({"topic": "alchemy"}, "topic"),
        ({"region": "mars"}, "region"),
        ({"sector": "bank"}, "sector.0"),
        ({"limit": 101}, "limit"),
    ):
        response = client.get(f"/api/v1/organizations/{u}/matches", query_string=params)
        assert response.status_code == 422 and field in response.json["errors"]


def test_the_index_follows_writes(client, admin_key, planted):
    u, v, _ = planted
    assert matches(client, u["id"])[0]["organization"]["id"] == v["id"]
    etag = client.get(f"/api/v1/organizations/{v['id']}").headers["ETag"]
    client.patch(
        f"/api/v1/organizations/{v['id']}",
        json={"offers": ["military-ai"]},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert matches(client, u["id"])[0]["organization"]["id"] != v["id"]


def test_matches_for_a_profile(client, planted):
    response = client.post(
        "/api/v1/matches",
        json={
            "seeks": ["content-provenance"],
            "offers": ["labor-impacts"],
            "sector": "academia",
            "country": "KE",
            "limit": 5,
            "exclude": [planted[0]["id"]],
        },
    )
    assert response.status_code == 200
    found = response.json["matches"]
    assert found[0]["organization"]["id"] == planted[1]["id"]
    assert found[0]["components"]["network"]["value"] == 0
    bad = client.post("/api/v1/matches", json={"limit": 5})
    assert bad.status_code == 422 and "seeks" in bad.json["errors"]
    unknown = client.post("/api/v1/matches", json={"seeks": ["alchemy"]})
    assert unknown.status_code == 422


def test_an_archived_organization_has_no_matches(client, admin_key, planted):
    u = planted[0]
    etag = client.get(f"/api/v1/organizations/{u['id']}").headers["ETag"]
    client.delete(
        f"/api/v1/organizations/{u['id']}", headers={**bearer(admin_key), "If-Match": etag}
    )
    response = client.get(f"/api/v1/organizations/{u['id']}/matches")
    assert response.status_code == 409


def test_matches_when_no_organization_lists_operating_regions(client, session, planted):
    session.execute(delete(OrganizationOperatingRegion))
    session.commit()
    matching_index.forget()
    found = matches(client, planted[0]["id"], limit=100)
    assert found[0]["organization"]["id"] == planted[1]["id"]
