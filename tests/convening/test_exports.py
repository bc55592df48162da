"""Dialogues and invitations in the exports and in the data package."""

from __future__ import annotations

import csv
import io
import json

from tests.convening.test_invitations import DIALOGUES, SUMMIT, act, invite
from tests.helpers import bearer, org_id

EXPORTS = "/api/v1/exports"


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_dialogue_and_invitation_exports(client, admin_key, make_key):
    convener = bearer(make_key(["dialogues:convene"]))
    dialogue = client.post(DIALOGUES, json=SUMMIT, headers=bearer(admin_key)).json
    ids = [org_id(client, slug) for slug in ("knust", "lelapa-ai")]
    made = invite(client, convener, dialogue["id"], ids, message="=HYPERLINK(1)").json
    knust = bearer(make_key(["org:write"], ids[0]))
    assert act(client, knust, made["invitations"][0], "accept").status_code == 200

    [row] = [r for r in rows(client.get(f"{EXPORTS}/dialogues")) if r["id"] == str(dialogue["id"])]
    assert row["participants"] == "knust:participant"
    assert row["invitations"] == "accepted=1;invited=1"
    assert row["topics"] == "model-evaluations" and row["virtual"] == "false"

    public = json.loads(client.get(f"{EXPORTS}/dialogues?format=json").data)
    [mine] = [d for d in public if d["id"] == dialogue["id"]]
    assert "invitations" not in mine and mine["invitation_counts"] == {"accepted": 1, "invited": 1}
    full = json.loads(client.get(f"{EXPORTS}/dialogues?format=json", headers=convener).data)
    [mine] = [d for d in full if d["id"] == dialogue["id"]]
    assert [i["status"] for i in mine["invitations"]] == ["accepted", "invited"]

    assert client.get(f"{EXPORTS}/invitations").status_code == 401
    assert client.get(f"{EXPORTS}/invitations", headers=knust).status_code == 403
    listed = rows(client.get(f"{EXPORTS}/invitations", headers=convener))
    mine = [r for r in listed if r["dialogue_id"] == str(dialogue["id"])]
    assert [(r["organization_slug"], r["status"]) for r in mine] == [
        ("knust", "accepted"),
        ("lelapa-ai", "invited"),
    ]
    assert mine[0]["message"] == "'=HYPERLINK(1)"  # formula-safe
    accepted = rows(
        client.get(f"{EXPORTS}/invitations", query_string={"status": "invited"}, headers=convener)
    )
    assert {r["status"] for r in accepted} == {"invited"}


def test_the_data_package_describes_dialogues_and_invitations(client, make_key):
    package = client.get(f"{EXPORTS}/datapackage.json").json
    resources = {r["name"]: r for r in package["resources"]}
    convener = bearer(make_key(["dialogues:convene"]))
    for name in ("dialogues", "invitations"):
        described = [f["name"] for f in resources[name]["schema"]["fields"]]
        header = client.get(f"{EXPORTS}/{name}", headers=convener).get_data(as_text=True)
        assert described == header.splitlines()[0].split(","), name
    assert "dialogues:convene" in resources["invitations"]["description"]
