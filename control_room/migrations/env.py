"""Alembic environment: the engine comes from `storage.migrate` (config.attributes["engine"]).

On SQLite, migrations run with foreign keys off and checked once they are done, as SQLite's own procedure
for schema changes asks: rebuilding a table (the only way to change some of its properties) drops the old
one, which with foreign keys on would first delete, or cascade to, the rows that refer to it."""
from alembic import context

from control_room.storage import tables

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # before any transaction begins: SQLite ignores this pragma inside one
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, target_metadata=tables.metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if sqlite:
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA foreign_keys=ON")
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows that refer to missing ones: {broken[:5]}")
