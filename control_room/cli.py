"""The `arfleet` command. Every sub-command has --help; errors go to stderr with a non-zero exit:
1 for errors, 2 for usage errors, 3 when a duplicate reference was refused."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import select

from control_room.actors import Actor
from control_room.config import Settings
from sandbox.cli import sandbox as sandbox_commands

EXIT_DUPLICATE = 3
REPO_ROOT = Path(__file__).resolve().parents[1]


def _settings() -> Settings:
    return Settings.from_env()


@contextmanager
def _transaction():
    """A committed transaction on the configured database (with the schema up to date)."""
    from control_room.db import make_engine, make_session_factory
    from control_room.file_store import FileStore
    from control_room.migrations_runner import DatabaseNotUpgraded, require_current

    settings = _settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        require_current(engine)
    except DatabaseNotUpgraded as exc:
        raise click.ClickException(str(exc)) from None
    try:
        with make_session_factory(engine, FileStore(settings.files_dir)).begin() as session:
            yield session
    finally:
        engine.dispose()


def _vault():
    from credentials import master_key
    from credentials.vault import Vault

    settings = _settings()
    try:
        return Vault(master_key.load_or_create(settings.master_key, settings.resolved_master_key_file))
    except master_key.MasterKeyError as exc:
        raise click.ClickException(str(exc)) from None


def _operator() -> Actor:
    """CLI actions are audited as the operating-system user who ran them."""
    import getpass

    return Actor("user", f"cli:{getpass.getuser()}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """arfleet: an RPA bot fleet for accounts receivable, and its control room.

    Configuration comes from ARFLEET_* environment variables (ARFLEET_HOME, ARFLEET_DATABASE_URL,
    ARFLEET_MASTER_KEY); see the README."""


# --- db ----------------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    from control_room.db import make_engine
    from control_room.migrations_runner import head_revision, upgrade

    settings = _settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    click.echo(f"database is at revision {head_revision()}")


# --- serve / up --------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=int, help="threads per worker")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the control room with gunicorn (production WSGI server), with the scheduler and the lease
    sweeper. schedules.yaml (ARFLEET_SCHEDULES_FILE, default ./schedules.yaml) is loaded first."""
    from control_room.server import serve as run_server

    _apply_schedules_file(_schedules_path(None), quiet=True)
    run_server(_settings(), host, port, workers, threads)


def _schedules_path(path: Path | None) -> Path:
    import os

    if os.environ.get("ARFLEET_SCHEDULES_FILE"):
        return Path(os.environ["ARFLEET_SCHEDULES_FILE"])
    return path or Path("schedules.yaml")


def _apply_schedules_file(path: Path, quiet: bool = False) -> None:
    from control_room.fleet_file import InvalidFleetFile, load
    from control_room.fleet_sync import apply_fleet

    if not path.exists():
        if not quiet:
            raise click.ClickException(f"{path} does not exist")
        return
    try:
        fleet = load(path)
    except InvalidFleetFile as exc:
        raise click.ClickException(f"{path} is not valid:\n{exc}") from None
    with _transaction() as session:
        apply_fleet(session, fleet, _operator())
    click.echo(f"{path}: {len(fleet.processes)} processes, {len(fleet.schedules)} schedules, "
               f"{len(fleet.triggers)} queue triggers loaded")


# --- schedules ---------------------------------------------------------------------------------------
@main.group()
def schedules() -> None:
    """Processes, schedules and queue triggers declared in schedules.yaml."""


@schedules.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def schedules_check(path: Path | None) -> None:
    """Validate schedules.yaml; report each error with its line."""
    from control_room.fleet_file import InvalidFleetFile, load

    path = _schedules_path(path)
    try:
        fleet = load(path)
    except InvalidFleetFile as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{path} is valid: {len(fleet.processes)} processes, {len(fleet.schedules)} schedules, "
               f"{len(fleet.triggers)} queue triggers")


@schedules.command("reload")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def schedules_reload(path: Path | None) -> None:
    """Apply schedules.yaml to the database; running control rooms follow within seconds."""
    _apply_schedules_file(_schedules_path(path))


# --- runs --------------------------------------------------------------------------------------------
@main.group()
def runs() -> None:
    """Process runs."""


