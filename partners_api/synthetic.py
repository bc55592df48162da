"""A synthetic directory of any size, for scale tests and benchmarks.

Rows are written with bulk inserts, not through the services, so 100,000 organizations
with their topics, regions, links and dialogues load in well under a minute.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from partners_api.changes import service as changes
from partners_api.changes.models import ChangeEvent
from partners_api.db import in_chunks, indexes_built_after, insert_rows, utcnow
from partners_api.dialogues.models import Dialogue, DialogueParticipant, DialogueTopic
from partners_api.organizations import service as organizations
from partners_api.organizations.models import (
    ORGANIZATION_MODELS,
    SECTORS,
    Organization,
)
from partners_api.partnerships.models import KINDS, Partnership
from partners_api.regions.models import CountryRegion, Region
from partners_api.synthetic_names import localities, organization_names
from partners_api.topics.models import Topic

SQLITE_CACHE_KB = 2_000_000  # taken only as the load needs it
ORGANIZATION_BATCH = 50_000
LINK_BATCH = 100_000
# Statuses drawn with these cumulative weights (70, 15, 10, 5 and 80, 15, 5 per cent).
LINK_STATUSES, LINK_WEIGHTS = ("active", "proposed", "ended", "declined"), (70, 85, 95, 100)
DIALOGUE_STATUSES, DIALOGUE_WEIGHTS = ("held", "planned", "cancelled"), (80, 95, 100)
LANGUAGES = ("en", "fr", "es", "pt", "ar", "zh", "hi", "sw", "ru", "de", "ja", "id", "ko", "yo")
NOUNS = (
    "Data",
    "Policy",
    "Rights",
    "Safety",
    "Futures",
    "Compute",
    "Language",
    "Health",
    "Climate",
    "Security",
    "Learning",
    "Governance",
    "Evaluation",
    "Systems",
)
# The tables a directory is loaded into: their indexes are built once, after the load.
LOADED_TABLES = tuple(
    model.__tablename__
    for model in (
        *ORGANIZATION_MODELS,
        ChangeEvent,
        Partnership,
        Dialogue,
        DialogueTopic,
        DialogueParticipant,
    )
)


@dataclass(frozen=True)
class GeneratedDirectory:
    """How many rows of each kind were generated."""

    organizations: int
    links: int
    dialogues: int


def generate_directory(
    session: Session,
    *,
    organizations: int,
    seed: int = 1,
    links_per_organization: float = 3.0,
) -> GeneratedDirectory:
    """Add a reproducible synthetic directory; each run adds new organizations."""
    rng = random.Random(seed)
    if session.get_bind().dialect.name == "sqlite":
        # A bulk load touches every index at random places: with SQLite's default cache of
        # 2 MB each insert rereads pages, and a million organizations take hours, not minutes.
        session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}"))
    start = (session.scalar(select(func.max(Organization.id))) or 0) + 1
    ids = range(start, start + organizations)
    with _collector_paused(), indexes_built_after(session, LOADED_TABLES):
        _insert_organizations(session, rng, ids, seed)
        links = _insert_links(
            session, rng, list(ids), round(organizations * links_per_organization)
        )
        dialogues = _insert_dialogues(session, rng, list(ids), max(1, organizations // 200))
    if session.get_bind().dialect.name == "postgresql":
        for table in ("partnerships", "dialogues"):
            session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    changes.bump_directory_version(session)
    session.commit()
    session.execute(text("ANALYZE"))  # fresh statistics for the planner after a bulk load
    session.commit()
    return GeneratedDirectory(organizations=organizations, links=links, dialogues=dialogues)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block: a load makes millions of rows
    and records, no cycles, and each collection walks them all (a quarter of the CPU)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _insert_organizations(session: Session, rng: random.Random, ids: range, seed: int) -> None:
    """Random organizations, written by the same bulk path as imports, a batch at a time
    (a million records at once would hold gigabytes)."""
    pools = _Pools(
        countries=sorted(set(session.scalars(select(CountryRegion.country_code)))),
        operable=sorted(
            session.scalars(select(Region.code).where(Region.parent_code.is_not(None)))
        ),
        topics=list(session.scalars(select(Topic.slug).order_by(Topic.slug))),
    )
    # Names and cities come from a generator of their own, so every other field is drawn
    # as it always was (the two draws the old names took are kept): a directory of a seed
    # differs from earlier ones only in its names, and figures stay comparable.
    naming = random.Random(f"names-{seed}")
    for batch in in_chunks(ids, ORGANIZATION_BATCH):
        records = [_organization(rng, naming, pools, seed, org_id) for org_id in batch]
        organizations.bulk_create(session, records=records, actor_key_id=None)


@dataclass(frozen=True)
class _Pools:
    """What an organization's fields are drawn from."""

    countries: list[str]
    operable: list[str]
    topics: list[str]


