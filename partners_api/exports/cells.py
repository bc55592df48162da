"""SQL that renders export cells in the database, alike on SQLite and PostgreSQL.

The CSV and XLSX exports ask the database for finished cells (lists joined and sorted,
times in ISO 8601, text made formula-safe), so Python only writes rows it is handed. The
CSV export goes further: the database writes each whole line, quoted as csv.writer quotes
(RFC 4180), as UTF-8 bytes, so Python only joins lines into chunks.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.expression import FromClause, Subquery

from partners_api.exports.formats import FORMULA_STARTS

SEPARATOR = ";"
LINE_END = "\r\n"


FORMULA_CODES = tuple(ord(start) for start in FORMULA_STARTS)


def formula_safe(text: ColumnElement, dialect: str) -> ColumnElement:
    """Text prefixed with a quote where a spreadsheet would run it as a formula (OWASP)."""
    first = func.ascii(text) if dialect == "postgresql" else func.unicode(text)
    return case((first.in_(FORMULA_CODES), literal("'") + text), else_=text)


def boolean_text(flag: ColumnElement) -> ColumnElement:
    """'true', 'false', or nothing."""
    return case((flag.is_(True), "true"), (flag.is_(False), "false"))


def iso_utc(moment: ColumnElement, dialect: str) -> ColumnElement:
    """A UTC timestamp as Python's isoformat() writes it: 2026-01-02T03:04:05.123456+00:00."""
    if dialect == "postgresql":
        text = func.to_char(func.timezone("UTC", moment), 'YYYY-MM-DD"T"HH24:MI:SS.US')
    else:  # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
        text = cast(moment, String)
    return func.replace(func.replace(text, ".000000", ""), " ", "T") + "+00:00"


def _sorted_joined(value: ColumnElement) -> ColumnElement:
    """PostgreSQL's aggregate of values sorted by code point, ';'-joined."""
    return func.string_agg(value, aggregate_order_by(literal(SEPARATOR), value.collate("C")))


def joined_sorted(
    value: ColumnElement, *where: ClauseElement, outer: FromClause, dialect: str
) -> ColumnElement:
    """Values related to the current row of `outer`, sorted by code point, ';'-joined."""
    if dialect == "postgresql":
        return select(_sorted_joined(value)).where(*where).scalar_subquery()
    # SQLite before 3.44 has no ORDER BY inside an aggregate; it keeps a subquery's order.
    inner = select(value.label("value")).where(*where).order_by(value).correlate(outer)
    inner = inner.subquery()
    return select(func.group_concat(inner.c.value, SEPARATOR)).scalar_subquery()


def lists_side_by_side(
    value: ColumnElement,
    kind: ColumnElement,
    kinds: tuple[str, str],
    *where: ClauseElement,
    outer: FromClause,
    dialect: str,
) -> ColumnElement:
    """Two lists of related values, those of each kind sorted by code point and ';'-joined,
    as two CSV fields ('a;b,c'), read in one subquery. The values must need no quoting."""
    if dialect == "postgresql":
        lists = [_sorted_joined(value).filter(kind == k) for k in kinds]
        return select(side_by_side(*lists)).where(*where).scalar_subquery()
    # SQLite before 3.44 has no ORDER BY inside an aggregate; it keeps a subquery's order.
    inner = select(value.label("value"), kind.label("kind")).where(*where).order_by(value)
    inner = inner.correlate(outer).subquery()
    # group_concat skips the NULL that CASE gives values of the other kind.
    lists = [func.group_concat(case((inner.c.kind == k, inner.c.value)), SEPARATOR) for k in kinds]
    return select(side_by_side(*lists)).scalar_subquery()