@runs.command("start")
@click.argument("process")
@click.option("--payload", "payloads", multiple=True, help="JSON object: an item for the first step (repeat)")
def runs_start(process: str, payloads: tuple[str, ...]) -> None:
    """Start a run now, optionally with payloads for its input queue; prints the run id."""
    from control_room import runs as run_logic
    from control_room.processes import UnknownProcess, get_process
    from control_room.transitions import DuplicateReference, NewItem

    items = []
    for text in payloads:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"--payload is not JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise click.ClickException("--payload must be a JSON object")
        items.append(NewItem(payload=data))
    try:
        with _transaction() as session:
            run = run_logic.start_run(session, get_process(session, process), _operator(), items)
            run_id = run.id
    except (UnknownProcess, DuplicateReference) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(run_id))


@runs.command("stop")
@click.argument("run_id", type=int)
def runs_stop(run_id: int) -> None:
    """Stop a run: pending steps are cancelled, running bots are terminated by their runner."""
    from control_room import runs as run_logic
    from control_room.models import ProcessRun

    with _transaction() as session:
        run = session.get(ProcessRun, run_id)
        if run is None:
            raise click.ClickException(f"no run {run_id}")
        try:
            run_logic.request_stop(session, run, _operator())
        except run_logic.RunError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"run {run_id} is stopping")


# --- runner ------------------------------------------------------------------------------------------
@main.command()
@click.option("--url", required=True, help="the control room, e.g. http://control-room:8000")
@click.option("--token", default=None, help="one-time registration token (first start only)")
@click.option("--name", default=None, help="default: this machine's host name")
@click.option("--labels", default="", help="comma-separated, e.g. browser,mail")
@click.option("--capacity", default=1, show_default=True, type=int, help="bots run at once")
@click.option("--state-dir", default=None, type=click.Path(path_type=Path),
              help="credential and run outputs (default ~/.arfleet-runner)")
@click.option("--bots-dir", default=None, type=click.Path(path_type=Path, file_okay=False),
              help="folder holding the bots (default: the installed project's bots/)")
@click.option("--heartbeat-seconds", default=10.0, show_default=True, type=float)
def runner(url: str, token: str | None, name: str | None, labels: str, capacity: int, state_dir: Path | None,
           bots_dir: Path | None, heartbeat_seconds: float) -> None:
    """Run bots for a control room on this machine until Ctrl-C."""
    import logging
    import signal
    import socket

    from runner.agent import Runner, RunnerOptions, register_or_load

    logging.basicConfig(level=logging.INFO, format="%(asctime)s runner %(levelname)s %(message)s")
    options = RunnerOptions(
        url=url, token=token, name=name or socket.gethostname(), capacity=capacity,
        labels=[label.strip() for label in labels.split(",") if label.strip()],
        state_dir=state_dir or Path.home() / ".arfleet-runner", bots_dir=bots_dir or REPO_ROOT / "bots",
        heartbeat_seconds=heartbeat_seconds)
    agent = Runner(options, register_or_load(options))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: agent.stop())
    agent.run_forever()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-sandbox", is_flag=True, help="do not start the practice systems and demo data")
def up(host: str, port: int, no_sandbox: bool) -> None:
    """Everything on one machine: the control room with its scheduler, a local runner, and the
    sandbox with demo data. Ctrl-C stops it all."""
    from control_room.stack import Stack, prepare, store_sandbox_credentials

    settings = _settings()
    first = prepare(settings)
    _apply_schedules_file(_schedules_path(REPO_ROOT / "schedules.yaml"), quiet=True)
    stack = Stack(settings, host, port, REPO_ROOT / "bots")
    practice = None
    click.echo("Starting arfleet:")
    try:
        connection_file = None
        if not no_sandbox:
            from sandbox.launcher import Sandbox

            practice = Sandbox(settings.home / "sandbox", progress=lambda text: click.echo(f"  sandbox: {text}"))
            practice.start()
            stored = store_sandbox_credentials(settings, practice.connection["credentials"])
            if stored:
                click.echo(f"  vault: {len(stored)} sandbox demo accounts stored")
            connection_file = practice.connection_file
        stack.start(connection_file)
        click.echo(f"\narfleet is up: {stack.url}/   (API: {stack.url}/api/v1/openapi.json)")
        if practice is not None:
            urls = practice.connection["urls"]
            click.echo("Practice systems: " + ", ".join(f"{name} {urls[name]}" for name in
                                                       ("erp", "portal_a", "portal_b", "chorus_pro")))
        if first.admin_password:
            click.echo(f"First start: log in as 'admin' with password {first.admin_password}  "
                       "(shown once: change it)")
        else:
            click.echo("Log in with your user; `arfleet users create NAME --role admin` adds one.")
        click.echo("Ctrl-C stops everything.")
        stack.wait()
    finally:
        click.echo("Stopping arfleet:")
        stack.stop()
        if practice is not None:
            practice.stop()
            click.echo("  sandbox: stopped")


