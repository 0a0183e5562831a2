"""`arfleet runs`: start and stop process runs."""
from __future__ import annotations

import click

from control_room.cli.context import operator, parse_payload, transaction


@click.group()
def runs() -> None:
    """Process runs."""


@runs.command("start")
@click.argument("process")
@click.option("--payload", "payloads", multiple=True, help="JSON object: an item for the first step (repeat)")
def runs_start(process: str, payloads: tuple[str, ...]) -> None:
    """Start a run now, optionally with payloads for its input queue; prints the run id."""
    from control_room.fleet import runs as run_logic
    from control_room.fleet.processes import UnknownProcess, get_process
    from control_room.queue.transitions import DuplicateReference, NewItem

    items = [NewItem(payload=parse_payload(text)) for text in payloads]
    try:
        with transaction() as session:
            run = run_logic.start_run(session, get_process(session, process), operator(), items)
            run_id = run.id
    except (UnknownProcess, DuplicateReference) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(run_id))


@runs.command("stop")
@click.argument("run_id", type=int)
def runs_stop(run_id: int) -> None:
    """Stop a run: pending steps are cancelled, running bots are terminated by their runner."""
    from control_room.fleet import runs as run_logic
    from control_room.fleet.models import ProcessRun

    with transaction() as session:
        run = session.get(ProcessRun, run_id)
        if run is None:
            raise click.ClickException(f"no run {run_id}")
        try:
            run_logic.request_stop(session, run, operator())
        except run_logic.RunError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"run {run_id} is stopping")
