"""Invoice distribution through the real product: the sandbox (ERP, portals A and B, Chorus Pro, the
mailbox), the control room served by `arfleet serve` with schedules.yaml, and one `arfleet runner`
(capacity 1) running bots/portal_upload. A batch of seeded invoices across every channel is
collected from the ERP and delivered; then:

- invoices per minute per channel: the channel's invoices divided by the time the deliver bot
  spent on them (each item from its reservation to its release, from the audit log), and overall
  (all invoices over the deliver step's wall time, the bot's start-up included);
- the Chorus Pro API deposit time of every deposit (the call alone, as the bot measured it);
- duplicates: invoices that reached their channel more than once, counted on the sandbox's own
  records (portal submissions, Chorus Pro flows, the customers' mailboxes, the letter batch);
- the share of invoices delivered without a person (items done, not sent to the exception inbox).

    .venv/bin/python -m bench.distribution [--invoices 200] [--customers 40]
"""
from __future__ import annotations

import argparse
import base64
import email
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import requests
from imapclient import IMAPClient
from sqlalchemy import select, update

from bench import results_file
from bots.portal_upload.facturx_document import facturx_file_name
from control_room.access.models import Role
from control_room.access.users import create_api_token, create_user
from control_room.audit.actors import Actor
from control_room.audit.models import AuditEvent
from control_room.config import Settings
from control_room.fleet.models import Schedule
from control_room.fleet.schedules_file import load
from control_room.fleet.schedules_sync import apply_fleet
from control_room.queue.models import Queue, WorkItem
from control_room.serving.stack import store_sandbox_credentials
from control_room.storage.engine import make_engine, make_session_factory
from control_room.storage.migrate import upgrade
from tests.support.distribution import PARIS, World, seed_batch
from tests.support.live_server import free_port

REPO = Path(__file__).resolve().parents[1]
PROCESS = "invoice_distribution"
ACTOR = Actor.user("bench")
# How the batch is spread: most of the volume goes where clerks spend their time, the portals.
MIX = {"portal_a": 0.30, "portal_b": 0.20, "chorus_api": 0.15, "chorus_portal": 0.05, "email": 0.20, "letter": 0.10}
CHORUS_PRO_PORTAL_MODES = ("portal", "ui", "web")


def plan_customers(world: World, total: int) -> tuple[list[dict], str]:
    """One customer per invoice, following MIX and cycling through each channel's customers; and the
    SIRET of the public buyer whose invoices go through Chorus Pro's web portal."""
    customers = world.demo["erp"]["customers"]
    public = [c for c in customers if c["invoice_channel"] == "chorus_pro"]
    pools = {"portal_a": [c for c in customers if c["invoice_channel"] == "portal_a"],
             "portal_b": [c for c in customers if c["invoice_channel"] == "portal_b"],
             "chorus_api": public[:-1] or public, "chorus_portal": public[-1:],
             "email": [c for c in customers if c["invoice_channel"] == "email" and c["billing_email"]],
             "letter": [c for c in customers if c["invoice_channel"] == "letter"]}
    counts = {k: int(round(total * share)) for k, share in MIX.items()}
    counts["portal_a"] += total - sum(counts.values())
    planned = []
    for kind, count in counts.items():
        planned += [pools[kind][i % len(pools[kind])] for i in range(count)]
    return planned, public[-1]["siret"]


def item_times(sessions: Any, queue: str) -> dict[int, float]:
    """Seconds each item of ``queue`` was held by the bot: reservation to release (audit log)."""
    with sessions() as session:
        ids = set(session.scalars(select(WorkItem.id).join(Queue, WorkItem.queue_id == Queue.id)
                                  .where(Queue.name == queue)))
        events = session.execute(select(AuditEvent.object_id, AuditEvent.action, AuditEvent.at)
                                 .where(AuditEvent.object_type == "work_item",
                                        AuditEvent.action.in_(("item.reserved", "item.done", "item.failed")))
                                 .order_by(AuditEvent.id)).all()
    reserved: dict[int, datetime] = {}
    held: dict[int, float] = {}
    for object_id, action, at in events:
        item_id = int(object_id)
        if item_id not in ids:
            continue
        if action == "item.reserved":
            reserved[item_id] = at
        elif item_id in reserved:
            held[item_id] = held.get(item_id, 0.0) + (at - reserved.pop(item_id)).total_seconds()
    return held


def channel_of(payload: dict) -> str:
    delivery = payload.get("delivery") or {}
    channel = delivery.get("channel") or payload["customer"]["invoice_channel"]
    if channel == "chorus_pro":
        return "chorus_pro_api" if (delivery.get("details") or {}).get("mode") == "api" else "chorus_pro_portal"
    return channel


