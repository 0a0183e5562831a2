"""`arfleet serve` (the control room under gunicorn) and `arfleet up` (everything on one machine)."""
from __future__ import annotations

from pathlib import Path

import click

from control_room.cli.context import load_settings
from control_room.cli.schedules import apply_schedules_file, schedules_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # holds bots/ and the shipped schedules.yaml


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=int, help="threads per worker")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the control room with gunicorn (production WSGI server), with the scheduler and the lease
    sweeper. schedules.yaml (ARFLEET_SCHEDULES_FILE, default ./schedules.yaml) is loaded first."""
    from control_room.serving.server import serve as run_server

    apply_schedules_file(schedules_path(None), quiet=True)
    run_server(load_settings(), host, port, workers, threads)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-sandbox", is_flag=True, help="do not start the practice systems and demo data")
def up(host: str, port: int, no_sandbox: bool) -> None:
    """Everything on one machine: the control room with its scheduler, a local runner, and the
    sandbox with demo data. Ctrl-C stops it all."""
    from control_room.serving.stack import Stack, prepare, store_sandbox_credentials

    settings = load_settings()
    first = prepare(settings)
    apply_schedules_file(schedules_path(PROJECT_ROOT / "schedules.yaml"), quiet=True)
    stack = Stack(settings, host, port, PROJECT_ROOT / "bots")
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
