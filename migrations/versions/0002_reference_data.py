"""Reference data: UN M49 regions, groupings, ISO countries and the topic taxonomy.

The rows are frozen in migrations/data/0002_reference_data.json, so every database made
by this migration gets the same data whatever the installed pycountry; later changes to
the reference data come as new migrations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "0002_reference_data.json"

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

regions = sa.table(
    "regions",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("m49", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("description", sa.String),
)
countries = sa.table(
    "countries",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("alpha3", sa.String),
    sa.column("numeric", sa.String),
    sa.column("region_code", sa.String),
)
country_regions = sa.table(
    "country_regions", sa.column("country_code", sa.String), sa.column("region_code", sa.String)
)
topics = sa.table(
    "topics",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("parent_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("version", sa.Integer),
)


def upgrade() -> None:
    """Insert the regions, countries, their placement and the seed topics."""
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    op.bulk_insert(regions, data["regions"])
    op.bulk_insert(countries, data["countries"])
    op.bulk_insert(country_regions, data["country_regions"])
    now = datetime.now(UTC)
    ids = {topic["slug"]: number for number, topic in enumerate(data["topics"], start=1)}
    op.bulk_insert(
        topics,
        [
            {
                "id": ids[t["slug"]],
                "slug": t["slug"],
                "name": t["name"],
                "description": t["description"],
                "parent_id": ids.get(t["parent"]),
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for t in data["topics"]
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval('topics_id_seq', (SELECT max(id) FROM topics))")


def downgrade() -> None:
    """Remove the reference data (only possible while nothing refers to it)."""
    for table in (topics, country_regions, countries, regions):
        op.execute(table.delete())
