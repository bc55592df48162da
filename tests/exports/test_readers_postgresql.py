"""An export read in turns by several PostgreSQL connections on one exported snapshot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from partners_api.changes.service import bump_directory_version
from partners_api.db import database
from partners_api.exports import readers, service
from partners_api.organizations.models import Organization
from tests.helpers import csv_writer_export, exports_in_turns
from tests.servers import on_postgresql

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not on_postgresql(), reason="snapshots are shared on PostgreSQL only (TEST_DATABASE_URL)"
    ),
]


@pytest.mark.parametrize("filters", [{}, {"sector": ["academia", "civil_society"]}])
def test_several_readers_write_what_csv_writer_writes(app, monkeypatch, filters):
    """The committed demo directory, read through the engine (not a test's shared
    connection), by one, two and three connections in turns."""
    used, bodies = exports_in_turns(app, monkeypatch, filters)
    assert used == [1, 2, 3]
    assert bodies == [csv_writer_export(app, filters)] * 3
    assert bodies[0].count(b"\r\n") > 1 + 2 * service.BATCH


def test_the_readers_see_one_snapshot_whatever_commits_meanwhile(app):
    with app.app_context():
        db = database()
        with db.session() as first, readers.snapshot_sessions(first, db) as sessions:
            assert len(sessions) == readers.READERS
            before = readers.snapshot_version(first)
            with db.session() as writer:
                bump_directory_version(writer)
                writer.commit()
            assert [readers.snapshot_version(s) for s in sessions] == [before] * len(sessions)
            with db.session() as later:
                assert readers.snapshot_version(later) > before


def test_a_session_already_begun_reads_alone(app):
    with app.app_context():
        db = database()
        with db.session() as begun:
            begun.scalar(select(Organization.id).limit(1))
            with readers.snapshot_sessions(begun, db) as sessions:
                assert sessions == [begun]
