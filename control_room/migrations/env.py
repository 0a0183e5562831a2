"""Alembic environment: the engine comes from `migrations_runner` (config.attributes["engine"])."""
from alembic import context

from control_room import models  # noqa: F401  (registers the tables)
from control_room.db import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
