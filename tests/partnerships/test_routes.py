"""Partnership links over HTTP: proposals, the lifecycle, and who may move them."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, link, new_organization, org_id

URL = "/api/v1/partnerships"


@pytest.fixture
def pair(client, admin_key, make_key):
    """Two fresh organizations with a key each."""
    a = new_organization(client, admin_key, "Alpha Lab")["id"]
    b = new_organization(client, admin_key, "Beta Network")["id"]
    return a, b, make_key(["org:write"], a), make_key(["org:write"], b)


def test_propose_accept_end(client, pair):
    a, b, key_a, key_b = pair
    proposed = link(client, key_a, a, b, description="Shared evaluations in Swahili")
    assert proposed.status_code == 201
    body = proposed.json
    assert body["status"] == "proposed" and body["started_on"] is None
    assert body["proposer"]["id"] == a and body["partner"]["id"] == b
    url = proposed.headers["Location"]
    assert client.get(url).json == body
    accepted = client.post(f"{url}/accept", headers=bearer(key_b))
    assert accepted.status_code == 200 and accepted.json["status"] == "active"
    assert accepted.json["started_on"]
    ended = client.post(f"{url}/end", headers=bearer(key_a))
    assert ended.status_code == 200 and ended.json["status"] == "ended" and ended.json["ended_on"]


def test_illegal_transitions_are_409_and_change_nothing(client, pair):
    a, b, key_a, key_b = pair
    url = link(client, key_a, a, b).headers["Location"]
    assert client.post(f"{url}/end", headers=bearer(key_a)).status_code == 409
    assert client.post(f"{url}/decline", headers=bearer(key_b)).status_code == 200
    for action in ("accept", "decline", "end"):
        response = client.post(f"{url}/{action}", headers=bearer(key_b))
        assert response.status_code == 409 and response.json["code"] == "illegal_transition"
    assert client.get(url).json["status"] == "declined"


def test_only_the_partner_accepts_and_only_the_sides_end(client, pair, make_key, admin_key):
    a, b, key_a, key_b = pair
    url = link(client, key_a, a, b).headers["Location"]
    assert client.post(f"{url}/accept", headers=bearer(key_a)).status_code == 403
    stranger = make_key(["org:write"], org_id(client, "uk-aisi"))
    assert client.post(f"{url}/accept", headers=bearer(stranger)).status_code == 403
    assert client.post(f"{url}/accept").status_code == 401
    assert client.post(f"{url}/accept", headers=bearer(admin_key)).status_code == 200
    assert client.post(f"{url}/end", headers=bearer(stranger)).status_code == 403
    assert client.post(f"{url}/end", headers=bearer(key_b)).status_code == 200


def test_a_key_cannot_propose_for_another_organization(client, pair):
    a, b, _, key_b = pair
    response = link(client, key_b, a, b)
    assert response.status_code == 403
    assert client.get(URL, query_string={"organization": a}).json == []


def test_only_admin_records_an_active_link(client, pair, admin_key):
    a, b, key_a, _ = pair
    assert link(client, key_a, a, b, status="active").status_code == 403
    recorded = link(client, admin_key, a, b, status="active", started_on="2024-04-01")
    assert recorded.status_code == 201
    assert recorded.json["status"] == "active" and recorded.json["started_on"] == "2024-04-01"


def test_no_self_links_and_no_duplicate_open_links(client, pair, admin_key):
    a, b, key_a, key_b = pair
    assert link(client, key_a, a, a).status_code == 422
    assert link(client, key_a, a, b).status_code == 201
    duplicate = link(client, key_b, b, a)  # the same pair the other way round
    assert duplicate.status_code == 409 and duplicate.json["code"] == "duplicate_link"
    assert link(client, key_b, b, a, kind="funding").status_code == 201


def test_the_database_refuses_a_second_open_link(session, client, pair):
    from sqlalchemy.exc import IntegrityError

    from partners_api.partnerships.models import Partnership

    a, b, *_ = pair
    low, high = min(a, b), max(a, b)
    for status in ("ended", "declined", "proposed"):
        session.add(
            Partnership(
                kind="mou", status=status, proposer_id=a, partner_id=b, low_id=low, high_id=high
            )
        )
        session.flush()
    session.add(
        Partnership(
            kind="mou", status="active", proposer_id=b, partner_id=a, low_id=low, high_id=high
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_unknown_or_archived_organizations_are_422(client, pair, admin_key):
    a, b, key_a, _ = pair
    assert link(client, admin_key, a, 10**9).status_code == 422
    etag = client.get(f"/api/v1/organizations/{b}").headers["ETag"]
    client.delete(f"/api/v1/organizations/{b}", headers={**bearer(admin_key), "If-Match": etag})
    response = link(client, key_a, a, b)
    assert response.status_code == 422 and "partner_id" in response.json["errors"]


def test_archiving_ends_active_and_declines_proposed_links(client, pair, admin_key, make_key):
    a, b, key_a, _ = pair
    c = new_organization(client, admin_key, "Gamma Institute")["id"]
    active = link(client, admin_key, a, b, status="active").json["id"]
    proposed = link(client, key_a, a, c).json["id"]
    etag = client.get(f"/api/v1/organizations/{a}").headers["ETag"]
    client.delete(f"/api/v1/organizations/{a}", headers={**bearer(admin_key), "If-Match": etag})
    assert client.get(f"{URL}/{active}").json["status"] == "ended"
    assert client.get(f"{URL}/{proposed}").json["status"] == "declined"


def test_list_filters_and_partners_of_an_organization(client, pair, admin_key):
    a, b, key_a, _ = pair
    c = new_organization(client, admin_key, "Gamma Institute")["id"]
    link(client, key_a, a, b, kind="research")
    link(client, admin_key, c, a, kind="funding", status="active")
    mine = client.get(URL, query_string={"organization": a}).json
    assert len(mine) == 2
    funding = client.get(URL, query_string={"organization": a, "kind": "funding"}).json
    assert [p["proposer"]["id"] for p in funding] == [c]
    partners = client.get(
        f"/api/v1/organizations/{a}/partners", query_string={"status": "active"}
    ).json
    assert [(p["organization"]["id"], p["partnership"]["kind"]) for p in partners] == [
        (c, "funding")
    ]
    assert client.get(URL, query_string={"kind": "marriage"}).status_code == 422
