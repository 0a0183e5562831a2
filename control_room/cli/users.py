"""`arfleet users`: people who use the control room, and their API tokens."""
from __future__ import annotations

import sys

import click

from control_room.cli.context import operator, transaction


@click.group()
def users() -> None:
    """People who use the control room."""


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "it", "ops", "handler", "viewer"]))
def users_create(name: str, role: str) -> None:
    """Create a user; the password is read from standard input."""
    from control_room.access.models import Role
    from control_room.access.users import UserError, create_user

    password = sys.stdin.readline().rstrip("\n")
    try:
        with transaction() as session:
            create_user(session, name, password, Role(role), operator())
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created user {name} ({role})")


@users.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="what the token is for")
def users_token(name: str, label: str) -> None:
    """Create an API token for a user (printed once)."""
    from sqlalchemy import select

    from control_room.access.models import User
    from control_room.access.users import create_api_token

    with transaction() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise click.ClickException(f"no user named {name!r}")
        click.echo(create_api_token(session, user, label, operator()))
