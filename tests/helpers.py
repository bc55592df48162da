"""Small helpers shared by the HTTP tests."""

from __future__ import annotations

import csv
import io
import json

from partners_api.db import database
from partners_api.exports import readers, service
from partners_api.exports.service import organization_columns, organization_rows


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


def org_id(client, slug: str) -> int:
    """The id of an organization of the demo directory."""
    response = client.get(f"/api/v1/organizations/{slug}")
    assert response.status_code == 200, slug
    return response.json["id"]


def total(client, **query) -> int:
    """How many organizations a list query matches: the total of its X-Pagination header."""
    response = client.get("/api/v1/organizations", query_string={"page_size": 1, **query})
    assert response.status_code == 200, (query, response.json)
    return json.loads(response.headers["X-Pagination"])["total"]


def new_organization(client, admin_key: str, name: str, **fields) -> dict:
    """Create an organization (in the test's transaction) and return it."""
    body = {"name": name, "sector": "civil_society", "country": "KE", **fields}
    response = client.post("/api/v1/organizations", json=body, headers=bearer(admin_key))
    assert response.status_code == 201, response.json
    return response.json


def link(client, key: str, a: int, b: int, kind: str = "research", **fields):
    """Propose (or, with an admin key and status, record) a link; returns the response."""
    body = {"proposer_id": a, "partner_id": b, "kind": kind, **fields}
    return client.post("/api/v1/partnerships", json=body, headers=bearer(key))


def exports_in_turns(app, monkeypatch, filters: dict) -> tuple[list[int], list[bytes]]:
    """The CSV export read by one, two and three connections in turns, in small batches:
    how many connections read each, and the bodies."""
    monkeypatch.setattr(service, "BATCH", 7)  # many batches, read in turns
    used = []
    in_turns = readers.in_turns

    def counted(sessions, read, parts):
        used.append(len(sessions))
        return in_turns(sessions, read, parts)

    monkeypatch.setattr(readers, "in_turns", counted)
    bodies = []
    for count in (1, 2, 3):
        monkeypatch.setattr(readers, "READERS", count)
        with app.test_client().get(
            "/api/v1/exports/organizations", query_string={"format": "csv", **filters}
        ) as response:
            bodies.append(response.data)
    return used, bodies


def csv_writer_export(app, filters: dict, *, contacts: bool = False) -> bytes:
    """The organizations export as csv.writer writes the cells organization_rows reads: what
    the database-written CSV export must equal byte for byte."""
    with app.app_context(), database().session() as session:
        written = io.StringIO()
        writer = csv.writer(written, lineterminator="\r\n")
        writer.writerow(organization_columns(contacts=contacts))
        writer.writerows(organization_rows(session, filters=filters, contacts=contacts))
    return written.getvalue().encode()
