"""Records of the dialogue and invitation exports, read in batches of dialogues."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from partners_api.db import keyset_rows, utcnow
from partners_api.dialogues.invitations import current_status
from partners_api.dialogues.models import Dialogue, Invitation
from partners_api.exports import formats, outcomes
from partners_api.organizations.models import Organization

BATCH = 500
LIST_SEPARATOR = ";"

# (column, Frictionless type, description) of the dialogues export, in order.
DIALOGUE_COLUMNS = (
    ("id", "integer", "Identifier."),
    ("title", "string", "Title."),
    ("description", "string", "What it is about."),
    ("status", "string", "planned, held or cancelled."),
    ("starts_on", "date", "First day."),
    ("ends_on", "date", "Last day."),
    ("country", "string", "Where, ISO 3166-1 alpha-2 (empty when virtual)."),
    ("city", "string", "City."),
    ("virtual", "boolean", "Held online."),
    ("capacity", "integer", "Seats for participants."),
    ("topics", "string", "Topic slugs, ';'-separated."),
    ("participants", "string", "'slug:role' of each participant, ';'-separated."),
    ("invitations", "string", "'status=count' of its invitations, ';'-separated."),
    *outcomes.DIALOGUE_OUTCOME_COLUMNS,
    ("created_at", "datetime", "When it was recorded (UTC)."),
    ("updated_at", "datetime", "When it last changed (UTC)."),
)
INVITATION_COLUMNS = (
    ("id", "integer", "Identifier."),
    ("dialogue_id", "integer", "The dialogue."),
    ("organization_id", "integer", "The organization invited."),
    ("organization_slug", "string", "Its slug."),
    ("status", "string", "invited, accepted, declined, withdrawn or expired (as of the export)."),
    ("message", "string", "The convener's message."),
    ("answer_message", "string", "The invitee's message with its answer."),
    ("invited_by", "integer", "Key that invited."),
    ("answered_by", "integer", "Key that answered or withdrew."),
    ("expires_at", "datetime", "When it expires unanswered (UTC)."),
    ("answered_at", "datetime", "When it was answered or withdrawn (UTC)."),
    ("created_at", "datetime", "When it was made (UTC)."),
    ("updated_at", "datetime", "When it last changed (UTC)."),
)


def invitation_records(
    session: Session,
    *,
    dialogue_ids: Sequence[int] | None = None,
    status: Sequence[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every invitation (of some dialogues, in some statuses as of now), by id."""
    now = utcnow()
    columns = [
        Invitation.id,
        Invitation.dialogue_id,
        Invitation.organization_id,
        Organization.slug,
        current_status(now),
        Invitation.message,
        Invitation.answer_message,
        Invitation.invited_by,
        Invitation.answered_by,
        Invitation.expires_at,
        Invitation.answered_at,
        Invitation.created_at,
        Invitation.updated_at,
    ]
    query = select(*columns).join(Organization, Organization.id == Invitation.organization_id)
    if dialogue_ids is not None:
        query = query.where(Invitation.dialogue_id.in_(dialogue_ids))
    if status:
        query = query.where(current_status(now).in_(status))
    names = [name for name, _, _ in INVITATION_COLUMNS]
    for row in keyset_rows(session, query, Invitation.id, batch=BATCH * 4):
        yield dict(zip(names, row, strict=True))


def dialogue_records(
    session: Session,
    *,
    status: Sequence[str] | None = None,
    invitations: bool = False,
    signals: bool = False,
) -> Iterator[dict[str, Any]]:
    """Every dialogue (in some statuses) with topics, participants, invitation and outcome
    counts.

    With `invitations`, each record also holds its invitations in full, and with `signals`
    its outcome signals (both for conveners).
    """
    query = select(Dialogue).options(
        selectinload(Dialogue.topic_rows), selectinload(Dialogue.participants)
    )
    if status:
        query = query.where(Dialogue.status.in_(status))
    last = 0
    while True:
        batch = list(
            session.scalars(query.where(Dialogue.id > last).order_by(Dialogue.id).limit(BATCH))
        )
        if not batch:
            return
        held: dict[int, list[dict]] = defaultdict(list)
        for record in invitation_records(session, dialogue_ids=[d.id for d in batch]):
            held[record["dialogue_id"]].append(record)
        ids = [d.id for d in batch]
        counts = outcomes.outcome_counts(session, ids)
        said = outcomes.signals_by_dialogue(session, ids) if signals else None
        for dialogue in batch:
            record = _dialogue_record(dialogue, held[dialogue.id], invitations)
            record.update(counts[dialogue.id])
            if said is not None:
                record["outcome_signals"] = said.get(dialogue.id, [])
            yield record
        last = batch[-1].id


def _dialogue_record(dialogue: Dialogue, held: list[dict], invitations: bool) -> dict[str, Any]:
    counts = Counter(record["status"] for record in held)
    record = {
        "id": dialogue.id,
        "title": dialogue.title,
        "description": dialogue.description,
        "status": dialogue.status,
        "starts_on": dialogue.starts_on,
        "ends_on": dialogue.ends_on,
        "country": dialogue.country_code,
        "city": dialogue.city,
        "virtual": dialogue.virtual,
        "capacity": dialogue.capacity,
        "topics": dialogue.topics,
        "participants": [
            {"organization_id": p.organization_id, "slug": p.organization.slug, "role": p.role}
            for p in dialogue.participants
        ],
        "invitation_counts": dict(sorted(counts.items())),
        "created_at": dialogue.created_at,
        "updated_at": dialogue.updated_at,
    }
    if invitations:
        record["invitations"] = held
    return record


def _dialogue_row(record: dict[str, Any]) -> list[Any]:
    """A dialogue record as the cells of its CSV row."""
    lists = {
        "topics": LIST_SEPARATOR.join(record["topics"]),
        "participants": LIST_SEPARATOR.join(
            f"{p['slug']}:{p['role']}" for p in record["participants"]
        ),
        "invitations": LIST_SEPARATOR.join(
            f"{status}={n}" for status, n in record["invitation_counts"].items()
        ),
    }
    return [lists[name] if name in lists else record[name] for name, _, _ in DIALOGUE_COLUMNS]


def dialogue_file(
    session: Session,
    export_format: str,
    *,
    status=None,
    invitations: bool = False,
    signals: bool = False,
) -> Iterator[bytes]:
    """The dialogues export in a format, as chunks of bytes."""
    records = dialogue_records(session, status=status, invitations=invitations, signals=signals)
    if export_format == "json":
        return formats.json_chunks(records)
    if export_format == "ndjson":
        return formats.ndjson_chunks(records)
    header = [name for name, _, _ in DIALOGUE_COLUMNS]
    return formats.csv_chunks(header, (_dialogue_row(record) for record in records))


def invitation_file(session: Session, export_format: str, *, status=None) -> Iterator[bytes]:
    """The invitations export in a format, as chunks of bytes."""
    records = invitation_records(session, status=status)
    if export_format == "json":
        return formats.json_chunks(records)
    if export_format == "ndjson":
        return formats.ndjson_chunks(records)
    header = [name for name, _, _ in INVITATION_COLUMNS]
    return formats.csv_chunks(header, (list(record.values()) for record in records))
