"""Alembic environment: the engine comes from `storage.migrate` (config.attributes["engine"])."""
from alembic import context

from control_room.storage import tables

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=tables.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
