"""`arfleet audit`: check the append-only audit log's hash chain."""
from __future__ import annotations

import sys

import click

from control_room.cli.context import transaction
from control_room.cli.exit_codes import EXIT_ERROR


@click.group()
def audit() -> None:
    """The append-only audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; name the first event that was altered or removed."""
    from control_room.audit import verify_chain

    with transaction() as session:
        verdict = verify_chain(session)
    if verdict.ok:
        click.echo(f"audit log intact: {verdict.events_checked} events verified")
        return
    click.echo(f"AUDIT LOG BROKEN at event {verdict.first_bad_event_id}: {verdict.reason}", err=True)
    sys.exit(EXIT_ERROR)
