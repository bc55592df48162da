"""The `q` filter: every folded word of q is a substring of an organization's search_text.

The substring index that migration 0007 makes for the dialect finds words of three
characters or more: a pg_trgm GIN index on PostgreSQL, which serves LIKE by itself, and
an FTS5 trigram table on SQLite. On SQLite an ASCII word is matched by FTS5 alone: its
case folding then agrees with LIKE's, since folded text holds no non-ASCII character
that lower-cases to ASCII. Other words keep LIKE too, which decides where FTS5 folds
case more widely than LIKE. Words shorter than a trigram are matched with LIKE alone.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, column, select, table, true
from sqlalchemy.orm import Session

from partners_api.organizations.models import Organization
from partners_api.text import fold

FTS_TABLE = "organizations_fts"
TRIGRAM_INDEX = "ix_organizations_search_text_trgm"
TRIGRAM = 3

_fts = table(FTS_TABLE, column("rowid"), column("search_text"))


def matching(session: Session, q: str) -> ColumnElement[bool]:
    """A condition on organizations: each word of q, folded, occurs in their search_text."""
    words = fold(q).split()
    if session.get_bind().dialect.name != "sqlite":
        return and_(true(), *(_contains(word) for word in words))
    indexed = [word for word in words if len(word) >= TRIGRAM]
    clauses = [_contains(word) for word in words if word not in indexed or not word.isascii()]
    if indexed:
        phrases = " ".join(_fts_string(word) for word in indexed)
        clauses.insert(
            0, Organization.id.in_(select(_fts.c.rowid).where(_fts.c.search_text.match(phrases)))
        )
    return and_(true(), *clauses)


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
