"""Outcomes of a dialogue: links that came out of it, private signals, the summary, the feed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from partners_api.dialogues import outcomes
from tests.helpers import bearer, link, new_organization

URL = "/api/v1/dialogues"


@dataclass
class Held:
    """A held dialogue with three participants (a, b, c), an outsider (d) and their keys."""

    id: int
    a: int
    b: int
    c: int
    d: int
    keys: dict[str, str]

    def signal_url(self, from_id: int, to_id: int) -> str:
        return f"{URL}/{self.id}/outcomes/signals/{from_id}/{to_id}"


def _dialogue(client, admin_key, status: str, members: list[int]) -> int:
    body = {"title": f"Outcomes test ({status})", "status": status}
    dialogue = client.post(URL, json=body, headers=bearer(admin_key)).json
    for org in members:
        response = client.put(
            f"{URL}/{dialogue['id']}/participants/{org}",
            json={"role": "participant"},
            headers=bearer(admin_key),
        )
        assert response.status_code == 201, response.json
    return dialogue["id"]


@pytest.fixture
def held(client, admin_key, make_key) -> Held:
    made = [
        new_organization(client, admin_key, name, sector=sector, country=country)["id"]
        for name, sector, country in (
            ("Outcome Civic Lab", "civil_society", "KE"),
            ("Outcome University", "academia", "DE"),
            ("Outcome Ministry", "government", "KE"),
            ("Outcome Outsider", "industry", "US"),
        )
    ]
    a, b, c, d = made
    keys = {name: make_key(["org:write"], org) for name, org in zip("abcd", made, strict=True)}
    keys["admin"] = admin_key
    keys["convener"] = make_key(["dialogues:convene"])
    dialogue_id = _dialogue(client, admin_key, "held", [a, b, c])
    return Held(dialogue_id, a, b, c, d, keys)


def put_signal(client, held: Held, from_id: int, to_id: int, key: str, **body):
    body = {"again": True, **body}
    return client.put(held.signal_url(from_id, to_id), json=body, headers=bearer(key))


# --- origin_dialogue_id ----------------------------------------------------------------


def test_a_link_names_the_held_dialogue_it_came_from(client, held):
    created = link(client, held.keys["a"], held.a, held.b, origin_dialogue_id=held.id)
    assert created.status_code == 201, created.json
    assert created.json["origin_dialogue_id"] == held.id
    again = client.get(created.headers["Location"]).json
    assert again["origin_dialogue_id"] == held.id
    listed = client.get("/api/v1/partnerships", query_string={"origin_dialogue": held.id}).json
    assert [p["id"] for p in listed] == [created.json["id"]]
    plain = link(client, held.keys["a"], held.a, held.c).json
    assert plain["origin_dialogue_id"] is None


def test_an_origin_is_refused_unless_held_and_both_took_part(client, admin_key, held):
    planned = _dialogue(client, admin_key, "planned", [held.a, held.b])
    refusals = [
        (planned, held.b, 409, "dialogue_not_held"),
        (held.id, held.d, 422, "not_a_participant"),
        (10**8, held.b, 422, "unknown_dialogue"),
    ]
    for origin, partner, status, code in refusals:
        response = link(client, held.keys["a"], held.a, partner, origin_dialogue_id=origin)
        assert (response.status_code, response.json["code"]) == (status, code), response.json
    listed = client.get("/api/v1/partnerships", query_string={"organization": held.a}).json
    assert listed == []


def test_the_network_shows_the_dialogues_links_came_from(client, admin_key, held):
    created = link(client, admin_key, held.a, held.b, status="active", origin_dialogue_id=held.id)
    assert created.status_code == 201, created.json
    network = client.get(f"/api/v1/organizations/{held.a}/network").json
    edge = next(e for e in network["edges"] if {e["source"], e["target"]} == {held.a, held.b})
    assert edge["origin_dialogues"] == [held.id] and edge["dialogues"] == [held.id]
    other = next(e for e in network["edges"] if {e["source"], e["target"]} == {held.a, held.c})
    assert other["origin_dialogues"] == []


def test_deleting_a_dialogue_clears_origins_with_events(client, admin_key, held):
    created = link(client, held.keys["a"], held.a, held.b, origin_dialogue_id=held.id).json
    assert put_signal(client, held, held.a, held.b, held.keys["a"]).status_code == 201
    etag = client.get(f"{URL}/{held.id}").headers["ETag"]
    gone = client.delete(f"{URL}/{held.id}", headers={**bearer(admin_key), "If-Match": etag})
    assert gone.status_code == 204
    assert client.get(f"/api/v1/partnerships/{created['id']}").json["origin_dialogue_id"] is None
    events = client.get("/api/v1/changes", query_string={"limit": 1000}).json["events"]
    assert ("partnership", str(created["id"]), "updated", ["origin_dialogue_id"]) in [
        (e["entity"], e["entity_id"], e["action"], e["fields"]) for e in events
    ]
    assert [e["action"] for e in events if e["entity"] == "outcome_signal"][-1] == "deleted"


# --- signals ---------------------------------------------------------------------------


def test_a_participant_records_and_replaces_a_signal(client, held):
    first = put_signal(client, held, held.a, held.b, held.keys["a"], note="  Would co-host.  ")
    assert first.status_code == 201, first.json
    assert first.json["again"] is True and first.json["note"] == "Would co-host."
    assert first.json["from_organization"]["id"] == held.a
    assert first.json["to_organization"]["id"] == held.b
    same = put_signal(client, held, held.a, held.b, held.keys["a"], note="Would co-host.")
    assert same.status_code == 200 and same.json["id"] == first.json["id"]
    changed = put_signal(client, held, held.a, held.b, held.keys["a"], again=False)
    assert changed.status_code == 200
    assert (changed.json["again"], changed.json["note"]) == (False, "")
    by_admin = put_signal(client, held, held.b, held.a, held.keys["admin"])
    assert by_admin.status_code == 201


def test_signals_are_refused_with_stable_codes(client, admin_key, held):
    planned = _dialogue(client, admin_key, "planned", [held.a, held.b])
    url = f"{URL}/{planned}/outcomes/signals/{held.a}/{held.b}"
    not_held = client.put(url, json={"again": True}, headers=bearer(held.keys["a"]))
    cases = [
        (not_held, 409, "dialogue_not_held"),
        (put_signal(client, held, held.d, held.a, held.keys["d"]), 403, "recorder_not_participant"),
        (put_signal(client, held, held.a, held.d, held.keys["a"]), 422, "subject_not_participant"),
        (put_signal(client, held, held.a, held.a, held.keys["a"]), 422, "self_signal"),
        (put_signal(client, held, held.b, held.c, held.keys["a"]), 403, "forbidden"),
        (put_signal(client, held, held.a, held.b, held.keys["convener"]), 403, "forbidden"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json["code"]) == (status, code), response.json
    anonymous = client.put(held.signal_url(held.a, held.b), json={"again": True})
    assert anonymous.status_code == 401
    for body in ({}, {"again": "yes"}, {"again": True, "note": "x" * 501}, {"again": 1, "x": 2}):
        bad = client.put(held.signal_url(held.a, held.b), json=body, headers=bearer(held.keys["a"]))
        assert bad.status_code == 422, body
    missing = put_signal(client, held, held.a, held.b, admin_key)
    assert missing.status_code == 201  # nothing was written by the refusals above
    assert client.get(f"{URL}/{held.id}/outcomes").json["signals"]["recorded"] == 1


def test_only_the_pair_and_conveners_read_a_signal(client, held, make_key):
    put_signal(client, held, held.a, held.b, held.keys["a"], again=False, note="Slow replies.")
    url = held.signal_url(held.a, held.b)
    for reader in ("a", "b", "admin", "convener"):
        response = client.get(url, headers=bearer(held.keys[reader]))
        assert response.status_code == 200, reader
        assert (response.json["again"], response.json["note"]) == (False, "Slow replies.")
    contacts = make_key(["read:contacts"])
    for headers in ({}, bearer(held.keys["c"]), bearer(held.keys["d"]), bearer(contacts)):
        hidden = client.get(url, headers=headers)
        assert hidden.status_code == 404 and "Slow" not in hidden.get_data(as_text=True)
        absent = client.get(held.signal_url(held.b, held.a), headers=headers)
        assert absent.status_code == 404 and absent.json["detail"] == (
            hidden.json["detail"].replace(f"{held.a} about {held.b}", f"{held.b} about {held.a}")
        )


def test_the_signal_list_shows_each_caller_what_it_may_read(client, held):
    put_signal(client, held, held.a, held.b, held.keys["a"])
    put_signal(client, held, held.b, held.c, held.keys["b"], again=False)
    put_signal(client, held, held.c, held.a, held.keys["c"])
    url = f"{URL}/{held.id}/outcomes/signals"

    def pairs(headers):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        return [(s["from_organization"]["id"], s["to_organization"]["id"]) for s in response.json]

    everything = [(held.a, held.b), (held.b, held.c), (held.c, held.a)]
    assert pairs(bearer(held.keys["convener"])) == pairs(bearer(held.keys["admin"])) == everything
    assert pairs(bearer(held.keys["a"])) == [(held.a, held.b), (held.c, held.a)]
    assert pairs(bearer(held.keys["d"])) == pairs({}) == []
    assert client.get(f"{URL}/{10**8}/outcomes/signals").status_code == 404


# --- summary ---------------------------------------------------------------------------


def test_the_summary_counts_links_and_hides_private_signals(client, admin_key, held):
    link(client, admin_key, held.a, held.b, status="active", origin_dialogue_id=held.id)
    link(client, held.keys["a"], held.a, held.c, kind="mou", origin_dialogue_id=held.id)
    link(client, held.keys["b"], held.b, held.c, origin_dialogue_id=held.id)
    link(client, held.keys["a"], held.a, held.d)  # not from the dialogue
    put_signal(client, held, held.a, held.b, held.keys["a"], note="Great partner.")
    put_signal(client, held, held.b, held.a, held.keys["b"], again=False)
    public = client.get(f"{URL}/{held.id}/outcomes")
    assert public.status_code == 200
    summary = public.json
    assert (summary["status"], summary["participants"]) == ("held", 3)
    links = summary["partnerships"]
    assert links["total"] == 3 and len(links["items"]) == 3
    assert links["by_kind"] == {"mou": 1, "research": 2}
    assert links["by_status"] == {"active": 1, "proposed": 2}
    assert links["by_sector_pair"] == [
        {"sectors": ["academia", "civil_society"], "count": 1},
        {"sectors": ["academia", "government"], "count": 1},
        {"sectors": ["civil_society", "government"], "count": 1},
    ]
    assert links["cross_sector"] == 3
    assert links["cross_region"] == {"yes": 2, "no": 1}  # KE-DE twice, KE-KE once
    assert summary["signals"] == {"recorded": 2, "items": []}
    assert "Great partner" not in public.get_data(as_text=True)
    convener = client.get(f"{URL}/{held.id}/outcomes", headers=bearer(held.keys["convener"]))
    signals = convener.json["signals"]
    assert (signals["recorded"], signals["again"], signals["not_again"]) == (2, 1, 1)
    assert [s["note"] for s in signals["items"]] == ["Great partner.", ""]
    own = client.get(f"{URL}/{held.id}/outcomes", headers=bearer(held.keys["c"])).json
    assert own["signals"] == {"recorded": 2, "items": []}
    assert client.get(f"{URL}/{10**8}/outcomes").status_code == 404


# --- the feed --------------------------------------------------------------------------


def test_the_feed_carries_signals_without_their_contents(client, held):
    start = client.get("/api/v1/changes", query_string={"limit": 1000}).json["next_cursor"]
    created = link(client, held.keys["a"], held.a, held.b, origin_dialogue_id=held.id).json
    first = put_signal(client, held, held.a, held.b, held.keys["a"], note="Secret praise.").json
    put_signal(client, held, held.a, held.b, held.keys["a"], note="Secret praise.")
    put_signal(client, held, held.a, held.b, held.keys["a"], again=False, note="Secret praise.")
    feed = client.get("/api/v1/changes", query_string={"since": start, "limit": 1000})
    events = [(e["entity"], e["entity_id"], e["action"], e["fields"]) for e in feed.json["events"]]
    assert events == [
        ("partnership", str(created["id"]), "proposed", sorted(created_fields())),
        ("outcome_signal", str(first["id"]), "recorded", ["again", "note"]),
        ("outcome_signal", str(first["id"]), "updated", ["again"]),
    ]
    text = feed.get_data(as_text=True)
    assert "Secret" not in text and str(held.b) not in [e[1] for e in events[1:]]


def created_fields() -> list[str]:
    return ["description", "kind", "origin_dialogue_id", "partner_id", "proposer_id"]


# --- the service matching reads -----------------------------------------------------------


def test_led_to_active_partnerships_counts_dialogues_per_organization(
    client, session, admin_key, held
):
    second = _dialogue(client, admin_key, "held", [held.a, held.b, held.c])
    for origin, kind in ((held.id, "research"), (held.id, "mou"), (second, "funding")):
        response = link(
            client, admin_key, held.a, held.b, kind=kind, status="active", origin_dialogue_id=origin
        )
        assert response.status_code == 201, response.json
    proposed = link(client, held.keys["a"], held.a, held.c, origin_dialogue_id=second).json
    ended = link(client, admin_key, held.b, held.c, status="active", origin_dialogue_id=held.id)
    client.post(f"/api/v1/partnerships/{ended.json['id']}/end", headers=bearer(admin_key))
    counts = outcomes.led_to_active_partnerships(session)
    assert (counts.get(held.a), counts.get(held.b)) == (2, 2)
    assert held.c not in counts and held.d not in counts and proposed["status"] == "proposed"
    assert outcomes.led_to_active_partnerships(session, [held.a, held.d]) == {held.a: 2}


def test_exports_carry_the_origin_of_links(client, held):
    created = link(client, held.keys["a"], held.a, held.b, origin_dialogue_id=held.id).json
    records = client.get("/api/v1/exports/partnerships", query_string={"format": "json"}).json
    assert next(r for r in records if r["id"] == created["id"])["origin_dialogue_id"] == held.id
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/exports/partnerships?format=csv").get_data(as_text=True)
            )
        )
    )
    assert next(r for r in rows if r["id"] == str(created["id"]))["origin_dialogue_id"] == str(
        held.id
    )
    package = client.get("/api/v1/exports/datapackage.json").json
    partnerships = next(r for r in package["resources"] if r["name"] == "partnerships")
    assert {"name": "origin_dialogue_id", "type": "integer"}.items() <= next(
        f for f in partnerships["schema"]["fields"] if f["name"] == "origin_dialogue_id"
    ).items()


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_dialogues_export_shows_signals_to_conveners_only(client, held):
    link(client, held.keys["a"], held.a, held.b, origin_dialogue_id=held.id)
    put_signal(client, held, held.a, held.b, held.keys["a"], note="=HYPERLINK(1)")
    url = "/api/v1/exports/dialogues"
    public = client.get(url, query_string={"format": "json", "status": "held"})
    record = next(r for r in public.json if r["id"] == held.id)
    assert (record["partnerships_formed"], record["signals_recorded"]) == (1, 1)
    assert [p["organization_id"] for p in record["participants"]] == [held.a, held.b, held.c]
    assert "outcome_signals" not in record and "HYPERLINK" not in public.get_data(as_text=True)
    for reader in ("a", "d"):
        response = client.get(
            url, query_string={"format": "ndjson"}, headers=bearer(held.keys[reader])
        )
        assert "HYPERLINK" not in response.get_data(as_text=True)
    convener = client.get(
        url, query_string={"format": "json"}, headers=bearer(held.keys["convener"])
    )
    signals = next(r for r in convener.json if r["id"] == held.id)["outcome_signals"]
    assert [(s["from_slug"], s["again"], s["note"]) for s in signals] == [
        ("outcome-civic-lab", True, "=HYPERLINK(1)")
    ]
    row = next(r for r in _csv(client.get(url)) if r["id"] == str(held.id))
    assert row["participants"] == (
        "outcome-civic-lab:participant;outcome-university:participant;outcome-ministry:participant"
    )
    assert (row["partnerships_formed"], row["signals_recorded"], row["status"]) == (
        "1",
        "1",
        "held",
    )
    assert client.get(url, query_string={"status": "postponed"}).status_code == 422


def test_the_outcome_signals_export_is_for_conveners(client, held):
    put_signal(client, held, held.a, held.b, held.keys["a"], again=False, note="=HYPERLINK(1)")
    url = "/api/v1/exports/outcome-signals"
    assert client.get(url).status_code == 401
    for reader in ("a", "b"):
        refused = client.get(url, headers=bearer(held.keys[reader]))
        assert refused.status_code == 403 and "HYPERLINK" not in refused.get_data(as_text=True)
    for reader in ("admin", "convener"):
        rows = _csv(client.get(url, headers=bearer(held.keys[reader])))
        mine = [r for r in rows if r["dialogue_id"] == str(held.id)]
        assert [(r["from_slug"], r["to_slug"], r["again"], r["note"]) for r in mine] == [
            ("outcome-civic-lab", "outcome-university", "false", "'=HYPERLINK(1)")
        ]
    records = client.get(url, query_string={"format": "ndjson"}, headers=bearer(held.keys["admin"]))
    assert '"again": false' in records.get_data(as_text=True)
    package = client.get("/api/v1/exports/datapackage.json").json
    resources = {r["name"]: r for r in package["resources"]}
    assert [f["name"] for f in resources["outcome_signals"]["schema"]["fields"]][:3] == [
        "id",
        "dialogue_id",
        "from_organization_id",
    ]
    assert "dialogues:convene" in resources["outcome_signals"]["description"]
    assert "signals_recorded" in [f["name"] for f in resources["dialogues"]["schema"]["fields"]]


def test_led_to_active_partnerships_reads_through_a_bare_connection(
    client, session, admin_key, held
):
    link(client, admin_key, held.a, held.c, status="active", origin_dialogue_id=held.id)
    counts = outcomes.led_to_active_partnerships(session.connection(), [held.a, held.b, held.c])
    assert counts == {held.a: 1, held.c: 1}


def test_a_merge_gives_signals_to_the_survivor(client, admin_key, held):
    survivor = new_organization(client, admin_key, "Outcome Survivor Institute", country="GH")
    e = survivor["id"]
    client.put(
        f"{URL}/{held.id}/participants/{e}", json={"role": "host"}, headers=bearer(admin_key)
    )
    for from_id, to_id in (
        (held.a, held.b),
        (held.b, held.a),
        (held.a, held.c),
        (e, held.c),
        (e, held.a),
    ):
        assert put_signal(client, held, from_id, to_id, admin_key).status_code == 201
    etag = client.get(f"/api/v1/organizations/{held.a}").headers["ETag"]
    merged = client.post(
        f"/api/v1/organizations/{held.a}/merge",
        json={"into": e},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert merged.status_code == 200, merged.json
    signals = client.get(f"{URL}/{held.id}/outcomes/signals", headers=bearer(admin_key)).json
    pairs = sorted((s["from_organization"]["id"], s["to_organization"]["id"]) for s in signals)
    assert pairs == sorted([(e, held.b), (held.b, e), (e, held.c)])
    events = client.get("/api/v1/changes", query_string={"limit": 1000}).json["events"]
    signal_events = [
        (e_["action"], e_["fields"]) for e_ in events if e_["entity"] == "outcome_signal"
    ]
    assert signal_events[-4:] == [
        ("merged", ["from_organization_id"]),
        ("merged", ["to_organization_id"]),
        ("deleted", []),
        ("deleted", []),
    ]
