"""Names in every language: written and read through the API, found by `q`, migrated."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from partners_api.ops.service import alembic_config
from tests.helpers import bearer
from tests.servers import fresh_database

URL = "/api/v1/organizations"
ALIASES = [
    {"value": "Institut de sécurité nordique", "lang": "fr", "types": ["alias"]},
    {"value": "Московский институт безопасности ИИ", "lang": "ru", "types": ["alias"]},
    {"value": "Ινστιτούτο Ασφάλειας", "lang": "el", "types": ["alias", "label"]},
]


def create(client, key, **fields):
    body = {"name": "Northern Safety Institute", "sector": "government", "country": "GB"}
    response = client.post(URL, json={**body, **fields}, headers=bearer(key))
    assert response.status_code == 201, response.json
    return response


def found(client, q: str) -> list[str]:
    response = client.get(URL, query_string={"q": q, "page_size": 100})
    assert response.status_code == 200, response.json
    return [item["slug"] for item in response.json]


def test_names_are_written_and_read_with_the_name_and_acronym_among_them(client, admin_key):
    created = create(client, admin_key, acronym="NSI", names=ALIASES).json
    assert created["names"][:2] == [
        {"value": "Northern Safety Institute", "lang": None, "types": ["label"]},
        {"value": "NSI", "lang": None, "types": ["acronym"]},
    ]
    assert created["names"][2:] == ALIASES
    assert client.get(f"{URL}/{created['id']}").json["names"] == created["names"]
    listed = client.get(URL, query_string={"q": "northern safety"}).json
    assert listed[0]["names"] == created["names"]


def test_a_new_name_or_acronym_takes_the_old_ones_place(client, admin_key):
    response = create(client, admin_key, acronym="NSI", names=ALIASES[:1])
    url, etag = response.headers["Location"], response.headers["ETag"]
    patched = client.patch(
        url,
        json={"name": "Northern AI Security Institute", "acronym": None},
        headers={**bearer(admin_key), "If-Match": etag},
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["names"] == [
        {"value": "Northern AI Security Institute", "lang": None, "types": ["label"]},
        ALIASES[0],
    ]
    history = client.get(f"{url}/history").json
    assert set(history[0]["fields"]) == {"name", "acronym", "names"}


def test_names_given_on_a_patch_replace_the_list(client, admin_key):
    response = create(client, admin_key, names=ALIASES)
    patched = client.patch(
        response.headers["Location"],
        json={"names": [{"value": "NSI UK", "types": ["alias", "alias"]}]},
        headers={**bearer(admin_key), "If-Match": response.headers["ETag"]},
    )
    assert patched.json["names"] == [
        {"value": "Northern Safety Institute", "lang": None, "types": ["label"]},
        {"value": "NSI UK", "lang": None, "types": ["alias"]},
    ]


@pytest.mark.parametrize(
    ("names", "field"),
    [
        ([{"value": "X", "types": ["nickname"]}], "names.0.types.0"),
        ([{"value": "X", "types": []}], "names.0.types"),
        ([{"value": "X", "lang": "xx", "types": ["alias"]}], "names.0.lang"),
        ([{"value": " ", "types": ["alias"]}], "names.0.value"),
        ([{"value": "bell \x07", "types": ["alias"]}], "names.0.value"),
        ([{"types": ["alias"]}], "names.0.value"),
        ([{"value": f"N{i}", "types": ["alias"]} for i in range(51)], "names"),
    ],
)
def test_bad_names_are_a_422_naming_the_field(client, admin_key, names, field):
    body = {"name": "Bad Names", "sector": "media", "country": "FR", "names": names}
    response = client.post(URL, json=body, headers=bearer(admin_key))
    assert response.status_code == 422
    assert field in response.json["errors"], response.json


@pytest.mark.parametrize(
    "q",
    [
        "Institut de sécurité",
        "institut de securite nordique",  # accents and case
        "Московский",  # its own script
        "moskovskiy institut",  # Cyrillic found by its Latin transliteration
        "institoyto asfaleias",  # Greek found by its Latin transliteration
        "NSI",
    ],
)
def test_q_finds_an_organization_by_any_of_its_names(client, admin_key, q):
    create(client, admin_key, acronym="NSI", names=ALIASES)
    assert "northern-safety-institute" in found(client, q)


def test_the_migration_carries_names_and_acronyms_over(tmp_path):
    with fresh_database("partners_names", tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, "0007")
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organizations (id, slug, name, acronym, sector, description,"
                    " country_code, open_to_dialogue, external_ids, status, sort_name,"
                    " search_text, created_at, updated_at, version) VALUES"
                    " (1, 'kiev-lab', 'Київська лабораторія', 'KL', 'academia', 'Data.',"
                    " 'UA', true, '{}', 'active', '', '', :now, :now, 1)"
                ),
                {"now": "2025-01-01 00:00:00+00:00"},
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            names, searchable = connection.execute(
                text("SELECT names, search_text FROM organizations WHERE id = 1")
            ).one()
        engine.dispose()
    names = json.loads(names) if isinstance(names, str) else names
    assert names == [
        {"value": "Київська лабораторія", "lang": None, "types": ["label"]},
        {"value": "KL", "lang": None, "types": ["acronym"]},
    ]
    assert "laboratoriya" in searchable and "data." in searchable
