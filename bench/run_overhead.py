"""What arfleet adds around a bot: from a run being requested to the bot's first line, and from the
bot's last line to the run being marked finished, with 1 and 10 runs at once. The bot's own start-up
(Python + robocorp.tasks) is measured apart by starting the same bot directly, and subtracted; with
10 bots at once the direct start-ups all compete for the CPU while the runner's are staggered, so the
difference can come out negative: the raw figure is reported beside it.

    .venv/bin/python -m bench.run_overhead [--rounds 3]
"""
from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

from bench import results_file
from control_room.access.models import Role
from control_room.access.users import create_api_token, create_user
from control_room.audit.actors import Actor
from control_room.fleet.processes import ProcessSpec, StepSpec, apply_spec
from control_room.storage.engine import make_engine, make_session_factory
from control_room.storage.migrate import upgrade
from tests.support.live_server import free_port

BOTS = Path(__file__).parent / "bots"
ACTOR = Actor.user("bench")


def _stamps(lines: list[str]) -> tuple[float, float]:
    start = next(float(line.split()[1]) for line in lines if line.startswith("BOT_START"))
    end = next(float(line.split()[1]) for line in lines if line.startswith("BOT_END"))
    return start, end


def bot_startup(concurrency: int) -> float:
    """Seconds from spawning the bot directly to its first line (median over the batch)."""
    def once(_: int) -> float:
        with tempfile.TemporaryDirectory() as out:
            env = {k: v for k, v in os.environ.items() if not k.startswith("RC_")}
            env.update(RC_WORKITEM_ADAPTER="FileAdapter", RC_WORKITEM_INPUT_PATH=str(Path(out) / "in.json"),
                       RC_WORKITEM_OUTPUT_PATH=str(Path(out) / "out.json"))
            (Path(out) / "in.json").write_text('[{"payload": {}}]')
            spawned = time.time()
            result = subprocess.run([sys.executable, "-m", "robocorp.tasks", "run", str(BOTS / "stamp" / "tasks.py"),
                                     "-t", "stamp", "-o", out], env=env, capture_output=True, text=True, check=True)
            return _stamps(result.stdout.splitlines())[0] - spawned
    with ThreadPoolExecutor(concurrency) as pool:
        return statistics.median(pool.map(once, range(concurrency)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="arfleet-bench-runs-"))
    url_db = f"sqlite:///{home / 'arfleet.db'}"
    engine = make_engine(url_db)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        apply_spec(session, ProcessSpec("stamp", (StepSpec("stamp", "stamp", "stamp"),)), ACTOR)
        user = create_user(session, "bench", "bench password 123", Role.ADMIN, ACTOR)
        token = create_api_token(session, user, "bench", ACTOR)
    engine.dispose()
    auth = {"Authorization": f"Bearer {token}"}
    port = free_port()
    env = {**os.environ, "ARFLEET_HOME": str(home), "ARFLEET_DATABASE_URL": url_db,
           "ARFLEET_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(), "ARFLEET_SCHEDULES_FILE": "/nonexistent"}
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "control_room.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runner = None
    results = []
    try:
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        reg = requests.post(f"{base}/api/v1/registration-tokens", json={}, headers=auth, timeout=10).json()["token"]
        runner = subprocess.Popen([sys.executable, "-m", "runner", "--url", base, "--token", reg,
                                   "--name", "bench", "--capacity", "10", "--state-dir", str(home / "runner"),
                                   "--bots-dir", str(BOTS)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        for concurrency in (1, 10):
            startup = bot_startup(concurrency)
            to_first, to_finished, raw_first = [], [], []
            for _ in range(args.rounds):
                requested = {}
                for _ in range(concurrency):
                    requested_at = time.time()
                    run = requests.post(f"{base}/api/v1/processes/stamp/runs", json={"payloads": [{"payload": {}}]},
                                        headers=auth, timeout=10).json()
                    requested[run["id"]] = requested_at
                for run_id, requested_at in requested.items():
                    while (run := requests.get(f"{base}/api/v1/runs/{run_id}", headers=auth, timeout=10).json())[
                            "state"] in ("pending", "running"):
                        time.sleep(0.05)
                    lines = [line["line"] for line in requests.get(
                        f"{base}/api/v1/step-runs/{run['steps'][0]['id']}/logs", headers=auth, timeout=10
                    ).json()["lines"]]
                    bot_start, bot_end = _stamps(lines)
                    raw_first.append(bot_start - requested_at)
                    to_first.append(bot_start - requested_at - startup)
                    to_finished.append(datetime.fromisoformat(run["ended_at"]).timestamp() - bot_end)
            params = {"runs_at_once": concurrency, "db": "sqlite", "bot_startup_s": round(startup, 2)}
            results.append({"metric": "request_to_first_line_s", "value": round(statistics.median(raw_first), 2),
                            "unit": "s", "goal": "report", "params": params})
            results.append({"metric": "request_to_first_line_overhead_s",
                            "value": round(statistics.median(to_first), 2),
                            "unit": "s", "goal": "< 2", "params": params})
            results.append({"metric": "bot_end_to_run_finished_s", "value": round(statistics.median(to_finished), 2),
                            "unit": "s", "goal": "< 2", "params": params})
    finally:
        for proc in (runner, server):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    results_file.write("run_overhead", results)


if __name__ == "__main__":
    main()
