"""Exports open in the tools analysts use: pandas, openpyxl, networkx."""

from __future__ import annotations

import csv
import io
import json
from array import array

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from partners_api.exports import service
from partners_api.exports.formats import safe_cell
from partners_api.exports.service import organization_columns
from partners_api.organizations.models import SECTORS
from tests.helpers import bearer, csv_writer_export, new_organization, total

URL = "/api/v1/exports"
FORMULA = '=HYPERLINK("http://x","y")'


def export(client, path, **params):
    response = client.get(f"{URL}/{path}", query_string=params)
    assert response.status_code == 200, response.data[:300]
    return response


def test_csv_reads_back_with_the_right_rows_and_types(client):
    response = export(client, "organizations", format="csv", region="africa")
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="partners-organizations-20')
    frame = pd.read_csv(io.BytesIO(response.data))
    assert len(frame) == total(client, region="africa")
    assert frame["id"].dtype.kind == "i" and frame["open_to_dialogue"].dtype == bool
    assert "contact_email" not in frame.columns
    first = frame.iloc[0]
    listed = client.get(f"/api/v1/organizations/{first['id']}").json
    assert first["operating_regions"] == ";".join(listed["operating_regions"])
    assert first["offers"] == ";".join(listed["offers"])
    assert response.data.count(b"\r\n") == len(frame) + 1


def test_a_formula_is_exported_harmlessly(client, admin_key):
    new_organization(client, admin_key, FORMULA, description="-2+3", founded_year=1999)
    response = export(client, "organizations", format="csv", q="hyperlink")
    frame = pd.read_csv(io.BytesIO(response.data))
    assert frame.loc[0, "name"] == "'" + FORMULA
    assert frame.loc[0, "description"] == "'-2+3"
    assert frame.loc[0, "founded_year"] == 1999  # numbers stay numbers
    workbook = openpyxl.load_workbook(
        io.BytesIO(export(client, "organizations", format="xlsx", q="hyperlink").data)
    )
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("name")] == "'" + FORMULA
    assert sheet.cell(2, header.index("name") + 1).data_type == "s"
    assert row[header.index("founded_year")] == 1999


def test_csv_agrees_with_json_on_every_cell(client, admin_key):
    """The database renders CSV cells; Python renders JSON: both must say the same."""
    new_organization(
        client,
        admin_key,
        "+Plus Lab",
        acronym="@PL",
        city="-Minus",
        offers=["red-teaming", "alignment", "ai-safety"],
        languages=["sw", "en", "fr"],
        external_ids={"wikidata": "Q42", "ror": "0abcde123"},
        contact_email="lab@example.org",
        open_to_dialogue=False,
    )
    files = {}
    for export_format in ("csv", "json"):
        with client.get(
            f"{URL}/organizations",
            query_string={"format": export_format},
            headers=bearer(admin_key),
        ) as response:
            files[export_format] = response.data.decode()
    rows = list(csv.DictReader(io.StringIO(files["csv"])))
    records = json.loads(files["json"])
    assert len(rows) == len(records) == total(client)
    for row, record in zip(rows, records, strict=True):
        assert json.loads(row.pop("names")) == record["names"]
        assert row == {name: expected_cell(record[name]) for name in row}
    made = next(row for row in rows if row["name"] == "'+Plus Lab")
    assert (made["acronym"], made["city"]) == ("'@PL", "'-Minus")
    assert made["offers"] == "ai-safety;alignment;red-teaming"
    assert made["external_ids"] == "ror=0abcde123;wikidata=Q42"


@pytest.mark.parametrize("filters", [{}, {"language": ["en", "fr"]}])
def test_csv_is_written_as_csv_writer_writes_the_cells(
    app, client, admin_key, monkeypatch, filters
):
    """The database writes whole CSV lines: byte for byte what csv.writer makes of the cells,
    in batches (here of three), filtered or not."""
    monkeypatch.setattr(service, "BATCH", 3)
    new_organization(
        client,
        admin_key,
        'The "Quoted", Comma Lab',
        acronym="=Q,L",
        description='Line one,\r\nline "two"\nthree\rfour; 100% done',
        city="Dar es Salaam, Kariakoo",
        website="https://example.org/a,b",
        external_ids={"wikidata": "Q42"},
        languages=["fr", "en"],
        contact_email="lab@example.org",
    )
    new_organization(client, admin_key, "-minus", description="Ünïcödé ✓, 漢字")
    for headers, contacts in (({}, False), (bearer(admin_key), True)):
        with client.get(
            f"{URL}/organizations", query_string={"format": "csv", **filters}, headers=headers
        ) as response:
            body = response.data
        assert body == csv_writer_export(app, filters, contacts=contacts)
    assert body.count(b"\r\n") > 3 * service.BATCH
    assert b'"Line one,\r\nline ""two""\nthree\rfour; 100% done"' in body
    assert b'"\'=Q,L"' in body


