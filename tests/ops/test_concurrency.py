"""Sixteen clients for thirty seconds against gunicorn with four workers, on a fresh database.

Mixed reads and writes: PATCHes with If-Match on organizations every client edits and on
ones each client owns, partnership proposals, accepts, declines and ends, dialogue
participation changes, and list and detail reads. Afterwards: no 5xx; no lost update (the
successful PATCHes of each organization form one chain of ETags from its first to its
last state, which is what it holds); every stale If-Match answered 412; no two proposed or
active links on one pair and kind; and the changes feed read from where it stood at the
start holds exactly the writes that answered success. The suite's database kind is used
(a fresh SQLite file, or a fresh PostgreSQL database), so CI's two passes run both.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.helpers import bearer
from tests.servers import Answer, Server, fresh_database, on_postgresql, prepare, serve

CLIENTS = 16
SECONDS = 30
WORKERS = 4
KINDS = ("research", "dialogue")
ROLES = ("host", "participant", "observer")
SECTORS = ("academia", "government", "civil_society")

# The answers each operation may give; anything else is a failure.
EXPECTED = {
    "read": {200},
    "patch shared": {200, 412},
    "patch own": {200},
    "patch stale": {412},
    "propose": {201, 409},
    "accept": {200, 409},
    "decline": {200, 409},
    "end": {200, 409},
    "join": {201},
    "change role": {200},
    "leave": {204},
}


@dataclass
class Write:
    """A successful PATCH: the ETag sent in If-Match, the one answered, the city it set."""

    sent: str
    received: str
    city: str


@dataclass
class World:
    """What every client knows before the clock starts."""

    server: Server
    admin: dict[str, str]
    slugs: list[str]
    shared: list[int]  # organizations every client edits
    hubs: list[int]  # organizations links are proposed between
    dialogues: list[int]
    etags: dict[int, str]  # of the shared organizations, as the admin reads them
    deadline: float = 0.0


@dataclass
class Client:
    """One client: its own organization and key, what it did, and what should be recorded."""

    number: int
    world: World
    home: int
    key: dict[str, str]
    etag: str
    roles: dict[int, str | None]
    rng: random.Random = field(init=False)
    answers: list[tuple[str, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    events: Counter = field(default_factory=Counter)  # (entity, id, action) of each success
    writes: dict[int, list[Write]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.rng = random.Random(self.number)

    def call(self, operation: str, method: str, path: str, body=None, headers=None):
        """Send a request, note its answer; None when none came."""
        try:
            answer = self.world.server.call(method, path, body, headers, timeout=30)
        except OSError as error:
            self.answers.append((operation, 0))
            self.failures.append(f"{operation} {method} {path}: no answer ({error!r})")
            return None
        self.answers.append((operation, answer.status))
        if answer.status not in EXPECTED[operation]:
            keyed = "with a key" if headers else "without a key"
            self.failures.append(
                f"{operation} {method} {path} {keyed}: {answer.status} {answer.body[:300]!r}"
            )
        return answer

    def run(self, start: threading.Barrier) -> None:
        """Act at random until the deadline."""
        start.wait()
        operations = [
            (self.read, 40),
            (self.patch_shared, 14),
            (self.patch_own, 8),
            (self.propose, 12),
            (self.accept_or_decline, 10),
            (self.end, 5),
            (self.take_part, 11),
        ]
        actions, weights = zip(*operations, strict=True)
        while time.monotonic() < self.world.deadline:
            self.rng.choices(actions, weights)[0]()

    # --- reads --------------------------------------------------------------------------

    def read(self) -> None:
        w, rng = self.world, self.rng
        path = rng.choice(
            [
                f"/api/v1/organizations?page_size=20&sector={rng.choice(SECTORS)}",
                "/api/v1/organizations?region=africa&topic=ai-governance",
                "/api/v1/organizations?q=institute&sort=name&page=2&page_size=5",
                f"/api/v1/organizations/{rng.choice(w.slugs)}",
                "/api/v1/organizations/facets?region=global-south",
                f"/api/v1/organizations/{rng.choice(w.hubs)}/partners",
                f"/api/v1/organizations/{self.home}/matches?limit=5",
                f"/api/v1/partnerships?organization={rng.choice(w.hubs)}&page_size=50",
                f"/api/v1/dialogues/{rng.choice(w.dialogues)}",
                "/api/v1/dialogues?status=held",
                "/api/v1/changes?limit=50",
            ]
        )
        headers = rng.choice([None, self.key, w.admin])
        self.call("read", "GET", path, headers=headers)

    # --- organizations ------------------------------------------------------------------

    def patch_shared(self) -> None:
        """Read a shared organization, then change it with the ETag read."""
        w = self.world
        org = self.rng.choice(w.shared)
        read = self.call("read", "GET", f"/api/v1/organizations/{org}", headers=w.admin)
        if read is None or read.status != 200:
            return
        time.sleep(self.rng.random() * 0.01)  # others may write in between: then 412
        self.patch("patch shared", org, read.headers["ETag"], w.admin)

    def patch_own(self) -> None:
        """Change the client's own organization with its own key; now and then replay it."""
        sent = self.etag
        answer = self.patch("patch own", self.home, sent, self.key)
        if answer is not None and answer.status == 200:
            self.etag = answer.headers["ETag"]
            if self.rng.random() < 0.3:  # the ETag just used is stale now
                self.patch("patch stale", self.home, sent, self.key)

    def patch(self, operation: str, org: int, etag: str, key: dict) -> Answer | None:
        city = f"City {self.number}-{len(self.answers)}"
        answer = self.call(
            operation,
            "PATCH",
            f"/api/v1/organizations/{org}",
            {"city": city},
            {**key, "If-Match": etag},
        )
        if answer is not None and answer.status == 200:
            self.writes[org].append(Write(etag, answer.headers["ETag"], city))
            self.events["organization", str(org), "updated"] += 1
        return answer

    # --- partnerships -------------------------------------------------------------------

    def propose(self) -> None:
        """Propose a link between two hubs (admin) or from the client's own organization."""
        w, rng = self.world, self.rng
        if rng.random() < 0.7:
            proposer, partner = rng.sample(w.hubs, 2)
            key = w.admin
        else:
            proposer, partner, key = self.home, rng.choice(w.hubs), self.key
        body = {"proposer_id": proposer, "partner_id": partner, "kind": rng.choice(KINDS)}
        answer = self.call("propose", "POST", "/api/v1/partnerships", body, key)
        if answer is not None and answer.status == 201:
            self.events["partnership", str(answer.json["id"]), "proposed"] += 1

    def links(self, status: str) -> list[int]:
        """The ids of a hub's links in a status, as read now."""
        hub = self.rng.choice(self.world.hubs)
        path = f"/api/v1/partnerships?organization={hub}&status={status}&page_size=100"
        answer = self.call("read", "GET", path, headers=self.world.admin)
        return [link["id"] for link in answer.json] if answer and answer.status == 200 else []

    def move(self, operation: str, status: str, action: str) -> None:
        links = self.links(status)
        if not links:
            return
        link = self.rng.choice(links)
        path = f"/api/v1/partnerships/{link}/{operation}"
        answer = self.call(operation, "POST", path, headers=self.world.admin)
        if answer is not None and answer.status == 200:
            self.events["partnership", str(link), action] += 1

    def accept_or_decline(self) -> None:
        if self.rng.random() < 0.75:
            self.move("accept", "proposed", "accepted")
        else:
            self.move("decline", "proposed", "declined")

    def end(self) -> None:
        self.move("end", "active", "ended")

    # --- dialogues ----------------------------------------------------------------------

    def take_part(self) -> None:
        """Join a dialogue, change role in it or leave it, with the client's own key.

        Only this client changes its own organization's part, so it knows the current one.
        """
        dialogue = self.rng.choice(self.world.dialogues)
        path = f"/api/v1/dialogues/{dialogue}/participants/{self.home}"
        role = self.roles[dialogue]
        if role is None or self.rng.random() < 0.5:
            operation = "join" if role is None else "change role"
            new = self.rng.choice([r for r in ROLES if r != role])
            answer = self.call(operation, "PUT", path, {"role": new}, self.key)
            if answer is not None and answer.status in (200, 201):
                self.roles[dialogue] = new
                self.events["dialogue", str(dialogue), "participant_set"] += 1
        else:
            answer = self.call("leave", "DELETE", path, headers=self.key)
            if answer is not None and answer.status == 204:
                self.roles[dialogue] = None
                self.events["dialogue", str(dialogue), "participant_removed"] += 1


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[str]:
    """A fresh database of the suite's kind."""
    with fresh_database("test_conc_load", tmp_path_factory.mktemp("load")) as url:
        yield url


