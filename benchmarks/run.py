"""Build synthetic directories and time the API through the Flask test client.

    python -m benchmarks.run [--sizes 10000 100000] [--postgresql-sizes 100000] [--repeat 20]
        [--cases NAME ...]

SQLite always; PostgreSQL too when BENCH_DATABASE_URL (or else TEST_DATABASE_URL) is set:
that database is dropped and copied from a template generated once per size and generator
version (benchmarks.servers.postgresql_directory; for --postgresql-sizes, by default the
same sizes).
At a size timed on both databases, their calls alternate one by one (the same requests on
each), so that a busier or slower minute of the machine weighs on both alike and their
ratio holds. Prints one table of medians and p95 in milliseconds per size and database;
at a million organizations and more, the slow cases run fewer times and the issue's
targets apply.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from benchmarks.servers import admin_key, postgresql_directory, record, sqlite_directory
from partners_api import create_app
from partners_api.db import database
from partners_api.identity import index as names
from partners_api.keys import service as keys
from partners_api.matching import index as matching
from partners_api.organizations import listing, rendering
from partners_api.organizations.models import SECTORS
from partners_api.synthetic import NOUNS
from partners_api.synthetic_names import localities, organization_names

Request = Callable[[random.Random], tuple[str, str, dict]]


def names_to_resolve(count: int = 1_000) -> list[str]:
    """Organization names as the synthetic directory makes them (some in it, some not)."""
    rng = random.Random(7)
    drawn = []
    for _ in range(count):
        country = rng.choice(("KE", "FR", "BR", "IN", "DE", "NG", "JP", "US", "MX", "EG"))
        name, _, _ = organization_names(
            rng,
            sector=rng.choice(SECTORS),
            country_code=country,
            city=rng.choice(localities(country)),
        )
        drawn.append(name)
    return drawn


# Words of synthetic names and descriptions, for free-text queries.
WORDS = [noun.lower() for noun in NOUNS] + ["labs", "institute", "university", "network"]


def query(rng: random.Random) -> str:
    """Two of WORDS, as a URL's query value."""
    return "%20".join(rng.sample(WORDS, 2))


COMPOSE = {
    "size": 22,
    "topics": ["model-evaluations", "linguistic-diversity", "labor-impacts"],
    "min_countries": 15,
    "max_per_country": 2,
    "sector_min": {"civil_society": 4, "academia": 4, "ai_safety_institute": 2},
    "region_min": {"africa": 4, "asia": 4},
}


class RefillCase:
    """Refill one declined seat: a dialogue invited through compose once, then before each
    timed refill (untimed) the oldest live invitation is declined."""

    def __init__(self) -> None:
        self.dialogue: int | None = None

    def __call__(self, rng: random.Random) -> tuple[str, str, dict]:
        """The request: its URL comes from the untimed preparation."""
        return "POST", "/api/v1/dialogues/{dialogue}/invitations/refill", {"before": self.decline}

    def decline(self, client, headers: dict[str, str]) -> str:
        """Decline the oldest live invitation (inviting through compose the first time)."""
        base = "/api/v1/dialogues"
        if self.dialogue is None:
            made = client.post(base, json={"title": "Refill bench"}, headers=headers)
            self.dialogue = made.json["id"]
            invited = client.post(
                f"{base}/{self.dialogue}/invitations",
                json={"compose": {**COMPOSE, "reserves": 100}},
                headers=headers,
            )
            assert invited.status_code == 201, invited.json
        live = client.get(
            f"{base}/{self.dialogue}/invitations",
            query_string={"status": "invited", "page_size": 1},
            headers=headers,
        ).json
        url = f"{base}/{self.dialogue}/invitations/{live[0]['id']}/decline"
        assert client.post(url, json={}, headers=headers).status_code == 200
        return f"{base}/{self.dialogue}/invitations/refill"


