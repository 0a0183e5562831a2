"""What the commands share: the settings (from ARFLEET_* variables), a committed transaction on the
configured database, the vault, and the operator the CLI's actions are audited as."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from control_room.audit.actors import Actor
from control_room.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from control_room.vault.store import Vault


def load_settings() -> Settings:
    return Settings.from_env()


@contextmanager
def transaction() -> Iterator[Session]:
    """A committed transaction on the configured database (with the schema up to date); the engine is
    disposed afterwards, so no connection outlives the command."""
    from control_room.storage.engine import make_engine, make_session_factory
    from control_room.storage.files import FileStore
    from control_room.storage.migrate import DatabaseNotUpgraded, require_current

    settings = load_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        try:
            require_current(engine)
        except DatabaseNotUpgraded as exc:
            raise click.ClickException(str(exc)) from None
        with make_session_factory(engine, FileStore(settings.files_dir)).begin() as session:
            yield session
    finally:
        engine.dispose()


def open_vault() -> Vault:
    from control_room.vault.store import Vault
    from credentials import master_key

    settings = load_settings()
    try:
        return Vault(master_key.load_or_create(settings.master_key, settings.resolved_master_key_file))
    except master_key.MasterKeyError as exc:
        raise click.ClickException(str(exc)) from None


def operator() -> Actor:
    """CLI actions are audited as the operating-system user who ran them."""
    import getpass

    return Actor("user", f"cli:{getpass.getuser()}")


def parse_payload(text: str, option: str = "--payload") -> dict[str, Any]:
    """A JSON object given on the command line, or a usage error that says what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{option} is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{option} must be a JSON object")
    return data