def pages(server: Server, path: str, headers: dict) -> list[dict]:
    """Every item of a paged list."""
    items, page = [], 1
    while True:
        answer = server.call("GET", f"{path}&page={page}&page_size=100", headers=headers)
        assert answer.status == 200, answer.body
        items += answer.json
        if not answer.json or len(answer.json) < 100:
            return items
        page += 1


def feed_end(server: Server) -> str:
    """The cursor after the last event of the changes feed."""
    cursor = None
    while True:
        since = f"&since={cursor}" if cursor else ""
        answer = server.call("GET", f"/api/v1/changes?limit=1000{since}")
        assert answer.status == 200, answer.body
        if not answer.json["events"]:
            return answer.json["next_cursor"]
        cursor = answer.json["next_cursor"]


def read_feed(server: Server, since: str, expected: Counter, seconds: float = 90) -> list[dict]:
    """The events after a cursor, waiting until the expected ones are served.

    On PostgreSQL the feed serves an event only once every transaction of the cluster that
    began writing before it has ended, which another database's long transaction delays.
    """
    events, cursor = [], since
    deadline = time.monotonic() + seconds
    while True:
        answer = server.call("GET", f"/api/v1/changes?limit=1000&since={cursor}")
        assert answer.status == 200, answer.body
        events += answer.json["events"]
        cursor = answer.json["next_cursor"]
        if answer.json["events"]:
            continue
        found = Counter((e["entity"], e["entity_id"], e["action"]) for e in events)
        if found == expected or sum(found.values()) > sum(expected.values()):
            return events
        if time.monotonic() > deadline:
            return events
        time.sleep(0.5)


