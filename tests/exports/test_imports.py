"""Bulk import: upsert by slug, dry runs, all-or-nothing errors, and a faithful round trip."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from partners_api import create_app
from partners_api.cli import cli
from partners_api.db import database
from partners_api.keys import service as keys
from partners_api.ops.service import alembic_config
from tests.helpers import bearer, total

URL = "/api/v1/imports/organizations"
NEW = {
    "slug": "imported-lab",
    "name": "Imported Lab",
    "sector": "academia",
    "country": "NG",
    "offers": ["ai-safety"],
    "languages": ["en", "yo"],
}


def post(client, key, body, **params):
    return client.post(URL, json=body, headers=bearer(key), query_string=params)


def test_create_update_and_unchanged_by_slug(client, admin_key):
    before = total(client)
    uk = client.get("/api/v1/organizations/uk-aisi").json
    rows = [
        NEW,
        {
            "slug": "uk-aisi",
            "name": uk["name"],
            "sector": uk["sector"],
            "country": uk["country"],
            "city": "Birmingham",
        },
        {
            "slug": "us-caisi",
            "name": client.get("/api/v1/organizations/us-caisi").json["name"],
            "sector": "ai_safety_institute",
            "country": "US",
        },
    ]
    report = post(client, admin_key, rows)
    assert report.status_code == 200
    assert report.json == {
        "dry_run": False,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "errors": [],
    }
    assert total(client) == before + 1
    assert client.get("/api/v1/organizations/uk-aisi").json["city"] == "Birmingham"
    created = client.get("/api/v1/organizations/imported-lab").json
    assert created["languages"] == ["en", "yo"] and "western-africa" in created["regions"]
    history = client.get("/api/v1/organizations/imported-lab/history").json
    assert history[0]["action"] == "created"


def test_a_dry_run_reports_and_writes_nothing(client, admin_key):
    before = total(client)
    report = post(client, admin_key, [NEW], dry_run="true")
    assert report.status_code == 200 and report.json["created"] == 1
    assert report.json["dry_run"] is True
    assert total(client) == before
    assert client.get("/api/v1/organizations/imported-lab").status_code == 404


def test_any_error_is_422_with_every_error_and_nothing_written(client, admin_key):
    before = total(client)
    rows = [
        NEW,
        {"name": "", "sector": "bank", "country": "XX"},
        {**NEW, "slug": "other", "offers": ["alchemy"], "operating_regions": ["mars"]},
        {**NEW, "name": "Twice"},
    ]
    report = post(client, admin_key, rows)
    assert report.status_code == 422
    errors = {(e["row"], e["field"]) for e in report.json["errors"]}
    assert {
        (2, "name"),
        (2, "sector"),
        (2, "country"),
        (3, "offers"),
        (3, "operating_regions"),
        (4, "slug"),
    } <= errors
    assert total(client) == before


def test_csv_in_the_export_columns(client, admin_key):
    csv = (
        "slug,name,sector,country,languages,offers,open_to_dialogue,founded_year,"
        "external_ids\r\ncsv-lab,'=Formula Lab,academia,KE,en;sw,red-teaming;alignment,"
        "false,2001,wikidata=Q42\r\n"
    )
    response = client.post(URL, data=csv, content_type="text/csv", headers=bearer(admin_key))
    assert response.status_code == 200, response.json
    made = client.get("/api/v1/organizations/csv-lab").json
    assert made["name"] == "=Formula Lab" and made["offers"] == ["alignment", "red-teaming"]
    assert made["open_to_dialogue"] is False and made["founded_year"] == 2001
    assert made["external_ids"] == {"wikidata": "Q42"}


def test_a_csv_header_with_columns_the_export_lacks_is_refused(client, admin_key):
    # Even without rows: a file in other columns is not an export, and nothing is imported.
    for csv in ("{}", "slug,name,colour\r\n", "slug,name,colour\r\nx-lab,X Lab,red\r\n"):
        response = client.post(URL, data=csv, content_type="text/csv", headers=bearer(admin_key))
        assert response.status_code == 422, csv
        assert response.json["code"] == "unknown_column"
        assert list(response.json["errors"]) == ["_header"]
    empty = client.post(
        URL, data="slug,name\r\n", content_type="text/csv", headers=bearer(admin_key)
    )
    assert empty.status_code == 200 and empty.json["created"] == 0


def test_imports_are_admin_only_and_checked(client, make_key):
    key = make_key(["read:contacts"])
    assert post(client, key, [NEW]).status_code == 403
    admin = make_key(["admin"])
    bad = client.post(URL, data="{", content_type="application/json", headers=bearer(admin))
    assert bad.status_code == 400
    assert post(client, admin, {"not": "a list"}).status_code == 422
    assert (
        client.post(URL, data="x", content_type="text/plain", headers=bearer(admin)).status_code
        == 415
    )


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A second, empty database of the same kind, migrated to head."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        schema = f"roundtrip_{uuid.uuid4().hex[:8]}"
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{database_url}?options=-csearch_path%3D{schema}"
    command.upgrade(alembic_config(url), "head")
    yield url
    if not database_url.startswith("sqlite"):
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def test_an_export_imported_into_an_empty_database_exports_the_same(
    client, admin_key, empty_database_url
):
    exported = client.get(
        "/api/v1/exports/organizations", query_string={"format": "csv"}, headers=bearer(admin_key)
    ).data
    other = create_app({"DATABASE_URL": empty_database_url, "RATELIMIT_ENABLED": False})
    with other.app_context(), database().session() as session:
        other_admin = keys.create_key(session, name="round trip", scopes=["admin"]).secret
    other_client = other.test_client()
    # Closing each answer ends its request, and with it the request's database session.
    with other_client.post(
        URL, data=exported, content_type="text/csv", headers=bearer(other_admin)
    ) as report:
        assert report.status_code == 200, report.json
        assert report.json["created"] == exported.count(b"\r\n") - 1
    with other_client.get(
        "/api/v1/exports/organizations", query_string={"format": "csv"}, headers=bearer(other_admin)
    ) as response:
        again = response.data
    other.extensions["partners_db"].engine.dispose()
    assert again == exported


def test_cli_export_and_import(database_url, tmp_path):
    runner = CliRunner()
    target = tmp_path / "organizations.csv"
    env = {"DATABASE_URL": database_url}
    exported = runner.invoke(cli, ["export", "organizations", "-o", str(target)], env=env)
    assert exported.exit_code == 0, exported.output
    assert target.read_bytes().startswith(b"id,slug,name")
    checked = runner.invoke(cli, ["import", "organizations", str(target), "--dry-run"], env=env)
    assert checked.exit_code == 0, checked.output
    assert "0 created, 0 updated" in checked.output and "importing" not in checked.output