# --- users -------------------------------------------------------------------------------------------
@main.group()
def users() -> None:
    """People who use the control room."""


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "it", "ops", "handler", "viewer"]))
def users_create(name: str, role: str) -> None:
    """Create a user; the password is read from standard input."""
    from control_room.models import Role
    from control_room.users import UserError, create_user

    password = sys.stdin.readline().rstrip("\n")
    try:
        with _transaction() as session:
            create_user(session, name, password, Role(role), _operator())
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created user {name} ({role})")


@users.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="what the token is for")
def users_token(name: str, label: str) -> None:
    """Create an API token for a user (printed once)."""
    from control_room.models import User
    from control_room.users import create_api_token

    with _transaction() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise click.ClickException(f"no user named {name!r}")
        click.echo(create_api_token(session, user, label, _operator()))


# --- secrets -----------------------------------------------------------------------------------------
@main.group()
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
    vault = _vault()
    with _transaction() as session:
        vault.check_master_key(session)
        version = vault.set(session, name, values, _operator(), processes=list(processes), description=description)
    click.echo(f"secret {name} stored (version {version}, readable by {', '.join(processes)})")


@secrets.command("delete")
@click.argument("name")
def secrets_delete(name: str) -> None:
    """Delete a secret and all its versions."""
    from credentials.vault import SecretNotFound

    try:
        with _transaction() as session:
            _vault().delete(session, name, _operator())
    except SecretNotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"secret {name} deleted")


# --- items -------------------------------------------------------------------------------------------
@main.group()
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
    from control_room import transitions
    from control_room.file_store import FileStore
    from control_room.models import WorkItemFile
    from control_room.processes import UnknownProcess, get_process

    try:
        data = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--payload is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise click.ClickException("--payload must be a JSON object")
    settings = _settings()
    store = FileStore(settings.files_dir)
    try:
        with _transaction() as session:
            proc = get_process(session, process)
            item = transitions.create(session, proc.input_queue,
                                      transitions.NewItem(payload=data, reference=reference, priority=priority),
                                      _operator(), process_id=proc.id)
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
    from control_room.models import ItemState, WorkItem
    from control_room.processes import UnknownProcess, get_process

    with _transaction() as session:
        query = select(WorkItem)
        try:
            if process:
                query = query.where(WorkItem.process_id == get_process(session, process).id)
        except UnknownProcess as exc:
            raise click.ClickException(str(exc)) from None
        if state:
            query = query.where(WorkItem.state == ItemState(state))
        for item in session.scalars(query.order_by(WorkItem.id.desc()).limit(limit)):
            exc = f"{item.exception_type.value}:{item.exception_code or ''}" if item.exception_type else ""
            click.echo("\t".join([str(item.id), item.queue.name, item.state.value, item.reference or "",
                                  str(item.attempts), exc]))


# --- audit -------------------------------------------------------------------------------------------
@main.group()
def audit() -> None:
    """The append-only audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; name the first event that was altered or removed."""
    from control_room.audit import verify_chain

    with _transaction() as session:
        verdict = verify_chain(session)
    if verdict.ok:
        click.echo(f"audit log intact: {verdict.events_checked} events verified")
        return
    click.echo(f"AUDIT LOG BROKEN at event {verdict.first_bad_event_id}: {verdict.reason}", err=True)
    sys.exit(1)


main.add_command(sandbox_commands)


if __name__ == "__main__":
    main()
