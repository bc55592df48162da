"""Outcomes in exports: links formed and signals per dialogue, and the signals themselves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from partners_api.db import keyset_rows
from partners_api.dialogues.models import OutcomeSignal
from partners_api.exports import formats
from partners_api.organizations.models import Organization
from partners_api.partnerships.models import Partnership

BATCH = 2_000
# Columns the dialogues export adds for outcomes: (column, Frictionless type, description).
DIALOGUE_OUTCOME_COLUMNS = (
    ("partnerships_formed", "integer", "Partnerships that name it as their origin."),
    (
        "signals_recorded",
        "integer",
        "Would-work-together-again signals recorded after it (what they say: the outcome "
        "signals export, for conveners).",
    ),
)
SIGNAL_COLUMNS = (
    ("id", "integer", "Identifier."),
    ("dialogue_id", "integer", "The held dialogue it follows."),
    ("from_organization_id", "integer", "The participant that said it."),
    ("from_slug", "string", "Its slug."),
    ("to_organization_id", "integer", "The participant it is about."),
    ("to_slug", "string", "Its slug."),
    ("again", "boolean", "Whether it would work with the other again."),
    ("note", "string", "A short private note."),
    ("created_at", "datetime", "When it was recorded (UTC)."),
    ("updated_at", "datetime", "When it last changed (UTC)."),
)


def _counts(session: Session, column, ids: Sequence[int]) -> dict[int, int]:
    """How many rows name each of these dialogues in a column."""
    query = select(column, func.count()).where(column.in_(ids)).group_by(column)
    return dict(session.execute(query).all())


def outcome_counts(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per dialogue of these ids, the links that came out of it and the signals recorded."""
    formed = _counts(session, Partnership.origin_dialogue_id, ids)
    recorded = _counts(session, OutcomeSignal.dialogue_id, ids)
    return {
        i: {"partnerships_formed": formed.get(i, 0), "signals_recorded": recorded.get(i, 0)}
        for i in ids
    }


def signals_by_dialogue(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The signals of these dialogues as records, by dialogue."""
    by_dialogue: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in signal_records(session, dialogue_ids=ids):
        by_dialogue[record["dialogue_id"]].append(record)
    return by_dialogue


def signal_records(
    session: Session, *, dialogue_ids: Sequence[int] | None = None
) -> Iterator[dict[str, Any]]:
    """Every outcome signal (of some dialogues) with both organizations' slugs, by id."""
    source, subject = aliased(Organization), aliased(Organization)
    query = (
        select(
            OutcomeSignal.id,
            OutcomeSignal.dialogue_id,
            OutcomeSignal.from_organization_id,
            source.slug,
            OutcomeSignal.to_organization_id,
            subject.slug,
            OutcomeSignal.again,
            OutcomeSignal.note,
            OutcomeSignal.created_at,
            OutcomeSignal.updated_at,
        )
        .join(source, source.id == OutcomeSignal.from_organization_id)
        .join(subject, subject.id == OutcomeSignal.to_organization_id)
    )
    if dialogue_ids is not None:
        query = query.where(OutcomeSignal.dialogue_id.in_(dialogue_ids))
    names = [name for name, _, _ in SIGNAL_COLUMNS]
    for row in keyset_rows(session, query, OutcomeSignal.id, batch=BATCH):
        yield dict(zip(names, row, strict=True))


def signal_file(session: Session, export_format: str) -> Iterator[bytes]:
    """The outcome signals export in a format, as chunks of bytes."""
    records = signal_records(session)
    if export_format == "json":
        return formats.json_chunks(records)
    if export_format == "ndjson":
        return formats.ndjson_chunks(records)
    header = [name for name, _, _ in SIGNAL_COLUMNS]
    return formats.csv_chunks(header, (list(record.values()) for record in records))
