"""`q` finds organizations whose folded text holds every word, through the dialect's index."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from partners_api.db import database
from partners_api.organizations import listing, search, words
from partners_api.organizations import service as organizations
from partners_api.organizations.models import Organization
from partners_api.text import fold
from tests.helpers import bearer, new_organization, total

URL = "/api/v1/organizations"
COUNTRY = "NR"  # no demo organization is in Nauru
TRICKY = {
    "name": "Fondation Écologie Numérique",
    "acronym": "FÉN-ŁÓD",
    "description": (
        'Say "hello" NEAR the OR gate - minus ^caret col:umn star* (open) 100% a_b R&D '
        "{x y} + NOT AND \N{GREEK UPSILON WITH HOOK SYMBOL}psilon back\\slash"
    ),
}
QUERIES = [
    "ecologie",
    "ÉCOLOGIE numérique",
    "olog",  # inside a word
    "fen-łod",  # acronym, non-ASCII, any case
    "FÉN-ŁÓD",
    "fondation open",  # name and description
    "ecologie zzzz",  # one word missing
    "nu",  # shorter than a trigram
    "ec nu",
    "qz",
    "é",
    '"hello"',
    'hello"',
    '"',
    '""',
    '"hello',
    "NEAR",
    "near(the",
    "OR",
    "-",
    "- minus",
    "^caret",
    "^",
    "col:umn",
    ":",
    "star*",
    "*",
    "star**",
    "(open)",
    "100%",
    "%",
    "a_b",
    "_",
    "r&d",
    "{x",
    "+",
    "NOT AND",
    "back\\slash",
    "\\",
    "!!!",
    "...",
    # The hook symbol folds to a capital upsilon, which LIKE tells from the small one.
    "\N{GREEK SMALL LETTER UPSILON}psilon",
    "\N{GREEK CAPITAL LETTER UPSILON}psilon",
]


def found(client, q: str, **filters) -> set[str]:
    response = client.get(URL, query_string={"q": q, "page_size": 100, **filters})
    assert response.status_code == 200, (q, response.json)
    return {o["slug"] for o in response.json}


def searchable(organization: dict) -> str:
    fields = (organization["name"], organization["acronym"], organization["description"])
    return fold(" ".join(filter(None, fields)))


def patch(client, admin_key, organization: dict, **fields) -> dict:
    url = f"{URL}/{organization['id']}"
    etag = client.get(url, headers=bearer(admin_key)).headers["ETag"]
    response = client.patch(url, json=fields, headers={**bearer(admin_key), "If-Match": etag})
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("q", QUERIES)
def test_q_finds_exactly_the_organizations_holding_every_word(client, admin_key, q):
    created = new_organization(client, admin_key, country=COUNTRY, **TRICKY)
    expected = all(word in searchable(created) for word in fold(q).split())
    assert (created["slug"] in found(client, q, country=COUNTRY)) == expected


def test_q_agrees_with_plain_like_on_the_whole_directory(client, admin_key, session):
    new_organization(client, admin_key, country=COUNTRY, **TRICKY)
    every = session.execute(select(Organization.id, Organization.search_text)).all()
    for q in [*QUERIES, "institute", "ai safety", "e"]:
        words = fold(q).split()
        wanted = {i for i, text_ in every if all(word in text_ for word in words)}
        query = select(Organization.id).where(search.matching(session, q))
        assert set(session.scalars(query)) == wanted, q
        index = listing.current_index(session)
        found = index.rows.ids[index.word_index.matching(search.words_of(q))]
        assert set(found.tolist()) == wanted, q


def test_q_reads_name_acronym_and_description(client, admin_key):
    created = new_organization(
        client,
        admin_key,
        name="Quillwort Commons",
        acronym="QWC",
        description="Mangrove restoration.",
        country=COUNTRY,
    )
    for q in ("quillwort", "qwc", "mangrove", "uillwo", "commons qwc restoration"):
        assert found(client, q) == {created["slug"]}, q


def test_q_of_spaces_or_punctuation_alone(client, admin_key):
    assert total(client, q="   ") == total(client)
    assert found(client, "?!") == set()
    created = new_organization(client, admin_key, name="Dots ... and dashes ---")
    assert found(client, "...") == found(client, "---") == {created["slug"]}


def test_a_renamed_organization_is_found_by_its_new_name_only(client, admin_key):
    created = new_organization(client, admin_key, name="Quokka Research Collective")
    assert found(client, "quokka") == {created["slug"]}
    patch(client, admin_key, created, name="Wombat Research Collective", acronym="WRC")
    assert found(client, "quokka") == set() and found(client, "wombat") == {created["slug"]}
    assert found(client, "wrc wombat") == {created["slug"]}
    patch(client, admin_key, created, description="Now studying numbats.")
    assert found(client, "numbat") == {created["slug"]}
    facets = client.get(f"{URL}/facets", query_string={"q": "quokka"}).json
    assert facets["total"] == 0


def test_an_archived_organization_is_found_only_among_the_archived(client, admin_key):
    created = new_organization(client, admin_key, name="Axolotl Heritage Trust")
    url = f"{URL}/{created['id']}"
    etag = client.get(url).headers["ETag"]
    deleted = client.delete(url, headers={**bearer(admin_key), "If-Match": etag})
    assert deleted.status_code == 204
    assert found(client, "axolotl") == set()
    assert found(client, "axolotl", status="archived") == {created["slug"]}
    assert found(client, "axolotl", status=["active", "archived"]) == {created["slug"]}


def test_hostile_q_is_never_a_server_error(client):
    for q in (
        '"',
        '"""',
        "'",
        "NEAR(",
        "a NEAR/3 b",
        "*",
        "^",
        ":",
        "col:",
        "-x",
        "(",
        ")",
        "{}",
        "AND OR NOT",
        "x" * 200,
        "\\" * 200,
        '"' * 200,
        "é" * 200,
        "\u200b\u200b\u200b",
        "\U0001f600\U0001f600\U0001f600",
        "%_%",
    ):
        response = client.get(URL, query_string={"q": q})
        assert response.status_code == 200, q
        assert client.get(f"{URL}/facets", query_string={"q": q}).status_code == 200, q


