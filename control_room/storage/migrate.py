"""Applying Alembic migrations from code (`arfleet db upgrade`) and refusing to serve a database that
is behind."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent.parent / "migrations"


class DatabaseNotUpgraded(RuntimeError):
    pass


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(_config(engine), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def require_current(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise DatabaseNotUpgraded(
            f"the database is at revision {current or 'none'}, the code needs {head}: run `arfleet db upgrade`")