def cases(size: int) -> dict[str, Request]:
    """The requests to time, each drawing its own random organization where it needs one."""

    def org(rng: random.Random) -> int:
        return rng.randint(1, size)

    names = names_to_resolve()

    api = "/api/v1/organizations"
    return {
        "list, no filter": lambda rng: ("GET", f"{api}?page_size=50", {}),
        "list, region+topic+sector": lambda rng: (
            "GET",
            f"{api}?region=africa&topic=ai-safety&sector=academia&page_size=50",
            {},
        ),
        # A new pair of words each call: a repeated query would be served from the
        # selection kept for it, and time no search at all.
        "list, q": lambda rng: ("GET", f"{api}?q={query(rng)}&page_size=50", {}),
        "list, deep page": lambda rng: ("GET", f"{api}?page={size // 100}&page_size=50", {}),
        "list, by name, filtered": lambda rng: (
            "GET",
            f"{api}?sector=academia&country=DE&sort=name&page_size=50",
            {},
        ),
        "facets, region": lambda rng: ("GET", f"{api}/facets?region=africa", {}),
        "facets, no filter": lambda rng: ("GET", f"{api}/facets", {}),
        "get one": lambda rng: ("GET", f"{api}/{org(rng)}", {}),
        "introductions": lambda rng: ("GET", f"{api}/{org(rng)}/introductions?to={org(rng)}", {}),
        "network, depth 2": lambda rng: ("GET", f"{api}/{org(rng)}/network?depth=2", {}),
        "matches": lambda rng: ("GET", f"{api}/{org(rng)}/matches", {}),
        "CSV export, all": lambda rng: ("GET", "/api/v1/exports/organizations?format=csv", {}),
        "resolve one": lambda rng: (
            "GET",
            f"{api}/resolve",
            {"query_string": {"name": rng.choice(names)}},
        ),
        "resolve, batch of 1,000": lambda rng: (
            "POST",
            f"{api}/resolve",
            {"json": {"queries": [{"name": name} for name in names]}},
        ),
        "compose, size 22": lambda rng: ("POST", "/api/v1/dialogues/compose", {"json": COMPOSE}),
        "compose, rotation, size 22": lambda rng: (
            "POST",
            "/api/v1/dialogues/compose",
            {"json": {**COMPOSE, "rotation": 0.5, "min_newcomers": 6}},
        ),
        # Writes last. The refill's writes (invitations) leave the indexes current; a
        # PATCH makes them stale, and the next read would rebuild them (seconds at a
        # million organizations), so it comes last of all.
        "refill one declined seat": RefillCase(),
        "PATCH": lambda rng: ("PATCH", f"{api}/{org(rng)}", {"json": {"city": "Accra"}}),
    }


# Cases that take seconds run fewer times; at LARGE organizations and more, fewer still.
REPEATS = {
    "CSV export, all": 3,
    "compose, size 22": 10,
    "compose, rotation, size 22": 10,
    "refill one declined seat": 10,
    "resolve, batch of 1,000": 5,
}
LARGE = 1_000_000
REPEATS_LARGE = {
    "CSV export, all": 1,
    "compose, size 22": 5,
    "compose, rotation, size 22": 5,
    "refill one declined seat": 5,
    "resolve, batch of 1,000": 2,
}
# The targets at a million organizations, median milliseconds.
TARGETS_LARGE = {
    "list, no filter": "< 25",
    "list, region+topic+sector": "< 25",
    "facets, no filter": "< 100",
    "facets, region": "< 100",
    "list, q": "< 50",
    "matches": "< 100",
    "compose, size 22": "< 500",
}


# At LARGE, cases of many seconds whose one warm-up would warm nothing: the indexes they
# read are built before any case is timed (index_figures).
COLD_LARGE = {"CSV export, all", "resolve, batch of 1,000"}


def repeats(name: str, size: int, repeat: int) -> tuple[int, int]:
    """How many timed calls of a case, and how many warm-ups before them."""
    if size >= LARGE:
        return min(repeat, REPEATS_LARGE.get(name, repeat)), int(name not in COLD_LARGE)
    return min(repeat, REPEATS.get(name, repeat)), 2


def calls(client, admin: str, request: Request, seed: int) -> Iterator[tuple[float, bool]]:
    """Each call of a case in turn: its milliseconds (the whole body read)."""
    rng = random.Random(seed)
    while True:
        method, url, kwargs = request(rng)
        headers = {"Authorization": f"Bearer {admin}"}
        if method == "PATCH":
            headers["If-Match"] = client.get(url, headers=headers).headers["ETag"]
        if "before" in kwargs:  # untimed preparation, which gives the URL to call
            kwargs = dict(kwargs)
            url = kwargs.pop("before")(client, headers)
        started = time.perf_counter()
        with client.open(url, method=method, headers=headers, **kwargs) as response:
            response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.data[:200]}")
        yield elapsed


def time_case(targets: Sequence[Target], name: str, repeat: int, warm_ups: int) -> list[list]:
    """Milliseconds per call of one case on each target, over `repeat` calls after warm-ups.

    The targets' calls alternate one by one, the same requests on each, so that a busier
    or slower minute of the machine weighs on every database alike.
    """
    streams = [calls(t.client, t.admin, t.cases[name], seed=1) for t in targets]
    timings: list[list[float]] = [[] for _ in targets]
    for n in range(repeat + warm_ups):
        for stream, kept in zip(streams, timings, strict=True):
            elapsed = next(stream)
            if n >= warm_ups:
                kept.append(elapsed)
    return timings


# Each index: its name, and how the app gets it (built once, then cached).
INDEXES = (
    ("matching index", matching.current_index),
    ("list index", listing.current_index),
    ("name index", names.current),
)


