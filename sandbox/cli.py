"""`arfleet sandbox ...`: the practice systems from the command line.

    arfleet sandbox up [--dir D] [--seed N] [--customers C] [--port erp=5101 ...]
    arfleet sandbox seed --seed N --customers C --out DIR [--as-of YYYY-MM-DD]

``sandbox`` is a click group; the `arfleet` command registers it. ``up`` runs in the foreground
until Ctrl-C or SIGTERM, then stops everything."""
from __future__ import annotations

import os
import signal
import threading
from datetime import date, datetime
from pathlib import Path

import click


def _default_dir() -> Path:
    home = Path(os.environ["ARFLEET_HOME"]) if os.environ.get("ARFLEET_HOME") else Path.cwd() / "var"
    return home / "sandbox"


def _ports(values: tuple[str, ...]) -> dict[str, int]:
    from sandbox.launcher import PORT_NAMES

    ports = {}
    for value in values:
        name, sep, port = value.partition("=")
        if not sep or name not in PORT_NAMES or not port.isdigit():
            raise click.BadParameter(f"expected NAME=PORT with NAME one of {', '.join(PORT_NAMES)}: {value!r}",
                                     param_hint="--port")
        ports[name] = int(port)
    return ports


@click.group("sandbox", context_settings={"help_option_names": ["-h", "--help"]})
def sandbox() -> None:
    """Practice copies of the systems the bots work against: ERP, supplier portals, Chorus Pro,
    the AR mailbox, the bank's files."""


@sandbox.command()
@click.option("--dir", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="data folder (default: $ARFLEET_HOME/sandbox, else ./var/sandbox)")
@click.option("--seed", default=1, show_default=True, help="demo company seed, when the folder has none yet")
@click.option("--customers", default=40, show_default=True, help="demo company size, when the folder has none yet")
@click.option("--port", "ports", multiple=True, metavar="NAME=PORT",
              help="fix a port: erp, portal_a, portal_b, chorus_pro, imap, smtp, lmtp "
                   "(repeatable; others are free ones)")
def up(data_dir: Path | None, seed: int, customers: int, ports: tuple[str, ...]) -> None:
    """Start every practice system, seed the demo company on first start, write the connection
    file; Ctrl-C stops everything."""
    from sandbox.launcher import Sandbox, SandboxError

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    running = Sandbox(data_dir or _default_dir(), _ports(ports), seed=seed, customers=customers,
                      progress=lambda message: click.echo(f"  {message}", err=True))
    try:
        running.start()
    except SandboxError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        urls = running.connection["urls"]
        mail = running.connection["mail"]
        click.echo("arfleet sandbox is up:")
        for name in ("erp", "portal_a", "portal_b", "chorus_pro"):
            click.echo(f"  {name:<11} {urls[name]}")
        click.echo(f"  {'imap':<11} {mail['host']}:{mail['imap_port']}  (AR mailbox {mail['ar_mailbox']})")
        click.echo(f"  {'smtp':<11} {mail['host']}:{mail['smtp_port']}")
        click.echo(f"connection file (with the demo credentials): {running.connection_file}")
        click.echo("Ctrl-C stops everything.")
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("stopping the sandbox…", err=True)
        running.stop()
        signal.signal(signal.SIGTERM, previous)


@sandbox.command()
@click.option("--seed", required=True, type=int, help="same seed, same company (byte for byte)")
@click.option("--customers", required=True, type=int)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day the books are seen (default: the generator's fixed demo date)")
def seed(seed: int, customers: int, out: Path, as_of: datetime | None) -> None:
    """Write the demo company: per-app seeds, ground truth, remittance advices, mailbox stream,
    bank files."""
    from sandbox.demo_data import write

    day: date | None = as_of.date() if as_of else None
    for name, path in write(out, seed, customers, day).items():
        click.echo(f"{name}: {path}")