def test_the_dialect_has_its_substring_index(session):
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        names = set(connection.scalars(text("SELECT name FROM sqlite_master")))
        assert {
            search.FTS_TABLE,
            "organizations_fts_insert",
            "organizations_fts_update",
            "organizations_fts_delete",
        } <= names
        query = select(Organization.id).where(search.matching(session, "climate labs"))
        compiled = query.compile(connection)
        plan = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())
        ).all()
        assert any("VIRTUAL TABLE" in row[-1] for row in plan), plan
    else:
        indexes = {ix["name"] for ix in inspect(connection).get_indexes("organizations")}
        assert search.TRIGRAM_INDEX in indexes


def test_the_index_follows_every_write(session):
    created = organizations.create_organization(
        session,
        data={"name": "Pangolin Watch", "sector": "media", "country": "KE"},
        actor_key_id=None,
    )
    organizations.update_organization(
        session,
        organization=created,
        data={"name": "Pangolin Watch Africa", "description": "Scales."},
        actor_key_id=None,
    )

    def ids(q: str) -> set[int]:
        return set(session.scalars(select(Organization.id).where(search.matching(session, q))))

    assert ids("pangolin africa") == ids("scales") == {created.id}
    session.delete(created)
    session.flush()
    assert ids("pangolin") == set()
    _check_index(session)


def test_the_index_holds_bulk_imports_and_its_trigger_after_them(session):
    def record(n: int, slug: str) -> dict:
        return {"slug": slug, "name": f"Okapi Trust {n}", "sector": "media", "country": "KE"}

    imported = organizations.bulk_create(
        session, records=[record(n, f"okapi-{n}") for n in range(3)], actor_key_id=None
    )
    failing = [record(9, "okapi-9"), record(0, "okapi-0")]  # a failed import changes nothing
    with pytest.raises(IntegrityError), session.begin_nested():
        organizations.bulk_create(session, records=failing, actor_key_id=None)
    later = organizations.create_organization(session, data=record(4, "okapi-4"), actor_key_id=None)
    found = set(session.scalars(select(Organization.id).where(search.matching(session, "okapi"))))
    assert found == {*imported, later.id}
    _check_index(session)


def _check_index(session) -> None:
    """On SQLite, FTS5 compares itself with the table (an error if they differ)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(f"INSERT INTO {search.FTS_TABLE} ({search.FTS_TABLE}, rank) VALUES (:check, 1)"),
            {"check": "integrity-check"},
        )


def reread_apart(client) -> bool:
    """Whether the current list index keeps organizations re-read after writes apart."""
    with client.application.app_context(), database().session() as session:
        return listing.current_index(session).word_index.recent is not None


def test_lists_follow_many_writes_and_a_full_reread(client, admin_key, monkeypatch):
    assert found(client, "wallaby") == set()  # the index is built before the writes
    made = [new_organization(client, admin_key, name=f"Wallaby Fund {n}") for n in range(3)]
    assert found(client, "wallaby fund") == {o["slug"] for o in made}
    patch(client, admin_key, made[0], name="Bilby Fund")
    assert found(client, "bilby") == {made[0]["slug"]}
    assert reread_apart(client)  # the written organization is kept apart
    monkeypatch.setattr(words, "REREAD_LEAST", 0)  # the next refresh reads every text again
    patch(client, admin_key, made[1], description="Now on bilby habitats.")
    assert found(client, "wallaby") == {made[1]["slug"], made[2]["slug"]}
    assert not reread_apart(client)  # every text was read again
    assert found(client, "bilby") == {made[0]["slug"], made[1]["slug"]}
    assert found(client, "bilby fund habitats") == {made[1]["slug"]}