def duplicates(world: World, numbers: set[str]) -> int:
    """Invoices of the batch that reached their channel more than once, on the sandbox's records."""
    seen: Counter[str] = Counter()
    for portal in ("portal_a", "portal_b"):
        for submission in world.submissions(portal):
            if submission["invoice_number"] in numbers:
                seen[submission["invoice_number"]] += 1
    files = {facturx_file_name(n): n for n in numbers}
    for flow in world.flows():
        if flow["nomFichier"] in files and flow["etatCourantDepotFlux"] != "IN_REJETE":
            seen[files[flow["nomFichier"]]] += 1
    mail = world.connection["mail"]
    for address, password in world.credentials["mail_customers"].items():
        with IMAPClient(mail["host"], mail["imap_port"], ssl=False, timeout=10) as imap:
            imap.login(address, password)
            imap.select_folder("INBOX", readonly=True)
            ids = imap.search()
            for raw in (imap.fetch(ids, ["BODY.PEEK[HEADER]"]) if ids else {}).values():
                header = email.message_from_bytes(raw[b"BODY[HEADER]"], policy=default_policy)
                sent = re.match(r"<invoice\.(.+)\.\d{14}@", str(header["Message-ID"] or ""))
                if sent and sent.group(1) in numbers:
                    seen[sent.group(1)] += 1
    for manifest in world.print_batches.glob("letters-*.json"):
        seen.update(e["invoice_number"] for e in json.loads(manifest.read_text()) if e["invoice_number"] in numbers)
    return sum(1 for count in seen.values() if count > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the deliver step")
    args = parser.parse_args()
    from sandbox.launcher import Sandbox

    folder = Path(tempfile.mkdtemp(prefix="arfleet-bench-distribution-"))
    folder.chmod(0o755)  # Dovecot's mail user must reach the mailboxes
    home = folder / "control-room"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'arfleet.db'}",
                        master_key=base64.b64encode(os.urandom(32)).decode())
    today = datetime.now(PARIS).date()
    sandbox = Sandbox(folder / "sandbox", seed=7, customers=args.customers, as_of=today - timedelta(days=60),
                      progress=lambda text: print(f"sandbox: {text}", flush=True))
    server = runner = None
    try:
        sandbox.start()
        world = World(sandbox, sandbox.connection,
                      json.loads(Path(sandbox.connection["files"]["demo_data"]).read_text(encoding="utf-8")))
        day = today - timedelta(days=1)
        planned, portal_buyer = plan_customers(world, args.invoices)
        seeded = seed_batch(world, day, "B", planned)
        numbers = {invoice["number"] for invoice in seeded}
        print(f"seeded {len(seeded)} invoices issued {day}", flush=True)

        home.mkdir(parents=True)
        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            apply_fleet(session, load(REPO / "schedules.yaml"), ACTOR)
            session.execute(update(Schedule).values(paused=True))  # only the bench starts runs
            token = create_api_token(session, create_user(session, "bench", "bench password 123", Role.ADMIN, ACTOR),
                                     "bench", ACTOR)
        store_sandbox_credentials(settings, world.credentials)
        auth = {"Authorization": f"Bearer {token}"}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "ARFLEET_HOME": str(home), "ARFLEET_DATABASE_URL": settings.database_url,
               "ARFLEET_MASTER_KEY": settings.master_key or "", "ARFLEET_SCHEDULES_FILE": str(REPO / "schedules.yaml"),
               "ARFLEET_CONNECTION_FILE": str(sandbox.connection_file),
               "ARFLEET_BOT_CHORUS_PRO_PORTAL_BUYERS": portal_buyer}
        server = subprocess.Popen([sys.executable, "-m", "control_room.cli", "serve", "--port", str(port)], env=env,
                                  stdout=(home / "serve.log").open("w"), stderr=subprocess.STDOUT,
                                  start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the control room did not start: see " + str(home / "serve.log"))
            time.sleep(0.2)
        registration = requests.post(f"{base}/api/v1/registration-tokens", json={}, headers=auth, timeout=10)
        runner = subprocess.Popen(
            [sys.executable, "-m", "runner", "--url", base, "--token",
             registration.json()["token"], "--name", "bench", "--labels", "browser,mail", "--capacity", "1",
             "--state-dir", str(home / "runner"), "--bots-dir", str(REPO / "bots")],
            env=env, stdout=(home / "runner.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True)

        requested = time.time()
        run_id = requests.post(f"{base}/api/v1/processes/{PROCESS}/runs", headers=auth, timeout=10,
                               json={"payloads": [{"payload": {"since": day.isoformat()}}]}).json()["id"]
        deadline = time.monotonic() + args.timeout
        while True:
            run = requests.get(f"{base}/api/v1/runs/{run_id}", headers=auth, timeout=10).json()
            steps = {s["step"]: s for s in run["steps"]}
            deliver = steps.get("deliver")
            if deliver and deliver["state"] not in ("pending", "running"):
                break
            if run["state"] not in ("pending", "running") or time.monotonic() > deadline:
                raise SystemExit(f"the run did not reach the end of its deliver step: {run}")
            time.sleep(1)
        print(f"collect and deliver took {time.time() - requested:.0f} s", flush=True)

        with sessions() as session:
            delivered = {i.id: (i.state.value, i.payload, i.exception_code) for i in session.scalars(
                select(WorkItem).join(Queue, WorkItem.queue_id == Queue.id)
                .where(Queue.name == f"{PROCESS}.deliver"))}
        held = item_times(sessions, f"{PROCESS}.deliver")
        seconds: dict[str, list[float]] = defaultdict(list)
        for item_id, (_state, payload, _code) in delivered.items():
            if item_id in held:
                seconds[channel_of(payload)].append(held[item_id])
        done = sum(1 for state, _, _ in delivered.values() if state == "done")
        exceptions = Counter(code for state, _, code in delivered.values() if state != "done")
        deposits = [payload["delivery"]["details"]["deposit_s"] for state, payload, _ in delivered.values()
                    if state == "done" and (payload["delivery"].get("details") or {}).get("deposit_s") is not None]
        wall = (datetime.fromisoformat(steps["deliver"]["ended_at"])
                - datetime.fromisoformat(steps["deliver"]["started_at"])).total_seconds()
        collect_wall = (datetime.fromisoformat(steps["collect"]["ended_at"])
                        - datetime.fromisoformat(steps["collect"]["started_at"])).total_seconds()
        params = {"runners": 1, "capacity": 1, "invoices": len(seeded), "db": "sqlite"}
        results = []
        for channel in ("portal_a", "portal_b", "chorus_pro_api", "chorus_pro_portal", "email", "letter"):
            times = seconds.get(channel, [])
            if times:
                results.append({"metric": "invoices_per_min", "value": round(60 * len(times) / sum(times), 1),
                                "unit": "inv/min", "goal": ">= 30" if channel.startswith("portal") else "report",
                                "params": {**params, "channel": channel, "count": len(times),
                                           "median_s": round(statistics.median(times), 2)}})
        portal_times = seconds.get("portal_a", []) + seconds.get("portal_b", [])
        portal_rate = round(60 * len(portal_times) / sum(portal_times), 1)
        results.append({"metric": "portal_uploads_per_min", "value": portal_rate,
                        "unit": "inv/min", "goal": ">= 30", "params": {**params, "count": len(portal_times)}})
        results.append({"metric": "invoices_per_min", "value": round(60 * len(delivered) / wall, 1), "unit": "inv/min",
                        "goal": "report", "params": {**params, "channel": "all", "deliver_wall_s": round(wall, 1)}})
        results.append({"metric": "collected_per_min", "value": round(60 * len(delivered) / collect_wall, 1),
                        "unit": "inv/min", "goal": "report",
                        "params": {**params, "collect_wall_s": round(collect_wall, 1)}})
        results.append({"metric": "chorus_pro_api_deposit_max_s", "value": max(deposits) if deposits else None,
                        "unit": "s", "goal": "< 1", "params": {**params, "deposits": len(deposits),
                                                              "median_s": round(statistics.median(deposits), 3)
                                                              if deposits else None}})
        results.append({"metric": "duplicates", "value": duplicates(world, numbers), "unit": "invoices",
                        "goal": "== 0", "params": params})
        results.append({"metric": "delivered_without_a_person", "value": round(100 * done / len(seeded), 1),
                        "unit": "%", "goal": "report", "params": {**params, "delivered": done,
                                                                  "to_a_person": dict(exceptions)}})
    finally:
        for proc in (runner, server):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        if runner is not None:
            _kill_bots(home / "runner")
        sandbox.stop()
        shutil.rmtree(folder, ignore_errors=True)
    results_file.write("distribution", results)


def _kill_bots(state_dir: Path) -> None:
    """Bots the runner started (each in its own process group) that outlived it."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "robocorp.tasks" in command and str(state_dir) in command:
            try:
                os.killpg(os.getpgid(int(entry.name)), signal.SIGKILL)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    main()