def _organization(
    rng: random.Random, naming: random.Random, pools: _Pools, seed: int, org_id: int
) -> dict:
    """One random organization's record, as an import gives it."""
    sector = rng.choice(SECTORS)
    chosen = rng.sample(pools.topics, rng.randint(2, 6))
    split = rng.randint(1, len(chosen) - 1)
    rng.randrange(15), rng.randrange(14)  # the draws of the old names
    description = (
        f"A synthetic {sector.replace('_', ' ')} organization working on "
        f"{rng.choice(NOUNS).lower()} and {rng.choice(NOUNS).lower()}."
    )
    country = rng.choice(pools.countries)
    city = naming.choice(localities(country))
    name, acronym, names = organization_names(
        naming, sector=sector, country_code=country, city=city
    )
    return {
        "id": org_id,
        "slug": f"synthetic-{seed}-{org_id}",
        "name": name[:300],
        "acronym": acronym,
        "names": [n for n in names if len(n["value"]) <= 300],
        "sector": sector,
        "description": description,
        "country": country,
        "city": city,
        "founded_year": rng.randint(1950, 2025),
        "open_to_dialogue": rng.random() > 0.1,
        "offers": chosen[:split],
        "seeks": chosen[split:],
        "languages": rng.sample(LANGUAGES, rng.randint(1, 3)),
        "operating_regions": rng.sample(pools.operable, rng.choice((0, 0, 1, 2))),
    }


def _insert_links(session: Session, rng: random.Random, ids: list[int], count: int) -> int:
    """Links between random pairs, most of them active, at most one open per pair and kind,
    inserted a batch at a time."""
    taken: set[tuple[int, int, str]] = set()
    now = utcnow()
    while len(taken) < count:
        rows, wanted = [], min(LINK_BATCH, count - len(taken))
        while len(rows) < wanted:
            a, b = rng.sample(ids, 2)
            kind = rng.choice(KINDS)
            key = (min(a, b), max(a, b), kind)
            if key not in taken:
                taken.add(key)
                rows.append(_link(rng, a, b, key, now))
        insert_rows(session, Partnership, rows)
    return count


def _link(rng: random.Random, a: int, b: int, key: tuple[int, int, str], now) -> dict:
    """A link's row: its status and dates drawn."""
    status = rng.choices(LINK_STATUSES, cum_weights=LINK_WEIGHTS)[0]
    started = date(2018, 1, 1) + timedelta(days=rng.randint(0, 3000))
    return {
        "kind": key[2],
        "status": status,
        "proposer_id": a,
        "partner_id": b,
        "low_id": key[0],
        "high_id": key[1],
        "description": "",
        "started_on": started if status in ("active", "ended") else None,
        "ended_on": started + timedelta(days=365) if status == "ended" else None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _insert_dialogues(session: Session, rng: random.Random, ids: list[int], count: int) -> int:
    """Dialogues, mostly held, each with 5 to 15 participants."""
    start = (session.scalar(select(func.max(Dialogue.id))) or 0) + 1
    topic_ids = list(session.scalars(select(Topic.id)))
    now = utcnow()
    dialogues, topics, participants = [], [], []
    for dialogue_id in range(start, start + count):
        day = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2900))
        dialogues.append(
            {
                "id": dialogue_id,
                "title": f"Synthetic dialogue {dialogue_id}",
                "description": "",
                "status": rng.choices(DIALOGUE_STATUSES, cum_weights=DIALOGUE_WEIGHTS)[0],
                "starts_on": day,
                "ends_on": day + timedelta(days=1),
                "country_code": None,
                "city": None,
                "virtual": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        topics += [{"dialogue_id": dialogue_id, "topic_id": t} for t in rng.sample(topic_ids, 2)]
        members = rng.sample(ids, min(len(ids), rng.randint(5, 15)))
        participants += [
            {
                "dialogue_id": dialogue_id,
                "organization_id": org,
                "role": "host" if n == 0 else "participant",
                "created_at": now,
            }
            for n, org in enumerate(members)
        ]
    for model, rows in (
        (Dialogue, dialogues),
        (DialogueTopic, topics),
        (DialogueParticipant, participants),
    ):
        insert_rows(session, model, rows)
    return count


@dataclass(frozen=True)
class PlantedPair:
    """A seeker, its planted mirror partner, and a one-sided decoy."""

    seeker: int
    partner: int
    decoy: int


def plant_pairs(session: Session, *, pairs: int, seed: int = 1) -> list[PlantedPair]:
    """Add reciprocal pairs with a known answer, each with a one-sided decoy.

    The seeker seeks two topics A and offers two topics B; its partner, in another
    sector, offers A and seeks B; the decoy offers A too but seeks topics unrelated to B.
    """
    rng = random.Random(seed)
    leaves = sorted(
        session.scalars(
            select(Topic.slug).where(
                ~Topic.id.in_(select(Topic.parent_id).where(Topic.parent_id.is_not(None)))
            )
        )
    )
    countries = sorted(session.scalars(select(CountryRegion.country_code).distinct()))
    planted = []

    def make(name: str, sector: str, offers: list[str], seeks: list[str]) -> int:
        data = {
            "name": name,
            "sector": sector,
            "country": rng.choice(countries),
            "offers": offers,
            "seeks": seeks,
        }
        return organizations.create_organization(session, data=data, actor_key_id=None).id

    for n in range(pairs):
        picked = rng.sample(leaves, 6)
        sought, offered, unrelated = picked[:2], picked[2:4], picked[4:]
        mine, theirs = rng.sample(SECTORS, 2)
        planted.append(
            PlantedPair(
                seeker=make(f"Planted seeker {seed}-{n}", mine, offered, sought),
                partner=make(f"Planted partner {seed}-{n}", theirs, sought, offered),
                decoy=make(f"Planted decoy {seed}-{n}", theirs, sought, unrelated),
            )
        )
    return planted
