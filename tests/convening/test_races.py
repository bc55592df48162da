"""Two answers to one invitation at the same moment, on PostgreSQL: one wins, one gets 409."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import delete, select

from partners_api.changes.models import ChangeEvent
from partners_api.convening import service as convening
from partners_api.db import database
from partners_api.dialogues import service as dialogues
from partners_api.dialogues.models import Dialogue, DialogueParticipant, Invitation
from partners_api.keys import service as keys
from partners_api.keys.auth import Principal
from partners_api.organizations.models import Organization
from tests.helpers import bearer
from tests.servers import on_postgresql

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not on_postgresql(), reason="row locks race only on PostgreSQL (TEST_DATABASE_URL)"
    ),
]

PAIRS = 12  # invitations, each answered twice at once
ADMIN = Principal(key_id=None, scopes=frozenset({"admin"}))


@pytest.fixture
def race(app):
    """A committed dialogue with PAIRS invitations and a key per invited organization."""
    with app.app_context(), database().session() as session:
        ids = list(
            session.scalars(
                select(Organization.id)
                .where(Organization.status == "active", Organization.open_to_dialogue)
                .order_by(Organization.id)
                .limit(PAIRS)
            )
        )
        dialogue = dialogues.create_dialogue(
            session, data={"title": "Race", "starts_on": date(2099, 1, 1)}, actor_key_id=None
        )
        made = convening.invite(
            session,
            dialogue=dialogue,
            organization_ids=ids,
            message="",
            expires_at=None,
            principal=ADMIN,
        )
        session.commit()
        org_keys = [
            keys.create_key(
                session, name="invitation race", scopes=["org:write"], organization_id=i
            ).secret
            for i in ids
        ]
        dialogue_id = dialogue.id
        world = {"dialogue": dialogue_id, "invitations": [m.id for m in made], "keys": org_keys}
    yield world
    with app.app_context(), database().session() as session:
        for entity, ids in (("invitation", world["invitations"]), ("dialogue", [dialogue_id])):
            session.execute(
                delete(ChangeEvent).where(
                    ChangeEvent.entity == entity, ChangeEvent.entity_id.in_([str(i) for i in ids])
                )
            )
        session.execute(delete(Dialogue).where(Dialogue.id == world["dialogue"]))
        session.commit()
        keys.revoke_keys_named(session, name="invitation race")


def test_one_of_two_simultaneous_answers_wins(app, race, admin_key_committed):
    base = f"/api/v1/dialogues/{race['dialogue']}/invitations"
    convener = bearer(admin_key_committed)
    barrier = threading.Barrier(2)
    answers: dict[int, list[tuple[str, int, str | None]]] = {}

    def answer(invitation_id: int, action: str, headers: dict) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"{base}/{invitation_id}/{action}", headers=headers)
        body = response.get_json(silent=True) or {}
        answers[invitation_id].append((action, response.status_code, body.get("code")))

    for n, (invitation_id, key) in enumerate(zip(race["invitations"], race["keys"], strict=True)):
        answers[invitation_id] = []
        # accept against accept, or decline against withdraw: whichever comes second is 409
        pair = ("accept", "accept") if n % 2 == 0 else ("decline", "withdraw")
        headers = (bearer(key), bearer(key) if n % 2 == 0 else convener)
        threads = [
            threading.Thread(target=answer, args=(invitation_id, action, h))
            for action, h in zip(pair, headers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    for outcomes in answers.values():
        statuses = sorted(status for _, status, _ in outcomes)
        assert statuses == [200, 409], outcomes
        [loser] = [o for o in outcomes if o[1] == 409]
        assert loser[2] in ("invitation_answered", "invitation_withdrawn"), outcomes
    with app.app_context(), database().session() as session:
        status = dict(
            session.execute(
                select(Invitation.id, Invitation.status).where(
                    Invitation.dialogue_id == race["dialogue"]
                )
            ).all()
        )
        seated = session.scalars(
            select(DialogueParticipant.organization_id).where(
                DialogueParticipant.dialogue_id == race["dialogue"]
            )
        ).all()
        events = Counter(
            session.scalars(
                select(ChangeEvent.entity_id).where(
                    ChangeEvent.entity == "invitation",
                    ChangeEvent.entity_id.in_([str(i) for i in race["invitations"]]),
                    ChangeEvent.action != "created",
                )
            )
        )
    accepted = [i for i, s in status.items() if s == "accepted"]
    assert len(accepted) == PAIRS // 2 and len(seated) == PAIRS // 2
    assert all(events[str(i)] == 1 for i in race["invitations"])  # one answer recorded each
