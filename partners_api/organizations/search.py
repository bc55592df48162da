"""The `q` filter: every folded word of q is a substring of an organization's search_text.

The substring index that migration 0007 makes for the dialect finds words of three
characters or more: a pg_trgm GIN index on PostgreSQL, which serves LIKE by itself, and
an FTS5 trigram table on SQLite. On SQLite an ASCII word is matched by FTS5 alone: its
case folding then agrees with LIKE's, since folded text holds no non-ASCII character
that lower-cases to ASCII. Other words keep LIKE too, which decides where FTS5 folds
case more widely than LIKE. Words shorter than a trigram are matched with LIKE alone.

Lists and facets answer `q` in memory instead, through the list index's words (words.py),
which select the same organizations; these conditions serve where SQL filters (exports).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Select, and_, column, select, table, text, true
from sqlalchemy.orm import Session

from partners_api.db import in_chunks
from partners_api.organizations.models import Organization
from partners_api.text import fold

FTS_TABLE = "organizations_fts"
TRIGRAM_INDEX = "ix_organizations_search_text_trgm"
TRIGRAM = 3
FTS_INSERT_TRIGGER = "organizations_fts_insert"

_fts = table(FTS_TABLE, column("rowid"), column("search_text"))


def matching(session: Session, q: str) -> ColumnElement[bool]:
    """A condition on organizations: each word of q, folded, occurs in their search_text."""
    words = words_of(q)
    if session.get_bind().dialect.name != "sqlite":
        return and_(true(), *(_contains(word) for word in words))
    indexed = [word for word in words if len(word) >= TRIGRAM]
    clauses = [_contains(word) for word in words if not _fts_decides(word)]
    if indexed:
        clauses.insert(0, Organization.id.in_(_fts_rowids(indexed)))
    return and_(true(), *clauses)


def words_of(q: str) -> list[str]:
    """The folded words of q, each of which an organization's search_text must hold."""
    return fold(q).split()


@contextmanager
def indexed_in_bulk(session: Session, ids: Sequence[int]) -> Iterator[None]:
    """Organizations inserted inside, of these ids, enter the SQLite FTS5 table in one
    statement per batch after the inserts rather than by its insert trigger row by row:
    five times faster, the same FTS5 rows. The trigger is dropped and made again in the
    caller's transaction, so nothing else ever sees the table without it."""
    trigger = None
    if session.get_bind().dialect.name == "sqlite":
        trigger = session.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": FTS_INSERT_TRIGGER},
        )
    if trigger is None:
        yield
        return
    session.execute(text(f"DROP TRIGGER {FTS_INSERT_TRIGGER}"))
    try:
        yield
        rows = select(Organization.id, Organization.search_text)
        for chunk in in_chunks(sorted(ids)):
            session.execute(
                _fts.insert().from_select(
                    ["rowid", "search_text"], rows.where(Organization.id.in_(chunk))
                )
            )
    finally:
        session.execute(text(trigger))


def _fts_decides(word: str) -> bool:
    return len(word) >= TRIGRAM and word.isascii()


def _fts_rowids(words: list[str]) -> Select:
    """Rowids (organization ids) of the FTS5 rows holding every word."""
    phrases = " ".join(_fts_string(word) for word in words)
    return select(_fts.c.rowid).where(_fts.c.search_text.match(phrases))


def _contains(word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Organization.search_text.like(f"%{escaped}%", escape="\\")


def _fts_string(word: str) -> str:
    """The word as an FTS5 string: everything in it literal, inner quotes doubled."""
    return '"' + word.replace('"', '""') + '"'


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic's name filter: the search indexes are made by migration, not by the models.

    Leaves out the FTS5 table and its shadow tables (SQLite) and the trigram index
    (PostgreSQL), so that autogenerate neither drops them nor reports them.
    """
    if type_ == "table" and name is not None:
        return name != FTS_TABLE and not name.startswith(f"{FTS_TABLE}_")
    if type_ == "index":
        return name != TRIGRAM_INDEX
    return True
