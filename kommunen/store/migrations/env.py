"""Alembic environment: runs on the connection db.upgrade hands over, or on the URL from settings."""

from alembic import context

from kommunen.store import verwaltungen_model  # noqa: F401  (its table in the metadata)
from kommunen.store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    from kommunen.config import Settings
    from kommunen.store.db import make_engine

    with make_engine(Settings.from_env().database_url).begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
