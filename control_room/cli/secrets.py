"""`arfleet secrets`: the credentials vault; values go in through standard input and never come out."""
from __future__ import annotations

import json
import sys

import click

from control_room.cli.context import open_vault, operator, transaction


@click.group()
def secrets() -> None:
    """The credentials vault (values are write-only)."""


@secrets.command("set")
@click.argument("name")
@click.option("--process", "processes", multiple=True, required=True, help="process allowed to read it (repeat)")
@click.option("--description", default=None)
def secrets_set(name: str, processes: tuple[str, ...], description: str | None) -> None:
    """Create or rotate a secret; its JSON object value is read from standard input."""
    try:
        values = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"standard input is not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(values, dict):
        raise click.ClickException("the secret must be a JSON object, e.g. {\"login\": \"…\", \"password\": \"…\"}")
    vault = open_vault()
    with transaction() as session:
        vault.check_master_key(session)
        version = vault.set(session, name, values, operator(), processes=list(processes), description=description)
    click.echo(f"secret {name} stored (version {version}, readable by {', '.join(processes)})")


@secrets.command("delete")
@click.argument("name")
def secrets_delete(name: str) -> None:
    """Delete a secret and all its versions."""
    from control_room.vault.store import SecretNotFound

    try:
        with transaction() as session:
            open_vault().delete(session, name, operator())
    except SecretNotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"secret {name} deleted")
