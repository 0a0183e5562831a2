"""`arfleet items`: add work items to a process's input queue and list them."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from control_room.cli.context import load_settings, operator, parse_payload, transaction
from control_room.cli.exit_codes import EXIT_DUPLICATE


@click.group()
def items() -> None:
    """Work items."""


@items.command("add")
@click.argument("process")
@click.option("--payload", default="{}", show_default=True, help="JSON object")
@click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", default=None, help="unique per queue (invoice number, Message-ID…)")
@click.option("--priority", default=0, type=int, show_default=True)
def items_add(process: str, payload: str, files: tuple[Path, ...], reference: str | None, priority: int) -> None:
    """Add an item to a process's input queue."""
    from control_room.fleet.processes import UnknownProcess, get_process
    from control_room.queue import transitions
    from control_room.queue.models import WorkItemFile
    from control_room.storage.files import FileStore

    data = parse_payload(payload)
    settings = load_settings()
    store = FileStore(settings.files_dir)
    try:
        with transaction() as session:
            proc = get_process(session, process)
            item = transitions.create(session, proc.input_queue,
                                      transitions.NewItem(payload=data, reference=reference, priority=priority),
                                      operator(), process_id=proc.id)
            for path in files:
                row = WorkItemFile(item_id=item.id, name=path.name, size=0, sha256="")
                session.add(row)
                session.flush()
                with path.open("rb") as stream:
                    row.size, row.sha256 = store.write("items", item.id, row.id, stream, settings.max_file_bytes)
            item_id = item.id
    except UnknownProcess as exc:
        raise click.ClickException(str(exc)) from None
    except transitions.DuplicateReference as exc:
        click.echo(f"Error: {exc}", err=True)
        click.echo(str(exc.existing_id))
        sys.exit(EXIT_DUPLICATE)
    click.echo(str(item_id))


@items.command("list")
@click.option("--process", default=None)
@click.option("--state", default=None, type=click.Choice(["draft", "new", "reserved", "done", "exception", "rejected"]))
@click.option("--limit", default=50, show_default=True, type=int)
def items_list(process: str | None, state: str | None, limit: int) -> None:
    """List items, newest first (tab-separated: id, queue, state, reference, attempts, exception)."""
    from sqlalchemy import select

    from control_room.fleet.processes import UnknownProcess, get_process
    from control_room.queue.models import ItemState, WorkItem

    with transaction() as session:
        query = select(WorkItem)
        try:
            if process:
                query = query.where(WorkItem.process_id == get_process(session, process).id)
        except UnknownProcess as exc:
            raise click.ClickException(str(exc)) from None
        if state:
            query = query.where(WorkItem.state == ItemState(state))
        for item in session.scalars(query.order_by(WorkItem.id.desc()).limit(limit)):
            exception = f"{item.exception_type.value}:{item.exception_code or ''}" if item.exception_type else ""
            click.echo("\t".join([str(item.id), item.queue.name, item.state.value, item.reference or "",
                                  str(item.attempts), exception]))
