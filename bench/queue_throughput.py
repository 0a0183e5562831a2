"""Reserve + release cycles per second through the robot API, with 1, 8 and 32 concurrent clients,
on SQLite and PostgreSQL, served by gunicorn as in production. Also counts items served twice, and
where the cores went (server, PostgreSQL, the load generator), since all three share this machine.

    .venv/bin/python -m bench.queue_throughput [--seconds 10] [--db sqlite,postgresql]
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench import results_file
from control_room.access.models import Role
from control_room.access.users import create_api_token, create_user
from control_room.audit.actors import Actor
from control_room.fleet.processes import ProcessSpec, StepSpec, apply_spec, get_process
from control_room.queue import transitions
from control_room.queue.models import WorkItem
from control_room.queue.transitions import NewItem
from control_room.storage.engine import make_engine, make_session_factory
from control_room.storage.migrate import upgrade
from tests.support.live_server import free_port
from tests.support.postgres import admin_url

CLIENT_COUNTS = (1, 8, 32)
CLIENT_PROCESSES = 4
ACTOR = Actor.user("bench")


def _seed(url: str, items: int) -> str:
    """Declare the process and queue `items` items; return an ops API token."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        apply_spec(session, ProcessSpec("bench", (StepSpec("work", "none", "none"),)), ACTOR)
        user = create_user(session, "bench-ops", "bench password 123", Role.ADMIN, ACTOR)
        token = create_api_token(session, user, "bench", ACTOR)
    with sessions.begin() as session:
        process = get_process(session, "bench")
        for n in range(items):
            transitions.create(session, process.input_queue, NewItem(payload={"n": n}), ACTOR, process_id=process.id)
    engine.dispose()
    return token


def _claim(base: str, token: str) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    reg = requests.post(f"{base}/api/v1/registration-tokens", json={}, headers=auth, timeout=30).json()["token"]
    runner = requests.post(f"{base}/api/v1/runners/register", json={"token": reg, "name": f"bench-{time.time()}"},
                           timeout=30).json()["credential"]
    requests.post(f"{base}/api/v1/processes/bench/runs", json={}, headers=auth, timeout=30).raise_for_status()
    claim = requests.post(f"{base}/api/v1/runners/assignments", json={"wait_seconds": 5},
                          headers={"Authorization": f"Bearer {runner}"}, timeout=30)
    claim.raise_for_status()
    return claim.json()


class _RobotClient:
    """One bot's keep-alive HTTP connection to the robot API. Plain http.client rather than requests:
    the load generator shares the machine's two cores with the server, and every millisecond it
    spends per call is taken from the server being measured."""

    def __init__(self, base: str, prefix: str, token: str) -> None:
        url = urlsplit(base)
        self._conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self._prefix = urlsplit(prefix).path
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, route: str, body: dict | None = None) -> tuple[int, dict]:
        self._conn.request("POST", f"{self._prefix}/{route}", body=json.dumps(body or {}), headers=self._headers)
        response = self._conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")


def _client_process(base: str, env: dict, threads: int, seconds: float, start_at: float, out) -> None:
    prefix = (f"{base}/process-v1/workspaces/{env['RC_WORKSPACE_ID']}/processes/{env['RC_PROCESS_ID']}"
              f"/runs/{env['RC_PROCESS_RUN_ID']}/robotRuns/{env['RC_ACTIVITY_RUN_ID']}")
    served: list[int] = []
    errors = Counter()
    lock = threading.Lock()

    def loop() -> None:
        client = _RobotClient(base, prefix, env["RC_API_PROCESS_TOKEN"])
        mine = []
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < start_at + seconds:
            status, got = client.post("reserve-next-work-item")
            if status != 200:
                errors[status] += 1
                continue
            item_id = got["workItemId"]
            if item_id is None:
                break
            status, _ = client.post("release-work-item", {"workItemId": item_id, "state": "COMPLETED"})
            if status != 200:
                errors[status] += 1
                continue
            mine.append(int(item_id))
        with lock:
            served.extend(mine)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((served, dict(errors)))


