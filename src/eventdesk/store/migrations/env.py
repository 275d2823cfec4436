"""Alembic environment: the engine is handed in by ``eventdesk.store.migrate``."""

from alembic import context
from sqlmodel import SQLModel

import eventdesk.store.models  # noqa: F401  (registers the tables)

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    if connection.dialect.name == "postgresql":
        eventdesk.store.models.postgresql_options()
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
