"""The `arfleet` command. Every sub-command has --help; errors go to stderr with a non-zero exit:
1 for errors, 2 for usage errors, 3 when a duplicate reference was refused.

One module per command group (db, serve/up, schedules, runs, users, secrets, items, audit), what they
share in context.py; `runner` comes from the runner package and `sandbox` from the sandbox."""
from __future__ import annotations

import click

from control_room.cli import audit, db, items, runs, schedules, secrets, serve, users
from control_room.cli.exit_codes import EXIT_DUPLICATE, EXIT_ERROR, EXIT_USAGE
from runner.cli import runner
from sandbox.cli import sandbox as sandbox_commands

__all__ = ["EXIT_DUPLICATE", "EXIT_ERROR", "EXIT_USAGE", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """arfleet: an RPA bot fleet for accounts receivable, and its control room.

    Configuration comes from ARFLEET_* environment variables (ARFLEET_HOME, ARFLEET_DATABASE_URL,
    ARFLEET_MASTER_KEY); see the README."""


main.add_command(db.db)
main.add_command(serve.serve)
main.add_command(serve.up)
main.add_command(schedules.schedules)
main.add_command(runs.runs)
main.add_command(runner)
main.add_command(users.users)
main.add_command(secrets.secrets)
main.add_command(items.items)
main.add_command(audit.audit)
main.add_command(sandbox_commands)
