"""Fair rotation over consecutive dialogues on the demo directory.

    python -m benchmarks.rotation [--rounds 20] [--rotations 0 0.5] [--size 12]

For each rotation, on a fresh SQLite copy of the demo directory: `--rounds` times in a
row, create a planned dialogue, invite the roster a compose request builds (POST
/dialogues/{id}/invitations with `compose`), have every invitee accept (which seats it),
then date the dialogue a month after the last and mark it held, all over HTTP with an
admin key. Prints, per rotation, how many distinct organizations took part and the Gini
coefficient of participation counts over every organization open to dialogue (0: all
took part equally often; near 1: the same few every time).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from alembic import command
from sqlalchemy import select

from benchmarks.servers import admin_key
from partners_api import create_app
from partners_api.db import database
from partners_api.demo import load_demo
from partners_api.ops.service import alembic_config
from partners_api.organizations.models import Organization

# A convening as a convener would ask for one; rotation and rounds vary.
REQUEST = {
    "topics": ["model-evaluations", "linguistic-diversity", "regulation-and-policy"],
    "min_countries": 6,
    "max_per_country": 3,
    "sector_min": {"civil_society": 2, "academia": 2},
}
MONTH = timedelta(days=30)


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of non-negative counts: mean absolute difference over twice the mean."""
    x = np.sort(counts.astype(np.float64))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * total))


def demo_database(folder: Path, name: str) -> tuple[str, list[int]]:
    """A migrated SQLite file with the demo directory: its URL, the ids open to dialogue."""
    url = f"sqlite:///{folder / f'{name}.db'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    try:
        with app.app_context(), database().session() as session:
            load_demo(session)
            open_ids = session.scalars(
                select(Organization.id).where(
                    Organization.status == "active", Organization.open_to_dialogue
                )
            ).all()
    finally:
        app.extensions["partners_db"].engine.dispose()
    return url, list(open_ids)


def simulate(url: str, open_ids: list[int], *, rotation: float, rounds: int, size: int) -> dict:
    """Run the rounds; participations in them per organization id open to dialogue."""
    headers = {"Authorization": f"Bearer {admin_key(url)}"}
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    api = "/api/v1"
    counts = dict.fromkeys(open_ids, 0)
    first_day = date.today() - rounds * MONTH
    for n in range(rounds):
        created = client.post(f"{api}/dialogues", json={"title": f"Round {n + 1}"}, headers=headers)
        url_of = f"{api}/dialogues/{_ok(created)['id']}"
        compose = {**REQUEST, "size": size, "rotation": rotation}
        invited = client.post(f"{url_of}/invitations", json={"compose": compose}, headers=headers)
        for invitation in _ok(invited)["invitations"]:
            _ok(client.post(f"{url_of}/invitations/{invitation['id']}/accept", headers=headers))
            counts[invitation["organization"]["id"]] += 1
        held = {"status": "held", "starts_on": (first_day + n * MONTH).isoformat()}
        etag = client.get(url_of).headers["ETag"]
        _ok(client.patch(url_of, json=held, headers={**headers, "If-Match": etag}))
    app.extensions["partners_db"].engine.dispose()
    return counts


def _ok(response) -> dict:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response.json


def main() -> None:
    """Simulate each rotation and print distinct participants and the Gini coefficient."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--rotations", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--size", type=int, default=12)
    args = parser.parse_args()
    print(f"{args.rounds} rounds of {args.size} on the demo directory, request {REQUEST}")
    print(f"| {'rotation':>8} | {'distinct':>8} | {'of open':>7} | {'Gini':>5} | {'most':>4} |")
    print(f"|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 7}|{'-' * 6}|")
    with tempfile.TemporaryDirectory() as folder:
        for rotation in args.rotations:
            url, open_ids = demo_database(Path(folder), f"rotation-{rotation}")
            taken = simulate(url, open_ids, rotation=rotation, rounds=args.rounds, size=args.size)
            counts = np.array(list(taken.values()))
            print(
                f"| {rotation:8.2f} | {int((counts > 0).sum()):8} | {len(counts):7} "
                f"| {gini(counts):5.2f} | {int(counts.max()):4} |"
            )


if __name__ == "__main__":
    main()
