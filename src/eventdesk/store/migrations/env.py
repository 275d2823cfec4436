"""Alembic environment: ``eventdesk.store.migrate`` hands in a connection that holds the store's
migration lock inside its transaction (Alembic then begins and commits nothing itself: the whole
upgrade is that one transaction), or an engine alone (a new migration written against a scratch
database)."""

from alembic import context
from sqlmodel import SQLModel

import eventdesk.store.models

config = context.config


def run(connection) -> None:
    if connection.dialect.name == "postgresql":
        eventdesk.store.models.postgresql_options()
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if "connection" in config.attributes:
    run(config.attributes["connection"])
else:
    with config.attributes["engine"].connect() as scratch:
        run(scratch)
        scratch.commit()
