"""Invitations over HTTP: inviting, answering, withdrawing, expiry, the inbox and history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from partners_api.db import database
from partners_api.dialogues import invitations
from partners_api.dialogues.models import Invitation
from tests.helpers import bearer, new_organization, org_id

DIALOGUES = "/api/v1/dialogues"
SUMMIT = {
    "title": "Accra dialogue on evaluations in African languages",
    "topics": ["model-evaluations"],
    "status": "planned",
    "starts_on": "2027-03-01",
    "country": "GH",
}


@pytest.fixture
def dialogue(client, admin_key) -> dict:
    response = client.post(DIALOGUES, json=SUMMIT, headers=bearer(admin_key))
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def convener(make_key) -> dict[str, str]:
    return bearer(make_key(["dialogues:convene"]))


def invite(client, headers, dialogue_id: int, ids: list[int], **body):
    return client.post(
        f"{DIALOGUES}/{dialogue_id}/invitations",
        json={"organization_ids": ids, **body},
        headers=headers,
    )


def feed_events(client) -> list[dict]:
    """Every event of the changes feed, page after page."""
    events, cursor = [], None
    while True:
        query = {"limit": 1000, **({"since": cursor} if cursor else {})}
        page = client.get("/api/v1/changes", query_string=query).json
        if not page["events"]:
            return events
        events += page["events"]
        cursor = page["next_cursor"]


def act(client, headers, invitation: dict, action: str, **body):
    url = f"{DIALOGUES}/{invitation['dialogue_id']}/invitations/{invitation['id']}/{action}"
    return client.post(url, json=body if action != "withdraw" else None, headers=headers)


@pytest.fixture
def invited(client, convener, dialogue, make_key) -> dict:
    """KNUST invited, with its own key."""
    knust = org_id(client, "knust")
    response = invite(client, convener, dialogue["id"], [knust], message="Join us in Accra.")
    assert response.status_code == 201, response.json
    [invitation] = response.json["invitations"]
    return {"invitation": invitation, "key": bearer(make_key(["org:write"], knust))}


def test_invite_then_accept_seats_the_organization(client, dialogue, invited):
    invitation, key = invited["invitation"], invited["key"]
    assert invitation["status"] == "invited" and invitation["message"] == "Join us in Accra."
    assert invitation["expires_at"].startswith("2027-03-01T00:00:00")
    accepted = act(client, key, invitation, "accept", message="Glad to come.")
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted"
    assert accepted.json["answer_message"] == "Glad to come."
    assert accepted.json["answered_at"] and accepted.json["answered_by"]
    seated = client.get(f"{DIALOGUES}/{dialogue['id']}").json["participants"]
    assert [(p["organization"]["slug"], p["role"]) for p in seated] == [("knust", "participant")]


def test_decline_after_accept_leaves_the_seat(client, dialogue, invited):
    invitation, key = invited["invitation"], invited["key"]
    assert act(client, key, invitation, "accept").status_code == 200
    declined = act(client, key, invitation, "decline", message="Our director cannot travel.")
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    assert client.get(f"{DIALOGUES}/{dialogue['id']}").json["participants"] == []
    again = act(client, key, invitation, "accept")
    assert again.status_code == 409 and again.json["code"] == "invitation_answered"


def test_answering_twice_is_409(client, invited):
    invitation, key = invited["invitation"], invited["key"]
    assert act(client, key, invitation, "decline").status_code == 200
    for action in ("decline", "accept"):
        response = act(client, key, invitation, action)
        assert response.status_code == 409 and response.json["code"] == "invitation_answered"


def test_only_the_invitee_or_admin_answers(client, invited, make_key, admin_key):
    invitation = invited["invitation"]
    other = bearer(make_key(["org:write"], org_id(client, "lelapa-ai")))
    refused = act(client, other, invitation, "accept")
    assert refused.status_code == 403 and refused.json["code"] == "not_invitee"
    assert act(client, {}, invitation, "accept").status_code == 401
    assert act(client, bearer(admin_key), invitation, "accept").status_code == 200


def test_convener_withdraws_and_the_invitee_cannot_answer(client, convener, dialogue, invited):
    invitation, key = invited["invitation"], invited["key"]
    assert act(client, key, invitation, "accept").status_code == 200
    assert act(client, key, invitation, "withdraw").status_code == 403
    withdrawn = act(client, convener, invitation, "withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert client.get(f"{DIALOGUES}/{dialogue['id']}").json["participants"] == []
    late = act(client, key, invitation, "decline")
    assert late.status_code == 409 and late.json["code"] == "invitation_withdrawn"


def test_an_overdue_invitation_reads_and_answers_as_expired(client, convener, invited, app):
    invitation, key = invited["invitation"], invited["key"]
    with app.app_context(), database().session() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        session.commit()
    url = f"{DIALOGUES}/{invitation['dialogue_id']}/invitations"
    read = client.get(f"{url}/{invitation['id']}", headers=key)
    assert read.status_code == 200 and read.json["status"] == "expired"
    listed = client.get(url, query_string={"status": "expired"}, headers=convener)
    assert [i["id"] for i in listed.json] == [invitation["id"]]
    assert client.get(url, query_string={"status": "invited"}, headers=convener).json == []
    refused = act(client, key, invitation, "accept")
    assert refused.status_code == 409 and refused.json["code"] == "invitation_expired"
    assert ("invitation", str(invitation["id"]), "expired") in {
        (e["entity"], e["entity_id"], e["action"]) for e in feed_events(client)
    }


def test_the_expire_command_writes_expiries(app, session, client, invited):
    invitation = invited["invitation"]
    row = session.get(Invitation, invitation["id"])
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.commit()
    assert invitations.expire_overdue(session) == [invitation["id"]]
    session.commit()
    assert session.get(Invitation, invitation["id"]).status == "expired"
    assert invitations.expire_overdue(session) == []


def test_accepting_a_full_dialogue_is_409(client, admin_key, convener, dialogue, make_key):
    ids = [org_id(client, s) for s in ("knust", "lelapa-ai")]
    etag = client.get(f"{DIALOGUES}/{dialogue['id']}").headers["ETag"]
    patched = client.patch(
        f"{DIALOGUES}/{dialogue['id']}",
        json={"capacity": 1},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert patched.status_code == 200 and patched.json["capacity"] == 1
    made = invite(client, convener, dialogue["id"], ids).json["invitations"]
    first, second = (bearer(make_key(["org:write"], i)) for i in ids)
    assert act(client, first, made[0], "accept").status_code == 200
    full = act(client, second, made[1], "accept")
    assert full.status_code == 409 and full.json["code"] == "dialogue_full"


def test_a_dialogue_that_is_not_planned_takes_no_invitations_or_answers(
    client, admin_key, convener, dialogue, invited
):
    etag = client.get(f"{DIALOGUES}/{dialogue['id']}").headers["ETag"]
    held = client.patch(
        f"{DIALOGUES}/{dialogue['id']}",
        json={"status": "cancelled"},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert held.status_code == 200
    refused = invite(client, convener, dialogue["id"], [org_id(client, "lelapa-ai")])
    assert refused.status_code == 409 and refused.json["code"] == "dialogue_not_planned"
    answer = act(client, invited["key"], invited["invitation"], "accept")
    assert answer.status_code == 409 and answer.json["code"] == "dialogue_not_planned"


def test_a_dialogue_past_its_date_takes_no_answers(client, admin_key, convener, make_key):
    past = {**SUMMIT, "starts_on": "2020-01-10"}
    dialogue = client.post(DIALOGUES, json=past, headers=bearer(admin_key)).json
    refused = invite(client, convener, dialogue["id"], [org_id(client, "lelapa-ai")])
    assert refused.status_code == 409 and refused.json["code"] == "dialogue_started"


def test_refusals_of_invite(client, admin_key, convener, dialogue, invited):
    url_id = dialogue["id"]
    knust = invited["invitation"]["organization"]["id"]
    again = invite(client, convener, url_id, [knust])
    assert again.status_code == 409 and again.json["code"] == "already_invited"
    unknown = invite(client, convener, url_id, [999_999, 999_998])
    assert unknown.status_code == 422 and unknown.json["code"] == "unknown_value"
    assert "999998, 999999" in unknown.json["errors"]["organization_ids"][0]
    closed = invite(client, convener, url_id, [org_id(client, "aleph-alpha")])
    assert closed.status_code == 422 and closed.json["code"] == "not_open_to_dialogue"
    gone = new_organization(client, admin_key, "Short-lived Collective")
    etag = client.get(f"/api/v1/organizations/{gone['id']}").headers["ETag"]
    client.delete(
        f"/api/v1/organizations/{gone['id']}", headers={**bearer(admin_key), "If-Match": etag}
    )
    archived = invite(client, convener, url_id, [gone["id"]])
    assert archived.status_code == 422 and archived.json["code"] == "organization_archived"
    org_key = invited["key"]
    assert invite(client, org_key, url_id, [gone["id"]]).status_code == 403
    both = client.post(
        f"{DIALOGUES}/{url_id}/invitations",
        json={"organization_ids": [1], "compose": {"size": 2}},
        headers=convener,
    )
    assert both.status_code == 422
    past = invite(client, convener, url_id, [org_id(client, "cohere")], expires_at="2001-01-01")
    assert past.status_code == 422 and "expires_at" in past.json["errors"]
    assert invite(client, convener, 999_999, [knust]).status_code == 404


def test_declined_organizations_are_not_invited_again(client, convener, dialogue, invited):
    invitation, key = invited["invitation"], invited["key"]
    assert act(client, key, invitation, "decline").status_code == 200
    again = invite(client, convener, dialogue["id"], [invitation["organization"]["id"]])
    assert again.status_code == 409 and again.json["code"] == "declined_before"


def test_inbox_and_reads_are_for_the_invitee_and_conveners(client, convener, invited, make_key):
    invitation, key = invited["invitation"], invited["key"]
    inbox = "/api/v1/organizations/knust/invitations"
    own = client.get(inbox, headers=key)
    assert own.status_code == 200 and [i["id"] for i in own.json] == [invitation["id"]]
    assert client.get(inbox, headers=convener).status_code == 200
    assert client.get(inbox, query_string={"status": "accepted"}, headers=key).json == []
    other = bearer(make_key(["org:write"], org_id(client, "lelapa-ai")))
    assert client.get(inbox, headers=other).status_code == 403
    assert client.get(inbox).status_code == 401
    one = f"{DIALOGUES}/{invitation['dialogue_id']}/invitations/{invitation['id']}"
    assert client.get(one, headers=other).status_code == 403
    listing = f"{DIALOGUES}/{invitation['dialogue_id']}/invitations"
    assert client.get(listing, headers=key).status_code == 403
    assert (
        client.get(
            f"{DIALOGUES}/{invitation['dialogue_id']}/invitations/999999", headers=convener
        ).status_code
        == 404
    )


def test_the_loop_shows_in_changes_and_histories(client, convener, dialogue, invited):
    invitation, key = invited["invitation"], invited["key"]
    assert act(client, key, invitation, "accept").status_code == 200
    assert act(client, convener, invitation, "withdraw").status_code == 200
    mine = [
        e["action"]
        for e in feed_events(client)
        if e["entity"] == "invitation" and e["entity_id"] == str(invitation["id"])
    ]
    assert mine == ["created", "accepted", "withdrawn"]
    history = client.get(f"{DIALOGUES}/{dialogue['id']}/history").json
    assert [(e["entity"], e["action"]) for e in history][:5] == [
        ("dialogue", "participant_removed"),
        ("invitation", "withdrawn"),
        ("dialogue", "participant_set"),
        ("invitation", "accepted"),
        ("invitation", "created"),
    ]
    org_history = client.get("/api/v1/organizations/knust/history").json
    assert ("invitation", "withdrawn") in {(e["entity"], e["action"]) for e in org_history}


def test_a_convener_key_is_issued_and_only_conveners_invite(client, admin_key, dialogue):
    issued = client.post(
        "/api/v1/keys",
        json={"name": "Convening team", "scopes": ["dialogues:convene"]},
        headers=bearer(admin_key),
    )
    assert issued.status_code == 201 and issued.json["scopes"] == ["dialogues:convene"]
    convener = bearer(issued.json["secret"])
    made = invite(client, convener, dialogue["id"], [org_id(client, "cohere")])
    assert made.status_code == 201
    assert made.json["invitations"][0]["invited_by"] == issued.json["id"]
    assert client.post(DIALOGUES, json=SUMMIT, headers=convener).status_code == 403


def test_archiving_an_organization_withdraws_its_pending_invitations(
    client, admin_key, convener, dialogue
):
    guest = new_organization(client, admin_key, "Passing Guests")
    [invitation] = invite(client, convener, dialogue["id"], [guest["id"]]).json["invitations"]
    etag = client.get(f"/api/v1/organizations/{guest['id']}").headers["ETag"]
    client.delete(
        f"/api/v1/organizations/{guest['id']}", headers={**bearer(admin_key), "If-Match": etag}
    )
    url = f"{DIALOGUES}/{dialogue['id']}/invitations/{invitation['id']}"
    assert client.get(url, headers=convener).json["status"] == "withdrawn"


def test_a_merge_moves_invitations_and_withdraws_a_clash(client, admin_key, convener, dialogue):
    survivor = new_organization(client, admin_key, "Accra Evaluations Lab", country="GH")
    duplicate = new_organization(client, admin_key, "Accra Evaluation Laboratory", country="GH")
    other = client.post(DIALOGUES, json=SUMMIT, headers=bearer(admin_key)).json
    [clash] = invite(client, convener, dialogue["id"], [duplicate["id"]]).json["invitations"]
    invite(client, convener, dialogue["id"], [survivor["id"]])
    [moving] = invite(client, convener, other["id"], [duplicate["id"]]).json["invitations"]
    etag = client.get(f"/api/v1/organizations/{duplicate['id']}").headers["ETag"]
    merged = client.post(
        f"/api/v1/organizations/{duplicate['id']}/merge",
        json={"into": survivor["id"]},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert merged.status_code == 200, merged.json
    inbox = client.get(f"/api/v1/organizations/{survivor['id']}/invitations", headers=convener)
    assert {(i["dialogue_id"], i["status"]) for i in inbox.json} == {
        (dialogue["id"], "invited"),
        (other["id"], "invited"),
    }
    assert moving["id"] in {i["id"] for i in inbox.json}
    url = f"{DIALOGUES}/{dialogue['id']}/invitations/{clash['id']}"
    assert client.get(url, headers=convener).json["status"] == "withdrawn"
