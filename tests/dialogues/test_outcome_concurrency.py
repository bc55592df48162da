"""Two PUTs of one signal at the same moment on PostgreSQL: both succeed in turn, none is lost."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, or_, select

from partners_api.changes.models import ChangeEvent
from partners_api.dialogues.models import Dialogue, OutcomeSignal
from partners_api.keys.models import ApiKey
from partners_api.organizations.models import Organization
from tests.helpers import bearer
from tests.servers import on_postgresql

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not on_postgresql(),
        reason="concurrent writers race only on PostgreSQL (set TEST_DATABASE_URL)",
    ),
]
ROUNDS = 5


def _committed_world(client, admin: dict) -> tuple[int, int, int, str]:
    """Two organizations that took part in a held dialogue, and the first one's key."""
    ids = []
    for name in ("Concurrent Signal One", "Concurrent Signal Two"):
        body = {"name": name, "sector": "academia", "country": "FR"}
        ids.append(client.post("/api/v1/organizations", json=body, headers=admin).json["id"])
    dialogue = client.post(
        "/api/v1/dialogues", json={"title": "Concurrent signals", "status": "held"}, headers=admin
    ).json["id"]
    for org in ids:
        client.put(
            f"/api/v1/dialogues/{dialogue}/participants/{org}",
            json={"role": "participant"},
            headers=admin,
        )
    key = client.post(
        "/api/v1/keys",
        json={"name": "concurrent signal", "scopes": ["org:write"], "organization_id": ids[0]},
        headers=admin,
    ).json
    return dialogue, ids[0], ids[1], key["secret"]


def _clean(app, dialogue: int, orgs: list[int]) -> None:
    with app.extensions["partners_db"].session() as session:
        keys = list(session.scalars(select(ApiKey.id).where(ApiKey.organization_id.in_(orgs))))
        signals = [
            str(i)
            for i in session.scalars(
                select(OutcomeSignal.id).where(OutcomeSignal.dialogue_id == dialogue)
            )
        ]
        session.execute(
            delete(ChangeEvent).where(
                or_(
                    ChangeEvent.actor_key_id.in_(keys),
                    (ChangeEvent.entity == "outcome_signal") & ChangeEvent.entity_id.in_(signals),
                    (ChangeEvent.entity == "dialogue") & (ChangeEvent.entity_id == str(dialogue)),
                    (ChangeEvent.entity == "organization")
                    & ChangeEvent.entity_id.in_([str(o) for o in orgs]),
                    (ChangeEvent.entity == "key") & ChangeEvent.entity_id.in_(map(str, keys)),
                )
            )
        )
        session.execute(delete(Dialogue).where(Dialogue.id == dialogue))
        session.execute(delete(ApiKey).where(ApiKey.id.in_(keys)))
        session.execute(delete(Organization).where(Organization.id.in_(orgs)))
        session.commit()


def _race(app, url: str, key: str, round_number: int) -> dict:
    """Two PUTs of one signal let go at once; their answers by the note each sent."""
    barrier = threading.Barrier(2)
    answers = {}

    def put(note: str, again: bool) -> None:
        barrier.wait()
        body = {"again": again, "note": note}
        answers[note] = app.test_client().put(url, json=body, headers=bearer(key))

    threads = [
        threading.Thread(target=put, args=(f"round {round_number} by {who}", who == "x"))
        for who in ("x", "y")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_puts_of_one_signal_both_succeed_and_the_last_stands(app, admin_key_committed):
    client = app.test_client()
    dialogue, one, two, key = _committed_world(client, bearer(admin_key_committed))
    url = f"/api/v1/dialogues/{dialogue}/outcomes/signals/{one}/{two}"
    try:
        for round_number in range(ROUNDS):
            answers = _race(app, url, key, round_number)
            statuses = sorted(a.status_code for a in answers.values())
            assert statuses == ([200, 201] if round_number == 0 else [200, 200]), statuses
            assert len({a.json["id"] for a in answers.values()}) == 1
            stored = client.get(url, headers=bearer(key)).json
            assert stored["note"] in answers and stored["again"] == (stored["note"].endswith("x"))
        with app.extensions["partners_db"].session() as session:
            rows = session.scalars(
                select(OutcomeSignal).where(OutcomeSignal.dialogue_id == dialogue)
            ).all()
            events = session.scalars(
                select(ChangeEvent.action).where(
                    ChangeEvent.entity == "outcome_signal",
                    ChangeEvent.entity_id == str(rows[0].id),
                )
            ).all()
        # One row; every PUT that changed it is an event: the first records, the others
        # each change the note (two per round, less the first).
        assert len(rows) == 1
        assert sorted(events) == ["recorded"] + ["updated"] * (2 * ROUNDS - 1)
    finally:
        _clean(app, dialogue, [one, two])
