"""`arfleet schedules`: processes, schedules and queue triggers from schedules.yaml, and applying that
file (which `serve` and `up` do at start too)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from control_room.cli.context import operator, transaction
from control_room.cli.exit_codes import EXIT_ERROR


def schedules_path(path: Path | None) -> Path:
    """ARFLEET_SCHEDULES_FILE when set, else ``path``, else ./schedules.yaml."""
    if os.environ.get("ARFLEET_SCHEDULES_FILE"):
        return Path(os.environ["ARFLEET_SCHEDULES_FILE"])
    return path or Path("schedules.yaml")


def apply_schedules_file(path: Path, quiet: bool = False) -> None:
    """Apply the file to the database; a missing file is an error unless ``quiet``."""
    from control_room.fleet.schedules_file import InvalidFleetFile, load
    from control_room.fleet.schedules_sync import apply_fleet

    if not path.exists():
        if not quiet:
            raise click.ClickException(f"{path} does not exist")
        return
    try:
        fleet = load(path)
    except InvalidFleetFile as exc:
        raise click.ClickException(f"{path} is not valid:\n{exc}") from None
    with transaction() as session:
        apply_fleet(session, fleet, operator())
    click.echo(f"{path}: {len(fleet.processes)} processes, {len(fleet.schedules)} schedules, "
               f"{len(fleet.triggers)} queue triggers loaded")


@click.group()
def schedules() -> None:
    """Processes, schedules and queue triggers declared in schedules.yaml."""


@schedules.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def schedules_check(path: Path | None) -> None:
    """Validate schedules.yaml; report each error with its line."""
    from control_room.fleet.schedules_file import InvalidFleetFile, load

    path = schedules_path(path)
    try:
        fleet = load(path)
    except InvalidFleetFile as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"{path} is valid: {len(fleet.processes)} processes, {len(fleet.schedules)} schedules, "
               f"{len(fleet.triggers)} queue triggers")


@schedules.command("reload")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def schedules_reload(path: Path | None) -> None:
    """Apply schedules.yaml to the database; running control rooms follow within seconds."""
    apply_schedules_file(schedules_path(path))
