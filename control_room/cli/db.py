"""`arfleet db`: the database schema."""
from __future__ import annotations

import click

from control_room.cli.context import load_settings


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from control_room.storage.engine import make_engine
    from control_room.storage.migrate import head_revision, upgrade

    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    click.echo(f"database is at revision {head_revision()}")
