"""Alembic environment: runs migrations on a given connection or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from partners_api.db import UTCDateTime
from partners_api.models import Base
from partners_api.organizations import search

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj, _autogen_context):
    """Write project column types as the plain SQLAlchemy types they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection) -> None:
    """Run the migrations on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_name=search.include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()
