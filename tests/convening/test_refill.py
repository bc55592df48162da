"""Compose-then-invite, the reserves compose ranks, and refills that keep every quota."""

from __future__ import annotations

import pytest

from partners_api.convening.refill import Seat, broken_quota, choose_reserves
from partners_api.errors import Unprocessable
from tests.convening.test_invitations import DIALOGUES, SUMMIT, act
from tests.helpers import bearer

COMPOSE = {
    "size": 4,
    "topics": ["model-evaluations"],
    "sector_min": {"academia": 2},
    "sector_max": {"industry": 1},
    "region_min": {"africa": 1},
}


@pytest.fixture
def convener(make_key) -> dict[str, str]:
    return bearer(make_key(["dialogues:convene"]))


def composed(client, admin_key, convener, **compose) -> tuple[dict, dict]:
    """A new dialogue invited through compose: (the dialogue, the answer of the invite)."""
    dialogue = client.post(DIALOGUES, json=SUMMIT, headers=bearer(admin_key)).json
    response = client.post(
        f"{DIALOGUES}/{dialogue['id']}/invitations",
        json={"compose": {**COMPOSE, **compose}, "message": "Would you join?"},
        headers=convener,
    )
    assert response.status_code == 201, response.json
    return dialogue, response.json


def test_compose_returns_ranked_reserves_with_the_quotas_they_keep(client):
    answer = client.post(f"{DIALOGUES}/compose", json={**COMPOSE, "reserves": 5}).json
    chosen = {m["organization"]["id"] for m in answer["roster"]}
    reserves = answer["reserves"]
    assert [r["rank"] for r in reserves] == list(range(1, len(reserves) + 1))
    assert len(reserves) >= 5 and not chosen & {r["organization"]["id"] for r in reserves}
    academics = [r for r in reserves if r["organization"]["sector"] == "academia"]
    assert len(academics) >= 3  # the best 3 of every minimum's group come along
    assert all("sector_min.academia" in r["keeps"] for r in academics)
    assert all(
        "sector_min.academia" not in r["keeps"]
        for r in reserves
        if r["organization"]["sector"] != "academia"
    )
    none = client.post(f"{DIALOGUES}/compose", json={**COMPOSE, "reserves": 0}).json
    assert none["reserves"] == [] and none["roster"] == answer["roster"]


def test_compose_invites_the_roster_and_the_dialogue_keeps_the_request(client, admin_key, convener):
    dialogue, answer = composed(client, admin_key, convener)
    roster = [m["organization"]["id"] for m in answer["composed"]["roster"]]
    assert [i["organization"]["id"] for i in answer["invitations"]] == roster
    assert {i["status"] for i in answer["invitations"]} == {"invited"}
    stored = client.get(f"{DIALOGUES}/{dialogue['id']}").json
    assert stored["capacity"] == 4
    assert stored["compose_request"]["sector_min"] == {"academia": 2}
    events = client.get(f"{DIALOGUES}/{dialogue['id']}/history").json
    assert ("dialogue", "updated") in {(e["entity"], e["action"]) for e in events}


def test_refill_invites_a_reserve_that_keeps_the_quota_left_short(
    client, admin_key, convener, make_key
):
    dialogue, answer = composed(client, admin_key, convener)
    academic = next(i for i in answer["invitations"] if i["organization"]["sector"] == "academia")
    key = bearer(make_key(["org:write"], academic["organization"]["id"]))
    assert act(client, key, academic, "decline").status_code == 200
    url = f"{DIALOGUES}/{dialogue['id']}/invitations/refill"
    report = client.post(url, json={"message": "A seat opened."}, headers=convener)
    assert report.status_code == 200, report.json
    assert report.json["open_seats"] == 1
    [refilled] = report.json["invited"]
    assert refilled["invitation"]["organization"]["sector"] == "academia"
    assert refilled["invitation"]["message"] == "A seat opened."
    assert "sector_min.academia" in refilled["keeps"]
    assert all(c["satisfied"] for c in report.json["constraints"])
    again = client.post(url, json={}, headers=convener)
    assert again.status_code == 200 and again.json["invited"] == []
    assert client.post(url, json={}, headers=key).status_code == 403


def test_refill_without_a_feasible_reserve_names_the_quota(client, admin_key, convener, make_key):
    dialogue, answer = composed(client, admin_key, convener, reserves=0)
    academic = next(i for i in answer["invitations"] if i["organization"]["sector"] == "academia")
    assert act(client, bearer(admin_key), academic, "decline").status_code == 200
    url = f"{DIALOGUES}/{dialogue['id']}/invitations/refill"
    refused = client.post(url, json={}, headers=convener)
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "no_feasible_reserve"
    assert list(refused.json["errors"]) == ["sector_min.academia"]


def test_refill_needs_a_composed_dialogue(client, admin_key, convener):
    dialogue = client.post(DIALOGUES, json=SUMMIT, headers=bearer(admin_key)).json
    url = f"{DIALOGUES}/{dialogue['id']}/invitations/refill"
    refused = client.post(url, json={}, headers=convener)
    assert refused.status_code == 409 and refused.json["code"] == "not_composed"


def seat(number: int, sector: str, country: str, *regions: str) -> Seat:
    return Seat(number, sector, country, frozenset(regions))


REQUEST = {
    "size": 3,
    "sector_min": {"academia": 1},
    "sector_max": {"industry": 1},
    "region_min": {"africa": 2},
    "max_per_country": 1,
    "min_countries": 3,
}


def test_broken_quota_looks_ahead_at_the_seats_left():
    members = [seat(1, "industry", "KE", "africa")]
    assert broken_quota(REQUEST, members, seats_left=2) is None
    assert broken_quota(REQUEST, members, seats_left=0) == "sector_min.academia"
    two_industry = [*members, seat(2, "industry", "NG", "africa")]
    assert broken_quota(REQUEST, two_industry, seats_left=1) == "sector_max.industry"
    same_country = [*members, seat(3, "academia", "KE", "africa")]
    assert broken_quota(REQUEST, same_country, seats_left=1) == "max_per_country"
    no_africa = [*members, seat(4, "academia", "FR", "europe")]
    assert broken_quota(REQUEST, no_africa, seats_left=0) == "region_min.africa"


def test_newcomers_are_a_minimum_like_the_others():
    request = {"size": 2, "min_newcomers": 1}
    regular = [seat(1, "media", "KE")]
    assert broken_quota(request, regular, seats_left=0) == "min_newcomers"
    newcomer = Seat(2, "media", "NG", frozenset(), newcomer=True)
    [(chosen, _, keeps)] = choose_reserves(
        request, regular, [(seat(3, "media", "GH"), 1), (newcomer, 2)], open_seats=1
    )
    assert (chosen, keeps) == (newcomer, ["min_newcomers"])


def test_choose_takes_the_best_ranked_reserve_that_keeps_every_quota():
    members = [seat(1, "industry", "KE", "africa"), seat(2, "civil_society", "NG", "africa")]
    reserves = [
        (seat(10, "industry", "GH", "africa"), 1),  # breaks sector_max.industry
        (seat(11, "academia", "KE", "africa"), 2),  # breaks max_per_country
        (seat(12, "academia", "ZA", "africa"), 3),
    ]
    [(chosen, rank, keeps)] = choose_reserves(REQUEST, members, reserves, open_seats=1)
    assert (chosen.organization_id, rank, keeps) == (12, 3, ["sector_min.academia"])
    with pytest.raises(Unprocessable) as refused:
        choose_reserves(REQUEST, members, reserves[:2], open_seats=1)
    assert refused.value.code == "no_feasible_reserve"
