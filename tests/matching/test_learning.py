"""Matching that respects and learns: declined pairs, track record, and fair rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from partners_api.changes import service as changes
from partners_api.db import database, utcnow
from partners_api.dialogues.models import Invitation
from partners_api.partnerships.models import Partnership
from tests.helpers import bearer, link, new_organization
from tests.matching.test_routes import WEIGHTS, matches

COMPOSE = "/api/v1/dialogues/compose"


@pytest.fixture
def trio(client, admin_key):
    """u seeks content provenance; v and w offer it (v the better match)."""
    mirror = {"offers": ["content-provenance"], "seeks": ["labor-impacts"]}
    u = new_organization(
        client, admin_key, "Seeker", seeks=["content-provenance"], offers=["labor-impacts"]
    )
    v = new_organization(client, admin_key, "Mirror", sector="industry", country="BR", **mirror)
    w = new_organization(client, admin_key, "Second", sector="industry", country="BR", **mirror)
    return u, v, w


def propose_and(client, admin_key, proposer: int, partner: int, action: str) -> int:
    """Propose a link and have the partner answer it (accept or decline); its id."""
    proposed = link(client, admin_key, proposer, partner)
    assert proposed.status_code == 201, proposed.json
    url = f"/api/v1/partnerships/{proposed.json['id']}/{action}"
    assert client.post(url, headers=bearer(admin_key)).status_code == 200
    return proposed.json["id"]


def ids_of(found: list[dict]) -> set[int]:
    return {m["organization"]["id"] for m in found}


def profile_ids(client, **body) -> set[int]:
    body = {"seeks": ["content-provenance"], "offers": ["labor-impacts"], "limit": 100, **body}
    response = client.post("/api/v1/matches", json=body)
    assert response.status_code == 200, response.json
    return ids_of(response.json["matches"])


@pytest.mark.parametrize("proposer_is_seeker", [True, False])
def test_a_declined_pair_is_not_recommended_either_way(client, admin_key, trio, proposer_is_seeker):
    u, v, w = trio
    a, b = (u, v) if proposer_is_seeker else (v, u)
    assert v["id"] in ids_of(matches(client, u["id"], limit=100))
    propose_and(client, admin_key, a["id"], b["id"], "decline")
    for seeker, other in ((u, v), (v, u)):
        found = ids_of(matches(client, seeker["id"], limit=100))
        assert other["id"] not in found
        again = matches(client, seeker["id"], limit=100, include_declined="true")
        assert other["id"] in ids_of(again)
    assert w["id"] in ids_of(matches(client, u["id"], limit=100))


def test_the_profile_match_leaves_out_the_declined_pairs_of_whom_it_speaks_for(
    client, admin_key, trio
):
    u, v, w = trio
    propose_and(client, admin_key, v["id"], u["id"], "decline")
    assert {v["id"], w["id"]} <= profile_ids(client)
    speaking = profile_ids(client, organization_id=u["id"])
    assert w["id"] in speaking and not {u["id"], v["id"]} & speaking
    assert v["id"] in profile_ids(client, organization_id=u["id"], include_declined=True)
    bad = client.post(
        "/api/v1/matches", json={"seeks": ["content-provenance"], "organization_id": 10**9}
    )
    assert bad.status_code == 422 and "organization_id" in bad.json["errors"]


def test_a_decline_older_than_twelve_months_no_longer_counts(app, client, admin_key, trio):
    u, v, _ = trio
    declined = propose_and(client, admin_key, u["id"], v["id"], "decline")

    def declined_days_ago(days: int) -> None:
        when = utcnow() - timedelta(days=days)
        with app.app_context(), database().session() as session:
            session.execute(
                update(Partnership).where(Partnership.id == declined).values(updated_at=when)
            )
            changes.bump_directory_version(session)  # counted as every write is
            session.commit()

    declined_days_ago(360)
    assert v["id"] not in ids_of(matches(client, u["id"], limit=100))
    declined_days_ago(370)
    assert v["id"] in ids_of(matches(client, u["id"], limit=100))


def test_accepted_and_ended_links_are_not_declines(client, admin_key, trio):
    u, v, _ = trio
    accepted = propose_and(client, admin_key, u["id"], v["id"], "accept")
    client.post(f"/api/v1/partnerships/{accepted}/end", headers=bearer(admin_key))
    assert v["id"] in ids_of(matches(client, u["id"], limit=100))


def test_track_record_credits_answered_proposals_and_is_explained(client, admin_key, trio):
    u, v, w = trio
    others = [new_organization(client, admin_key, f"Proposer {n}")["id"] for n in range(3)]
    propose_and(client, admin_key, others[0], v["id"], "accept")
    propose_and(client, admin_key, others[1], v["id"], "decline")
    assert link(client, admin_key, others[2], v["id"]).status_code == 201  # left proposed
    found = matches(client, u["id"], limit=100)
    by_id = {m["organization"]["id"]: m for m in found}
    # No fruitful dialogue; 2 of 3 proposals answered: (0 + 2 / (3 + 1)) / 2.
    assert by_id[v["id"]]["components"]["track_record"] == {
        "value": pytest.approx(0.25),
        "weight": 0.0,
        "contribution": 0.0,
    }
    assert by_id[w["id"]]["components"]["track_record"]["value"] == 0.0
    only = matches(
        client,
        u["id"],
        limit=100,
        w_reciprocity=0,
        w_shared=0,
        w_bridging=0,
        w_network=0,
        w_track_record=1,
    )
    ranked = {m["organization"]["id"]: m["score"] for m in only}
    assert ranked[v["id"]] == pytest.approx(0.25)  # w, at 0, is behind the 100 shown
    assert w["id"] not in ranked
    for match in found + only:
        parts = match["components"]
        assert set(parts) == set(WEIGHTS)
        assert sum(p["contribution"] for p in parts.values()) == pytest.approx(match["score"])


def test_track_record_counts_answered_and_expired_invitations(client, session, admin_key, trio):
    u, v, _ = trio
    mirror = {"offers": ["content-provenance"], "seeks": ["labor-impacts"]}
    others = [new_organization(client, admin_key, f"Invited {n}", **mirror)["id"] for n in (1, 2)]
    body = {"title": "Planned", "status": "planned", "starts_on": "2099-03-01"}
    dialogue = client.post("/api/v1/dialogues", json=body, headers=bearer(admin_key)).json
    url = f"/api/v1/dialogues/{dialogue['id']}/invitations"
    sent = client.post(
        url, json={"organization_ids": [v["id"], *others]}, headers=bearer(admin_key)
    )
    assert sent.status_code == 201, sent.json
    by_org = {i["organization"]["id"]: i["id"] for i in sent.json["invitations"]}
    declined = client.post(f"{url}/{by_org[v['id']]}/decline", headers=bearer(admin_key))
    assert declined.status_code == 200, declined.json
    accepted = client.post(f"{url}/{by_org[others[0]]}/accept", headers=bearer(admin_key))
    assert accepted.status_code == 200, accepted.json
    session.execute(  # the third one lapses unanswered
        update(Invitation)
        .where(Invitation.id == by_org[others[1]])
        .values(expires_at=utcnow() - timedelta(days=1))
    )
    session.flush()
    found = {m["organization"]["id"]: m for m in matches(client, u["id"], limit=100)}
    # One invitation answered of one closed, declined or accepted: (0 + 1 / (1 + 1)) / 2;
    # the expired one: 0 of 1.
    for invitee, value in ((v["id"], 0.25), (others[0], 0.25), (others[1], 0.0)):
        assert found[invitee]["components"]["track_record"]["value"] == pytest.approx(value)


def test_track_record_credits_dialogues_that_led_to_active_links(client, admin_key, trio):
    u, v, w = trio
    body = {"title": "Held together", "status": "held"}
    dialogue = client.post("/api/v1/dialogues", json=body, headers=bearer(admin_key)).json
    for member in (v, w):
        url = f"/api/v1/dialogues/{dialogue['id']}/participants/{member['id']}"
        put = client.put(url, json={"role": "participant"}, headers=bearer(admin_key))
        assert put.status_code == 201
    came = link(client, admin_key, w["id"], v["id"], origin_dialogue_id=dialogue["id"])
    assert came.status_code == 201, came.json
    url = f"/api/v1/partnerships/{came.json['id']}/accept"
    assert client.post(url, headers=bearer(admin_key)).status_code == 200
    found = {m["organization"]["id"]: m for m in matches(client, u["id"], limit=100)}
    # v: one fruitful dialogue, one proposal answered: (1/2 + 1/2) / 2; w: (1/2 + 0) / 2.
    assert found[v["id"]]["components"]["track_record"]["value"] == pytest.approx(0.5)
    assert found[w["id"]]["components"]["track_record"]["value"] == pytest.approx(0.25)


def test_track_record_weight_is_bounded(client, trio):
    bad = client.get(
        f"/api/v1/organizations/{trio[0]['id']}/matches", query_string={"w_track_record": 1.5}
    )
    assert bad.status_code == 422 and "w_track_record" in bad.json["errors"]


@pytest.fixture
def veteran_and_newcomers(client, admin_key):
    """Three alike organizations speaking Welsh, the first in a held dialogue last month."""
    alike = {"sector": "academia", "country": "NZ", "languages": ["cy"]}
    veteran, first, second = (
        new_organization(client, admin_key, name, offers=["ai-safety"], **alike)
        for name in ("Veteran", "Newcomer One", "Newcomer Two")
    )
    held = (utcnow() - timedelta(days=30)).date().isoformat()
    dialogue = client.post(
        "/api/v1/dialogues",
        json={"title": "Last month", "status": "held", "starts_on": held},
        headers=bearer(admin_key),
    )
    assert dialogue.status_code == 201, dialogue.json
    put = client.put(
        f"/api/v1/dialogues/{dialogue.json['id']}/participants/{veteran['id']}",
        json={"role": "participant"},
        headers=bearer(admin_key),
    )
    assert put.status_code == 201
    return veteran, first, second


def compose(client, **body) -> dict:
    response = client.post(COMPOSE, json={"size": 2, "languages": ["cy"], **body})
    assert response.status_code == 200, response.json
    return response.json


def members(answer: dict) -> dict[int, int]:
    """Member id -> recent participations."""
    return {m["organization"]["id"]: m["recent_participations"] for m in answer["roster"]}


def test_rotation_moves_newcomers_up(client, veteran_and_newcomers):
    veteran, first, second = veteran_and_newcomers
    plain = compose(client)
    assert members(plain) == {veteran["id"]: 1, first["id"]: 0}
    assert plain["report"]["newcomers"] == 1
    rotated = compose(client, rotation=0.5)
    assert members(rotated) == {first["id"]: 0, second["id"]: 0}
    assert rotated["report"]["newcomers"] == 2


def test_a_dialogue_older_than_24_months_does_not_count(client, admin_key, veteran_and_newcomers):
    veteran, *_ = veteran_and_newcomers
    listed = client.get("/api/v1/dialogues", query_string={"organization": veteran["id"]})
    dialogue = listed.json[0]
    url = f"/api/v1/dialogues/{dialogue['id']}"
    etag = client.get(url).headers["ETag"]
    old = (utcnow() - timedelta(days=800)).date().isoformat()
    patched = client.patch(
        url, json={"starts_on": old}, headers={**bearer(admin_key), "If-Match": etag}
    )
    assert patched.status_code == 200, patched.json
    assert members(compose(client, rotation=1))[veteran["id"]] == 0


def test_min_newcomers_is_a_hard_quota(client, veteran_and_newcomers):
    _, first, second = veteran_and_newcomers
    answer = compose(client, min_newcomers=2)
    assert set(members(answer)) == {first["id"], second["id"]}
    report = {c["name"]: c for c in answer["report"]["constraints"]}
    assert report["min_newcomers"] == {
        "name": "min_newcomers",
        "target": 2,
        "actual": 2,
        "satisfied": True,
    }
    for body in ({"size": 3, "min_newcomers": 3}, {"size": 2, "min_newcomers": 3}):
        refused = client.post(COMPOSE, json={"languages": ["cy"], **body})
        assert refused.status_code == 422, refused.json
        assert refused.json["code"] == "infeasible"
        assert list(refused.json["errors"]) == ["min_newcomers"]


@pytest.mark.parametrize("body", [{"rotation": 1.5}, {"rotation": -0.1}, {"min_newcomers": -1}])
def test_bad_rotation_arguments_are_refused(client, body):
    refused = client.post(COMPOSE, json={"size": 2, **body})
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == set(body)
