"""Track record and recent participation: per-organization arrays beside the matching index.

For each indexed organization (row i of the index):

- how many proposals it received (links it is the partner of) and how many of those it
  answered (accepted or declined; ended links were accepted once), against those left
  proposed;
- how many invitations to dialogues came to an end for it (answered, or expired
  unanswered) and how many it answered (accepted or declined);
- how many of its dialogues led to active partnerships of its own (links whose
  origin_dialogue_id names the dialogue);
- its participations in held dialogues, each with the dialogue's date (its end, else its
  start, else the day it was recorded), so that "recent" is counted on the day it is asked.

The track_record component of a match is, for a candidate with k fruitful dialogues, a
answered of r received (proposals and invitations together):

    track_record = (k / (k + 1) + a / (r + 1)) / 2

in [0, 1): no record is 0, and credit grows with evidence rather than with a lucky
single answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from partners_api.arrays import positions
from partners_api.db import utcnow
from partners_api.dialogues import invitations, outcomes
from partners_api.dialogues.models import Dialogue, DialogueParticipant, Invitation
from partners_api.partnerships.models import Partnership

ANSWERED = ("active", "declined", "ended")
INVITATION_ANSWERS = ("accepted", "declined")
RECENT_MONTHS = 24


@dataclass
class Record:
    """Counts per index row, and the held participations as (row, day) pairs."""

    proposals_received: np.ndarray  # int32 [N]
    proposals_answered: np.ndarray  # int32 [N]
    invitations_closed: np.ndarray  # int32 [N]: answered or expired
    invitations_answered: np.ndarray  # int32 [N]
    fruitful_dialogues: np.ndarray  # int32 [N]: earlier dialogues that led to active links
    held_rows: np.ndarray  # int32: index row of each participation in a held dialogue
    held_days: np.ndarray  # int32: the dialogue's date as an ordinal day

    def arrays(self) -> list[np.ndarray]:
        """Every array, for the index's memory figure."""
        return [
            self.proposals_received,
            self.proposals_answered,
            self.invitations_closed,
            self.invitations_answered,
            self.fruitful_dialogues,
            self.held_rows,
            self.held_days,
        ]

    @cached_property
    def track_record(self) -> np.ndarray:
        """The track_record component of every row, in [0, 1)."""
        fruitful = self.fruitful_dialogues.astype(np.float64)
        answered = (self.proposals_answered + self.invitations_answered).astype(np.float64)
        received = (self.proposals_received + self.invitations_closed).astype(np.float64)
        return (fruitful / (fruitful + 1) + answered / (received + 1)) / 2

    def recent_participations(self, size: int, today: date) -> np.ndarray:
        """Per row, participations in held dialogues dated within RECENT_MONTHS of today."""
        since = months_before(today, RECENT_MONTHS).toordinal()
        recent = self.held_rows[self.held_days >= since]
        return np.bincount(recent, minlength=size).astype(np.int64)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def build_record(connection: Connection, ids: np.ndarray) -> Record:
    """Read the counts and participations of the indexed organizations."""
    received = _count_by(connection, Partnership.partner_id, ids)
    answered = _count_by(connection, Partnership.partner_id, ids, Partnership.status.in_(ANSWERED))
    closed, answered_invitations = invitation_counts(connection, ids)
    rows, days = _held_participations(connection, ids)
    return Record(
        proposals_received=received,
        proposals_answered=answered,
        invitations_closed=closed,
        invitations_answered=answered_invitations,
        fruitful_dialogues=fruitful_dialogue_counts(connection, ids),
        held_rows=rows,
        held_days=days,
    )


def invitation_counts(connection: Connection, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Invitations that came to an end (answered or expired), and those answered, per row.

    Withdrawn invitations and those still open count for neither.
    """
    status = invitations.current_status(utcnow())
    column = Invitation.organization_id
    closed = _count_by(connection, column, ids, status.in_((*INVITATION_ANSWERS, "expired")))
    return closed, _count_by(connection, column, ids, status.in_(INVITATION_ANSWERS))


def fruitful_dialogue_counts(connection: Connection, ids: np.ndarray) -> np.ndarray:
    """Dialogues of each row that led to active partnerships of its own (origin_dialogue_id)."""
    return _per_row(ids, outcomes.led_to_active_partnerships(connection).items())


def _count_by(connection: Connection, column, ids: np.ndarray, *where) -> np.ndarray:
    """Rows of a table per organization id in `column`, as an array over the index rows."""
    pairs = connection.execute(select(column, func.count()).where(*where).group_by(column)).all()
    return _per_row(ids, pairs)


def _per_row(ids: np.ndarray, counts: Iterable[tuple[int, int]]) -> np.ndarray:
    """(organization id, count) pairs as an array over the index rows (0 where none)."""
    pairs = list(counts)
    per_row = np.zeros(len(ids), np.int32)
    wanted = np.fromiter((p[0] for p in pairs), np.int64, len(pairs))
    rows, indexed = positions(ids, wanted)
    per_row[rows[indexed]] = np.fromiter((p[1] for p in pairs), np.int64, len(pairs))[indexed]
    return per_row


def _held_participations(connection: Connection, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index rows and dialogue days of every participation in a held dialogue."""
    found = connection.execute(_held_query()).all()
    wanted = np.fromiter((f[0] for f in found), np.int64, len(found))
    rows, indexed = positions(ids, wanted)
    days = np.fromiter((_day(*f[1:]) for f in found), np.int64, len(found))
    return rows[indexed].astype(np.int32), days[indexed].astype(np.int32)


def recent_participations_of(
    connection: Connection, organization_ids: Sequence[int], today: date
) -> Counter[int]:
    """Participations of these organizations only in held dialogues of the last 24 months."""
    since = months_before(today, RECENT_MONTHS).toordinal()
    query = _held_query().where(DialogueParticipant.organization_id.in_(organization_ids))
    return Counter(found[0] for found in connection.execute(query) if _day(*found[1:]) >= since)


def _held_query():
    """Each participation in a held dialogue: the organization and the dialogue's dates."""
    return (
        select(
            DialogueParticipant.organization_id,
            Dialogue.ends_on,
            Dialogue.starts_on,
            Dialogue.created_at,
        )
        .join(Dialogue, Dialogue.id == DialogueParticipant.dialogue_id)
        .where(Dialogue.status == "held")
    )


def _day(ends_on: date | None, starts_on: date | None, created_at: datetime) -> int:
    """The ordinal day a dialogue counts at: its end, else its start, else its creation."""
    return (ends_on or starts_on or created_at.date()).toordinal()