def grouped_lists(
    owner: ColumnElement, value: ColumnElement, *where: ClauseElement, kind=None, kinds=()
) -> Subquery:
    """On PostgreSQL, each owner's related values sorted by code point and ';'-joined, in
    one pass over the rows `where` selects: columns `owner` and `list`, or with `kind`,
    one list column per name in `kinds` (lists of the values of that kind). An owner
    without values has no row."""
    if kind is None:
        lists = [_sorted_joined(value).label("list")]
    else:
        lists = [_sorted_joined(value).filter(kind == k).label(k) for k in kinds]
    return select(owner.label("owner"), *lists).where(*where).group_by(owner).subquery()


def side_by_side(first: ColumnElement, second: ColumnElement) -> ColumnElement:
    """Two lists as two CSV fields, either maybe empty."""
    return func.coalesce(first, "") + literal(",") + func.coalesce(second, "")


def pairs_joined(
    mapping: ColumnElement, *, outer: FromClause, dialect: str, finish=lambda text: text
) -> ColumnElement:
    """A JSON object of strings as 'key=value' pairs sorted by key, ';'-joined, then finished
    by `finish` inside the subquery (which then runs once)."""
    if dialect == "postgresql":
        pairs = func.json_each_text(mapping).table_valued("key", "value")
        ordered = aggregate_order_by(literal(SEPARATOR), pairs.c.key.collate("C"))
        joined = select(finish(func.string_agg(pairs.c.key + "=" + pairs.c.value, ordered)))
    else:
        pairs = func.json_each(mapping).table_valued("key", "value")
        inner = select((pairs.c.key + "=" + pairs.c.value).label("pair")).order_by(pairs.c.key)
        inner = inner.correlate(outer).subquery()
        joined = select(finish(func.group_concat(inner.c.pair, SEPARATOR)))
    # Most organizations have none: skip the JSON walk for them.
    return case((cast(mapping, String) == "{}", None), else_=joined.scalar_subquery())


# csv.writer's QUOTE_MINIMAL quotes a field holding the delimiter, the quote or a line end.
QUOTED_CHARACTERS = ('"', ",", "\r", "\n")


def csv_field(
    text: ColumnElement, dialect: str, *, checked: ColumnElement | None = None
) -> ColumnElement:
    """Text as csv.writer writes a field: quoted, quotes doubled, only where it must be.

    `checked` is a cheaper expression holding the same quoted characters as `text`.
    """
    checked = text if checked is None else checked
    # Four plain searches scan faster than one character class (SQLite's GLOB, and
    # PostgreSQL's regular expression, which took about a fifth of its export's work).
    find = func.strpos if dialect == "postgresql" else func.instr
    special = or_(*(find(checked, literal(c)) > 0 for c in QUOTED_CHARACTERS))
    if dialect == "postgresql":
        quoted = literal('"') + func.replace(text, '"', '""') + literal('"')
    else:  # printf's %w doubles double quotes, in one allocation
        quoted = func.printf(literal('"%w"'), text)
    return case((special, quoted), else_=text)


def csv_line(fields: list[ColumnElement], dialect: str) -> ColumnElement:
    """Fields joined with commas into one line ended with CRLF, NULL as empty."""
    # format() and printf() write NULL as empty and build the line in one allocation.
    pattern = literal(",".join(["%s"] * len(fields)) + LINE_END)
    return (
        func.format(pattern, *fields) if dialect == "postgresql" else func.printf(pattern, *fields)
    )


def csv_lines(
    line: ColumnElement, key: ColumnElement, *where: ClauseElement, dialect: str
) -> Select:
    """How many rows, and their lines (see csv_line) in the order of `key` as UTF-8 bytes:
    one value for a batch, which the driver reads without holding the GIL."""
    if dialect == "postgresql":
        joined = func.string_agg(line, aggregate_order_by(literal(""), key))
        return select(func.count(), func.convert_to(joined, "UTF8")).where(*where)
    # SQLite before 3.44 has no ORDER BY inside an aggregate; it keeps a subquery's order.
    inner = select(line.label("line")).where(*where).order_by(key).subquery()
    return select(func.count(), cast(func.group_concat(inner.c.line, literal("")), LargeBinary))