def resident_mb() -> float:
    """This process's resident memory (VmRSS), in megabytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def index_figures(app) -> str:
    """Build time and memory of each index: the build the app caches, which the cases then
    use, and how much the process's resident memory grew with it."""
    lines = []
    for name, current in INDEXES:
        with app.app_context(), database().session() as session:
            before, started = resident_mb(), time.perf_counter()
            built = current(session)
            seconds, grown = time.perf_counter() - started, resident_mb() - before
        lines.append(
            f"  {name}: built in {seconds:.1f} s, arrays {built.nbytes() / 2**20:.0f} MB,"
            f" resident memory grew by {grown:.0f} MB"
        )
    return "\n".join(lines)


@dataclass
class Target:
    """One database at one size, ready to time: its app's test client, an admin key and
    its own instances of the cases (some keep state, such as the refill's dialogue)."""

    database_name: str
    url: str
    size: int
    app: Flask
    admin: str
    cases: dict[str, Request]

    @property
    def client(self):
        """The app's test client."""
        return self.app.test_client()

    def close(self) -> None:
        """Let go of the database (a SQLite file is removed)."""
        self.app.extensions["partners_db"].engine.dispose()
        if self.url.startswith("sqlite"):
            Path(self.url.removeprefix("sqlite:///")).unlink()


def prepare(database_name: str, url: str, size: int) -> Target:
    """Migrate an empty database and generate the directory in it."""
    print(f"{database_name}, {size:,} organizations", flush=True)
    if url.startswith("sqlite"):
        sqlite_directory(Path(url.removeprefix("sqlite:///")), size)
    else:
        postgresql_directory(url, size)
    # A database emptied under this process: indexes built from its last life must go.
    listing.forget()
    rendering.forget()
    matching.forget()
    names.forget()
    keys.forget()
    # The key is a write: issued before the indexes are built, it leaves them current.
    admin = admin_key(url)
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    return Target(database_name, url, size, app, admin, cases(size))


def time_cases(targets: Sequence[Target], repeat: int, only: list[str] | None) -> list[tuple]:
    """Time every case (or those named in `only`) on targets of one size; rows of the table."""
    for target in targets:
        print(f"{target.database_name}, {target.size:,} organizations, indexes:", flush=True)
        print(index_figures(target.app), flush=True)
    size = targets[0].size
    rows = []
    for name in cases(size):
        if only and name not in only:
            continue
        times, warm_ups = repeats(name, size, repeat)
        began = time.perf_counter()
        timings = time_case(targets, name, times, warm_ups)
        print(f"  {name}: {time.perf_counter() - began:.1f} s in all", flush=True)
        for target, timed in zip(targets, timings, strict=True):
            median, p95 = (
                statistics.median(timed),
                sorted(timed)[max(0, round(len(timed) * 0.95) - 1)],
            )
            rows.append((target.database_name, size, name, median, p95))
            limit = TARGETS_LARGE.get(name, "") if size >= LARGE else ""
            record("run", f"{target.database_name}, {size:,}: {name}, median", median, "ms", limit)
    return rows


def main() -> None:
    """Run every case for every size and database, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgresql-sizes", type=int, nargs="*", help="default: --sizes")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cases", nargs="+", help="Only the cases with these names.")
    args = parser.parse_args()
    unknown = set(args.cases or ()) - set(cases(1))
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}; see {list(cases(1))}")
    postgresql = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    postgresql_sizes = args.sizes if args.postgresql_sizes is None else args.postgresql_sizes
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sorted(set(args.sizes) | set(postgresql_sizes if postgresql else ())):
            targets = []
            if size in args.sizes:
                targets.append(prepare("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", size))
            if postgresql and size in postgresql_sizes:
                targets.append(prepare("postgresql", postgresql, size))
            rows += time_cases(targets, args.repeat, args.cases)
            for target in targets:
                target.close()
    rows.sort(key=lambda row: row[0] != "sqlite")  # the table: SQLite first, as before
    print()
    print(f"| {'database':10} | {'size':>8} | {'case':28} | {'median ms':>9} | {'p95 ms':>8} |")
    print(f"|{'-' * 12}|{'-' * 10}|{'-' * 30}|{'-' * 11}|{'-' * 10}|")
    for database_name, size, name, median, p95 in rows:
        print(f"| {database_name:10} | {size:>8,} | {name:28} | {median:9.1f} | {p95:8.1f} |")
    record_pace(rows)


PACE_TARGET = "<= 1.25"  # the issue's: each request on PostgreSQL within 1.25 times SQLite


def record_pace(rows: list[tuple]) -> None:
    """PostgreSQL's median over SQLite's, for each case timed on both at the same size."""
    sqlite = {
        (size, name): median for database, size, name, median, _ in rows if database == "sqlite"
    }
    for database_name, size, name, median, _ in rows:
        if database_name == "postgresql" and (size, name) in sqlite:
            ratio = median / sqlite[size, name]
            record("pace", f"PostgreSQL / SQLite, {size:,}: {name}", ratio, "x", PACE_TARGET)


if __name__ == "__main__":
    main()