@pytest.mark.database_independent
def test_a_batch_is_read_by_its_id_range_when_few_of_its_ids_are_left_out():
    """The filtered tests above read batches of both kinds (see test_readers too)."""
    assert service.batch_of(array("q", [5, 6, 8, 9])) == {
        "first": 5,
        "after": 10,
        "excluded": array("q", [7]),
    }
    assert service.batch_of(array("q", [1, 2, 3])) == {
        "first": 1,
        "after": 4,
        "excluded": array("q"),
    }
    assert service.batch_of(array("q", [1, 5, 9])) == {"ids": array("q", [1, 5, 9])}


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json", "ndjson"])
def test_an_export_of_nothing_is_a_file_without_rows(client, export_format):
    response = export(client, "organizations", format=export_format, q="nothing-matches-this")
    if export_format == "csv":
        assert response.data == ",".join(organization_columns(contacts=False)).encode() + b"\r\n"
    elif export_format == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(response.data)).active.max_row == 1
    elif export_format == "json":
        assert json.loads(response.data) == []
    else:
        assert response.data == b""


def expected_cell(value) -> str:
    """A JSON value as the CSV should write it."""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in sorted(value.items()))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return safe_cell(value) if isinstance(value, str) else str(value)


def test_json_and_ndjson(client):
    records = json.loads(export(client, "organizations", format="json").data)
    assert len(records) == total(client) and isinstance(records[0]["offers"], list)
    frame = pd.read_json(
        io.BytesIO(export(client, "organizations", format="ndjson").data), lines=True
    )
    assert len(frame) == total(client) and frame["id"].dtype.kind == "i"
    assert frame["id"].tolist() == sorted(frame["id"])


@pytest.mark.parametrize("export_format", ["json", "ndjson"])
def test_records_read_in_small_batches_are_the_same(client, monkeypatch, export_format):
    whole = export(client, "organizations", format=export_format, sector="academia").data
    monkeypatch.setattr(service, "BATCH", 2)
    batched = export(client, "organizations", format=export_format, sector="academia").data
    assert batched == whole and whole.count(b'"slug"') > 3 * service.BATCH


def test_xlsx_opens_with_every_row(client):
    response = export(client, "organizations", format="xlsx", sector="academia")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == total(client, sector="academia") + 1


def test_contacts_only_for_admin(client, admin_key):
    new_organization(client, admin_key, "With Contact", contact_email="hello@example.org")
    anonymous = export(client, "organizations", q="with contact")
    assert b"hello@example.org" not in anonymous.data
    admin = client.get(
        f"{URL}/organizations", query_string={"q": "with contact"}, headers=bearer(admin_key)
    )
    assert b"hello@example.org" in admin.data


def test_partnerships_export_and_filters(client):
    frame = pd.read_csv(io.BytesIO(export(client, "partnerships", format="csv").data))
    listed = json.loads(client.get("/api/v1/partnerships").headers["X-Pagination"])["total"]
    assert len(frame) == listed and frame["proposer_id"].dtype.kind == "i"
    active = pd.read_json(
        io.BytesIO(export(client, "partnerships", format="ndjson", status="active").data),
        lines=True,
    )
    assert set(active["status"]) == {"active"}


@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_network_loads_in_networkx(client, kind, tmp_path):
    path = tmp_path / f"network.{kind}"
    path.write_bytes(export(client, "network", format=kind).data)
    graph = nx.read_graphml(path) if kind == "graphml" else nx.read_gexf(path)
    assert graph.number_of_nodes() == total(client)
    sector = next(iter(graph.nodes(data=True)))[1]["sector"]
    assert sector in SECTORS
    weights = [d["weight"] for _, _, d in graph.edges(data=True)]
    assert weights and all(w >= 0.5 for w in weights) and max(weights) >= 1


def test_network_json_is_node_link(client):
    data = json.loads(export(client, "network", format="json").data)
    graph = nx.node_link_graph(data, edges="edges")
    assert graph.number_of_nodes() == total(client) and graph.number_of_edges() > 80


def test_datapackage_describes_the_csv(client):
    package = export(client, "datapackage.json").json
    resources = {r["name"]: r for r in package["resources"]}
    for name in ("organizations", "partnerships"):
        resource = resources[name]
        path = resource["path"].split("/api/v1/exports/")[1]
        csv_bytes = client.get(f"{URL}/{path}").data
        frame = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False)
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(frame.columns)
        for field in fields:
            values = [v for v in frame[field["name"]] if v]
            if field["type"] == "integer":
                assert all(v.lstrip("-").isdigit() for v in values), field["name"]
            if field["type"] == "boolean":
                assert set(values) <= {"true", "false"}


def test_exports_validate_filters_and_cap_size(app, client):
    assert client.get(f"{URL}/organizations", query_string={"format": "pdf"}).status_code == 422
    assert client.get(f"{URL}/organizations", query_string={"region": "mars"}).status_code == 422
    limit = app.config["EXPORT_MAX_ROWS"]
    app.config["EXPORT_MAX_ROWS"] = 5
    try:
        assert client.get(f"{URL}/organizations").status_code == 413
    finally:
        app.config["EXPORT_MAX_ROWS"] = limit
