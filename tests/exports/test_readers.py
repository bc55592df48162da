"""An export read in turns by several SQLite connections: the same bytes, one snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from flask import Flask

from partners_api import create_app
from partners_api.changes.service import bump_directory_version
from partners_api.db import database
from partners_api.demo import load_demo
from partners_api.exports import readers, service
from partners_api.ops.service import alembic_config
from tests.helpers import csv_writer_export, exports_in_turns

pytestmark = pytest.mark.database_independent


@pytest.fixture
def file_app(tmp_path) -> Iterator[Flask]:
    """The demo directory in a SQLite file of its own, which several connections can read."""
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    with app.app_context(), database().session() as session:
        load_demo(session)
    yield app
    app.extensions["partners_db"].engine.dispose()


def test_several_readers_write_what_csv_writer_writes(file_app, monkeypatch):
    used, bodies = exports_in_turns(file_app, monkeypatch, {})
    assert used == [1, 2, 3]
    assert bodies == [csv_writer_export(file_app, {})] * 3
    assert bodies[0].count(b"\r\n") > 10 * service.BATCH


@pytest.mark.parametrize(
    "filters",
    [{"sector": ["academia", "civil_society"]}, {"q": "institute"}, {"topic": ["ai-safety"]}],
)
def test_a_filtered_export_is_cut_into_batches_of_the_selected(file_app, monkeypatch, filters):
    monkeypatch.setattr(service, "BATCH", 3)
    with file_app.test_client().get(
        "/api/v1/exports/organizations", query_string={"format": "csv", **filters}
    ) as response:
        body = response.data
    assert body == csv_writer_export(file_app, filters)
    assert body.count(b"\r\n") > 1 + 2 * service.BATCH


def test_a_write_between_the_readers_leaves_the_export_one_reader(file_app):
    with file_app.app_context():
        db = database()
        with db.session() as first:
            readers.snapshot_version(first)  # its snapshot begins
            with db.session() as writer:
                bump_directory_version(writer)
                writer.commit()
            with readers.snapshot_sessions(first, db) as sessions:
                assert sessions == [first]
        with db.session() as later, readers.snapshot_sessions(later, db) as sessions:
            assert len(sessions) == readers.READERS