def _cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _pids(match) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if match(entry.name, (entry / "cmdline").read_bytes()):
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def _cpu_split(server_pid: int, client_pids: set[int], window: float) -> dict[str, float]:
    """Cores used by the server (gunicorn and its workers), PostgreSQL and the load generator over
    ``window`` seconds: where the machine's two cores go."""
    groups = {
        "server": _pids(lambda pid, cmd: pid == str(server_pid) or b"control_room.cli\0serve" in cmd),
        "postgres": _pids(lambda pid, cmd: cmd.startswith(b"postgres:")),
        "clients": client_pids,
    }
    before = {name: _cpu_seconds(pids) for name, pids in groups.items()}
    time.sleep(window)
    return {f"cores_{name}": round((_cpu_seconds(pids) - before[name]) / window, 2) for name, pids in groups.items()}


def _measure(base: str, env: dict, clients: int, seconds: float, server_pid: int) -> tuple[float, int, int, dict, dict]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    processes = min(clients, CLIENT_PROCESSES)
    split = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    start_at = time.time() + 3
    procs = [ctx.Process(target=_client_process, args=(base, env, n, seconds, start_at, out)) for n in split]
    for p in procs:
        p.start()
    time.sleep(max(start_at + seconds * 0.2 - time.time(), 0))
    cpu = _cpu_split(server_pid, {p.pid for p in procs}, seconds * 0.6)
    gathered = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    served = [i for batch, _ in gathered for i in batch]
    errors = Counter()
    for _, e in gathered:
        errors.update(e)
    twice = len(served) - len(set(served))
    return len(served) / seconds, len(served), twice, dict(errors), cpu


def _double_reserved_in_db(url: str) -> int:
    """Items that were reserved more than once (attempts > 1): would mean two runs held one item."""
    from sqlalchemy import func, select

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.attempts > 1)) or 0
    engine.dispose()
    return count


def run_db(db: str, url: str, seconds: float, workers: int, threads: int,
           client_counts: tuple[int, ...] = CLIENT_COUNTS) -> list[dict]:
    results = []
    for clients in client_counts:
        home = Path(tempfile.mkdtemp(prefix=f"arfleet-bench-{db}-"))
        db_url = url or f"sqlite:///{home / 'arfleet.db'}"
        if db == "postgresql":
            import psycopg

            name = f"bench_{clients}_{int(time.time())}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            db_url = url.rpartition("/")[0] + f"/{name}"
        items = int(seconds * 1500) + 1000
        print(f"[{db}, {clients} clients] seeding {items} items…", flush=True)
        token = _seed(db_url, items)
        port = free_port()
        env = {**os.environ, "ARFLEET_HOME": str(home), "ARFLEET_DATABASE_URL": db_url,
               "ARFLEET_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
        server = subprocess.Popen([sys.executable, "-m", "control_room.cli", "serve", "--port", str(port),
                                   "--workers", str(workers), "--threads", str(threads)],
                                  env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if requests.get(f"{base}/healthz", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    time.sleep(0.1)
            env_rc = _claim(base, token)["env"]
            rate, served, twice, errors, cpu = _measure(base, env_rc, clients, seconds, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        twice += _double_reserved_in_db(db_url)
        params = {"db": db, "clients": clients, "server": f"gunicorn {workers}x{threads} gthread",
                  "client": "http.client keep-alive", **cpu}
        goal = ">= 500" if (db, clients) == ("postgresql", 8) else "report"
        results.append({"metric": "items_per_s", "value": round(rate, 1), "unit": "items/s", "goal": goal,
                        "params": params})
        results.append({"metric": "double_served", "value": twice, "unit": "items", "goal": "== 0", "params": params})
        if errors:
            results.append({"metric": "http_errors", "value": sum(errors.values()), "unit": "requests",
                            "goal": "== 0", "params": {**params, "by_status": errors}})
        print(f"[{db}, {clients} clients] {rate:.1f} items/s, {served} served, {twice} twice, errors {errors}",
              flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2, help="as `arfleet serve` (its default)")
    parser.add_argument("--threads", type=int, default=8, help="as `arfleet serve` (its default)")
    parser.add_argument("--clients", default=",".join(map(str, CLIENT_COUNTS)), help="e.g. 1,8,32")
    args = parser.parse_args()
    results = []
    for db in args.db.split(","):
        with admin_url() if db == "postgresql" else nullcontext("") as url:
            results += run_db(db, url, args.seconds, args.workers, args.threads,
                              tuple(int(n) for n in args.clients.split(",")))
    results_file.write("queue_throughput", results)


if __name__ == "__main__":
    main()