def open_duplicates(url: str) -> list[tuple]:
    """Pairs and kinds with more than one proposed or active link, read from the database."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT low_id, high_id, kind, count(*) FROM partnerships"
                    " WHERE status IN ('proposed', 'active')"
                    " GROUP BY low_id, high_id, kind HAVING count(*) > 1"
                )
            ).all()
    finally:
        engine.dispose()


def lost_updates(server: Server, admin: dict, org: int, initial: str, writes: list[Write]):
    """What breaks the chain of an organization's successful PATCHes, if anything.

    Each success must have been sent the ETag the previous one answered; two successes
    sent the same ETag would be a lost update. The organization must end as the last left it.
    """
    problems, after = [], {}
    for write in writes:
        if write.sent in after:
            problems.append(f"organization {org}: two PATCHes succeeded on one ETag")
        after[write.sent] = write
    etag, last, length = initial, None, 0
    while etag in after and length <= len(writes):
        last = after[etag]
        etag, length = last.received, length + 1
    if length != len(writes):
        problems.append(f"organization {org}: {len(writes)} PATCHes, a chain of {length}")
    final = server.call("GET", f"/api/v1/organizations/{org}", headers=admin)
    if final.headers["ETag"] != etag or (last and final.json["city"] != last.city):
        problems.append(f"organization {org}: holds {final.json['city']!r}, not the last write")
    return problems


def tally(answers: list[tuple[str, int]], elapsed: float) -> str:
    """Requests and their answers by status class, in words."""
    statuses = Counter(status for _, status in answers)
    classes = Counter(
        "no answer" if s == 0 else str(s) if s in (409, 412) else f"{s // 100}xx"
        for s in statuses.elements()
    )
    stale = sum(1 for operation, _ in answers if operation == "patch stale")
    return (
        f"{len(answers)} requests ({len(answers) / elapsed:.0f}/s): 2xx {classes['2xx']}, "
        f"409 {classes['409']}, 412 {classes['412']} ({stale} of them deliberately stale), "
        f"other 4xx {classes['4xx']}, 5xx {classes['5xx']}, no answer {classes['no answer']}"
    )


def written(events: Counter) -> str:
    """The count of events of each kind, in words."""
    kinds = Counter()
    for (entity, _, action), count in events.items():
        kinds[f"{entity} {action}"] += count
    return ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))


def test_sixteen_clients_for_thirty_seconds(database, tmp_path, figures):
    kind = "postgresql" if on_postgresql() else "sqlite"
    admin = prepare(database, demo=True)
    with serve(
        "load", tmp_path, workers=WORKERS, DATABASE_URL=database, RATELIMIT_ENABLED="false"
    ) as server:
        organizations = pages(server, "/api/v1/organizations?sort=name", admin)
        ids = [o["id"] for o in organizations]
        homes, shared, hubs = ids[:CLIENTS], ids[CLIENTS : CLIENTS + 6], ids[-6:]
        dialogues = pages(server, "/api/v1/dialogues?status=held&status=planned", admin)
        world = World(
            server=server,
            admin=admin,
            slugs=[o["slug"] for o in organizations],
            shared=shared,
            hubs=hubs,
            dialogues=[d["id"] for d in dialogues],
            etags={
                org: server.call("GET", f"/api/v1/organizations/{org}", headers=admin).headers[
                    "ETag"
                ]
                for org in shared
            },
        )
        clients = []
        for number, home in enumerate(homes):
            issued = server.call(
                "POST",
                "/api/v1/keys",
                {"name": f"client {number}", "scopes": ["org:write"], "organization_id": home},
                admin,
            )
            assert issued.status == 201, issued.body
            key = bearer(issued.json["secret"])
            own = server.call("GET", f"/api/v1/organizations/{home}", headers=key)
            roles = {
                d["id"]: next(
                    (p["role"] for p in d["participants"] if p["organization"]["id"] == home),
                    None,
                )
                for d in dialogues
            }
            clients.append(Client(number, world, home, key, own.headers["ETag"], roles))
        start_cursor = feed_end(server)
        owned = {c.home: c.etag for c in clients}

        start = threading.Barrier(CLIENTS + 1)
        threads = [threading.Thread(target=c.run, args=(start,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        world.deadline = time.monotonic() + SECONDS
        began = time.monotonic()
        start.wait()
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        elapsed = time.monotonic() - began
        assert not any(t.is_alive() for t in threads), "a client hung"

        expected = sum((c.events for c in clients), Counter())
        events = read_feed(server, start_cursor, expected)
        found = Counter((e["entity"], e["entity_id"], e["action"]) for e in events)
        lost = []
        for org in shared:
            writes = [w for c in clients for w in c.writes.get(org, [])]
            lost += lost_updates(server, admin, org, world.etags[org], writes)
        for client in clients:
            lost += lost_updates(
                server, admin, client.home, owned[client.home], client.writes[client.home]
            )
        logs = server.logs()
    duplicates = open_duplicates(database)

    answers = [a for c in clients for a in c.answers]
    stale = [status for operation, status in answers if operation == "patch stale"]
    failures = [f for c in clients for f in c.failures]
    figures.append(
        f"concurrency on {kind}: {CLIENTS} clients, {elapsed:.0f} s, {WORKERS} workers: "
        + tally(answers, elapsed)
        + f"; committed writes {sum(expected.values())} ({written(expected)}); "
        f"feed events {len(events)}; lost updates {len(lost)}; "
        f"duplicate open links {len(duplicates)}"
    )
    assert not failures, "\n".join(failures[:20]) + "\n" + logs
    assert not lost, lost
    assert stale and set(stale) == {412}
    assert not duplicates, duplicates
    assert len({e["id"] for e in events}) == len(events), "the feed repeated an event"
    assert found == expected, (found - expected, expected - found)
    done = Counter(operation for operation, status in answers if status < 300)
    assert done["patch shared"] and done["propose"] and done["accept"] and done["join"]
