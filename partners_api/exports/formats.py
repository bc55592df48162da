"""Streaming writers: each turns rows into chunks of bytes without holding the whole file."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (OWASP): prefix a quote.

    Numbers stay numbers; only text starting with = + - @ tab or carriage return changes.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """Undo safe_cell on a value read back from a CSV file."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _cell(value: Any) -> Any:
    """A value as a CSV or spreadsheet cell: formula-safe text, numbers left as numbers."""
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(str(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8 with one header row, formula-safe, in chunks of rows."""
    return finished_csv_chunks(header, ([_cell(v) for v in row] for row in rows))


def finished_csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV of rows whose cells are already formula-safe text, numbers or None (empty)."""
    return csv_batch_chunks(header, _csv_row_chunks(rows))


def csv_batch_chunks(header: Sequence[str], batches: Iterable[bytes]) -> Iterator[bytes]:
    """CSV from a header and batches of finished lines in UTF-8, each ended with CRLF."""
    yield from _csv_row_chunks([header])
    yield from batches


def _csv_row_chunks(rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Rows as csv.writer writes them, in UTF-8, CHUNK_ROWS to a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    remaining = iter(rows)
    while batch := list(itertools.islice(remaining, CHUNK_ROWS)):
        writer.writerows(batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_chunks(records: Iterable[dict]) -> Iterator[bytes]:
    """A JSON array written record by record."""
    parts, first = ["["], True
    for n, record in enumerate(records, start=1):
        parts.append(
            ("" if first else ",")
            + "\n"
            + json.dumps(record, ensure_ascii=False, default=_json_default)
        )
        first = False
        if n % CHUNK_ROWS == 0:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode()


def ndjson_chunks(records: Iterable[dict]) -> Iterator[bytes]:
    """One JSON object per line."""
    parts = []
    for n, record in enumerate(records, start=1):
        parts.append(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")
        if n % CHUNK_ROWS == 0:
            yield "".join(parts).encode()
            parts = []
    yield "".join(parts).encode()


def xlsx_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """An XLSX workbook built in write-only mode in a temporary file, then streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organizations")
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as saved:
            while chunk := saved.read(1 << 16):
                yield chunk
    finally:
        os.unlink(path)


# --- graphs ------------------------------------------------------------------------------

NODE_ATTRIBUTES = (
    ("slug", "string"),
    ("name", "string"),
    ("sector", "string"),
    ("country", "string"),
    ("continent", "string"),
)


def graphml_chunks(nodes: Iterable[dict], edges: Iterable[dict]) -> Iterator[bytes]:
    """GraphML with node attributes and weighted, undirected edges."""
    keys = "".join(
        f'<key id="{name}" for="node" attr.name="{name}" attr.type="{kind}"/>'
        for name, kind in NODE_ATTRIBUTES
    )
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        f'{keys}<key id="weight" for="edge" attr.name="weight" attr.type="double"/>'
        '<key id="kinds" for="edge" attr.name="kinds" attr.type="string"/>\n'
        '<graph id="partners" edgedefault="undirected">\n'
    ).encode()
    yield from _batched(
        f'<node id="{n["id"]}">'
        + "".join(
            f'<data key="{name}">{escape(str(n[name] or ""))}</data>' for name, _ in NODE_ATTRIBUTES
        )
        + "</node>\n"
        for n in nodes
    )
    yield from _batched(
        f'<edge source="{e["source"]}" target="{e["target"]}">'
        f'<data key="weight">{e["weight"]}</data>'
        f'<data key="kinds">{escape(e["kinds"])}</data></edge>\n'
        for e in edges
    )
    yield b"</graph>\n</graphml>\n"


def gexf_chunks(nodes: Iterable[dict], edges: Iterable[dict]) -> Iterator[bytes]:
    """GEXF 1.3 with node attributes and weighted, undirected edges."""
    attributes = "".join(
        f'<attribute id="{name}" title="{name}" type="string"/>'
        for name, _ in NODE_ATTRIBUTES
        if name != "name"
    )
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
        '<graph mode="static" defaultedgetype="undirected">\n'
        f'<attributes class="node">{attributes}</attributes>\n<nodes>\n'
    ).encode()
    yield from _batched(
        f'<node id="{n["id"]}" label={quoteattr(n["name"])}><attvalues>'
        + "".join(
            f'<attvalue for="{name}" value={quoteattr(str(n[name] or ""))}/>'
            for name, _ in NODE_ATTRIBUTES
            if name != "name"
        )
        + "</attvalues></node>\n"
        for n in nodes
    )
    yield b"</nodes>\n<edges>\n"
    yield from _batched(
        f'<edge id="{i}" source="{e["source"]}" target="{e["target"]}" '
        f'weight="{e["weight"]}" label={quoteattr(e["kinds"])}/>\n'
        for i, e in enumerate(edges)
    )
    yield b"</edges>\n</graph>\n</gexf>\n"


def graph_json_chunks(nodes: Iterable[dict], edges: Iterable[dict]) -> Iterator[bytes]:
    """Node-link JSON, as networkx.node_link_graph reads it."""
    yield b'{"directed": false, "multigraph": false, "graph": {}, "nodes": ['
    yield from _batched(
        ("," if i else "") + json.dumps(n, ensure_ascii=False) for i, n in enumerate(nodes)
    )
    yield b'], "edges": ['
    yield from _batched(
        ("," if i else "") + json.dumps(e, ensure_ascii=False) for i, e in enumerate(edges)
    )
    yield b"]}\n"


def _batched(pieces: Iterable[str]) -> Iterator[bytes]:
    batch = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) == CHUNK_ROWS:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()
