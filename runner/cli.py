"""`arfleet runner` (also `python -m runner`): the runner's command. It needs only click and the runner
package, so a VM runs it with the runner's own small set of dependencies: nothing of the control room
or the sandbox is imported here."""
from __future__ import annotations

from pathlib import Path

import click

BOTS_DIR = Path(__file__).resolve().parents[1] / "bots"  # the installed project's bots/, beside runner/


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
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
        state_dir=state_dir or Path.home() / ".arfleet-runner", bots_dir=bots_dir or BOTS_DIR,
        heartbeat_seconds=heartbeat_seconds)
    agent = Runner(options, register_or_load(options))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: agent.stop())
    agent.run_forever()
