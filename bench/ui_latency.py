"""Page latency of the control room's web UI with a large database (issue 5: a million work items and
ten million audit events), on SQLite and PostgreSQL, served by gunicorn as in production.

The processes, runners and the user are made through the core functions; the bulk (runs, step runs,
work items, audit events) is loaded with set-based SQL (a recursive CTE on SQLite, generate_series on
PostgreSQL) with the secondary indexes dropped during the load and rebuilt after, exactly as the
migrations define them. The bulk audit rows do not form a valid hash chain (random hashes): fine for
timing pages, and said in the results' params. Then one logged-in admin fetches each page N times in
sequence with `requests` (full body read); median and p95 per page.

    .venv/bin/python -m bench.ui_latency [--quick] [--db sqlite,postgresql] [--items N] [--audit-events N]
"""
from __future__ import annotations

import argparse
import base64
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import func, select

from bench import results_file
from control_room.access.models import Role
from control_room.access.tokens import token_hash
from control_room.access.users import create_user
from control_room.audit import seal_all
from control_room.audit.actors import Actor
from control_room.audit.models import AuditEvent
from control_room.fleet.models import Process, Runner
from control_room.fleet.processes import ProcessSpec, StepSpec, apply_spec
from control_room.storage.engine import make_engine, make_session_factory
from control_room.storage.migrate import upgrade
from tests.support.live_server import free_port
from tests.support.postgres import admin_url

ACTOR = Actor.user("bench")
USERNAME, PASSWORD = "bench-admin", "bench password 123"
PARIS = ZoneInfo("Europe/Paris")
GOAL = "< 300"  # issue 5, "Must show": each under 300 ms at the median
SPAN_DAYS = 90  # the bulk rows are spread evenly over the last 90 days
RUNNERS = 10
USERS = 20  # people named in the bulk audit events: user-0 … user-19
BULK_TABLES = ("process_runs", "step_runs", "work_items", "audit_events")
# Processes and their steps; each step has its own queue ("<process>.<step>").
PROCESSES = (("invoices", ("collect", "post")), ("mails", ("classify",)), ("payments", ("match",)),
             ("suppliers", ("check",)))
# Item k goes to queue QUEUE_OF[k % 10]: half the items in invoices.collect, a fifth in invoices.post
# (children of an invoices.collect item), a tenth in each other queue.
QUEUE_OF = (0, 0, 0, 0, 0, 1, 1, 2, 3, 4)
REASONS = ("PO_MISSING", "AMOUNT_MISMATCH", "SUPPLIER_UNKNOWN", "PORTAL_DOWN", "DUPLICATE")
# Ten audit events per step of an item's life: (action, actor type, object type).
AUDIT_CYCLE = (("item.created", "run", "work_item"), ("item.reserved", "run", "work_item"),
               ("item.failed", "run", "work_item"), ("item.claimed", "user", "work_item"),
               ("item.retried", "user", "work_item"), ("item.reserved", "run", "work_item"),
               ("item.done", "run", "work_item"), ("step_run.started", "runner", "step_run"),
               ("run.requested", "system", "process_run"), ("user.logged_in", "user", "user"))


@dataclass(frozen=True)
class Sizes:
    items: int
    audit_events: int
    runs: int


@dataclass
class Fleet:
    """What the core seeding made, and the ids the bulk load uses."""

    process_ids: list[int]
    first_step_ids: list[int]
    queue_ids: list[int]  # in the order of PROCESSES' steps
    process_of_queue: list[int]
    runner_ids: list[int]
    t0: float  # epoch seconds of the oldest bulk row
    t_end: float
    audit_base: int = 0  # audit events the core seeding wrote: the bulk ones follow
    seq_base: int = 0
    load_seconds: dict[str, float] = field(default_factory=dict)


# --- seeding -------------------------------------------------------------------------------------------
def seed_core(url: str) -> Fleet:
    """Schema, processes, runners and the bench user, through the same functions the control room uses."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for name, steps in PROCESSES:
            apply_spec(session, ProcessSpec(name, tuple(StepSpec(s, "echo", "run") for s in steps)), ACTOR)
        create_user(session, USERNAME, PASSWORD, Role.ADMIN, ACTOR)
        now = datetime.now(UTC)
        for n in range(RUNNERS):
            session.add(Runner(name=f"vm-{n:02d}", labels=["browser"] if n % 2 else ["mail"], capacity=4,
                               credential_hash=token_hash(f"bench-runner-{n}"), last_heartbeat_at=now))
    with sessions() as session:
        processes = [session.scalar(select(Process).where(Process.name == name)) for name, _ in PROCESSES]
        queue_ids, process_of_queue = [], []
        for process in processes:
            for step in process.steps:
                queue_ids.append(step.queue_id)
                process_of_queue.append(process.id)
        fleet = Fleet(process_ids=[p.id for p in processes], first_step_ids=[p.steps[0].id for p in processes],
                      queue_ids=queue_ids, process_of_queue=process_of_queue,
                      runner_ids=list(session.scalars(select(Runner.id).order_by(Runner.id))),
                      t0=0.0, t_end=0.0)
    with sessions.begin() as session:
        seal_all(session)  # the core seeding's events: the bulk ones follow them in the chain
        fleet.audit_base = session.scalar(select(func.max(AuditEvent.id))) or 0
        fleet.seq_base = session.scalar(select(func.max(AuditEvent.seq))) or 0
    engine.dispose()
    fleet.t_end = time.time() - 60
    fleet.t0 = fleet.t_end - SPAN_DAYS * 86400
    return fleet


def _case(expr: str, values: list[int] | tuple) -> str:
    return "CASE " + expr + " " + " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values)) + " END"


def _texts(expr: str, values) -> str:
    return "CASE " + expr + " " + " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values)) + " END"


def bulk_statements(fleet: Fleet, sizes: Sizes, pg: bool) -> dict[str, str]:
    """INSERT … SELECT over a series k = 1..count, one statement per table, in dialect `pg` or SQLite.

    Work item k is created at t0 + k·step (ids follow time, as in life); the newest 3 % wait (new, one
    in fifty reserved), one in 200 of the older ones is escalated and one in 200 rejected, the rest
    done. Run r has one step run, on runner r % 10. Audit event n belongs to item n·items/events, with
    the actions of AUDIT_CYCLE in turn."""
    items, events, runs = sizes.items, sizes.audit_events, sizes.runs
    item_step = (fleet.t_end - fleet.t0) / items
    run_step = (fleet.t_end - fleet.t0) / runs
    event_step = (fleet.t_end - fleet.t0) / events
    t0 = fleet.t0

    def div(a: str, b: str) -> str:
        return f"(({a}) / ({b}))"

    if pg:
        def ts(seconds: str) -> str:
            return f"to_timestamp({seconds})"

        def txt(expr: str) -> str:
            return f"({expr})::text"

        hexes = "lpad(to_hex(k * 2654435761), 64, 'f')"  # 64 hex digits, as wide as a SHA-256
        json = "::json"
        false = "false"
        series = "FROM generate_series(1::bigint, {count}::bigint) AS s(k)"

        def payload() -> str:
            return ("format('{\"invoice\": \"F-%s\", \"supplier\": \"SUP-%s\", \"amount\": \"%s.%s\", "
                    "\"currency\": \"EUR\", \"lines\": %s}', lpad(k::text, 7, '0'), lpad((k % 997)::text, 3, '0'), "
                    "(k * 7919) % 5000, lpad((k % 100)::text, 2, '0'), 1 + k % 9)::json")
    else:
        def ts(seconds: str) -> str:
            return f"strftime('%Y-%m-%d %H:%M:%f000', {seconds}, 'unixepoch')"

        def txt(expr: str) -> str:
            return f"CAST({expr} AS TEXT)"

        hexes = "lower(hex(randomblob(32)))"
        json = ""
        false = "0"
        series = ("FROM (WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < {count}) "
                  "SELECT k FROM s)")

        def payload() -> str:
            return ("printf('{\"invoice\": \"F-%07d\", \"supplier\": \"SUP-%03d\", \"amount\": \"%d.%02d\", "
                    "\"currency\": \"EUR\", \"lines\": %d}', k, k % 997, (k * 7919) % 5000, k % 100, 1 + k % 9)")

    def at(step: float, offset: str = "0") -> str:
        return ts(f"{t0!r} + k * {step!r} + {offset}")

    waiting_from = int(items * 0.97)
    last_running = runs - 5  # the newest runs are still going: five running, then three pending
    runner_of = _case(f"k % {RUNNERS}", fleet.runner_ids)
    run_state = (f"CASE WHEN k > {runs - 3} THEN 'pending' WHEN k > {last_running} THEN 'running' "
                 f"WHEN k % 25 = 0 THEN 'failed' WHEN k % 100 = 1 THEN 'stopped' ELSE 'completed' END")
    ended = f"CASE WHEN k > {last_running} THEN NULL ELSE {at(run_step, '30 + k % 300')} END"
    state = (f"CASE WHEN k > {waiting_from} AND k % 50 = 0 THEN 'reserved' WHEN k > {waiting_from} THEN 'new' "
             f"WHEN k % 200 = 0 THEN 'exception' WHEN k % 200 = 100 THEN 'rejected' ELSE 'done' END")
    escalated = f"k <= {waiting_from} AND k % 200 = 0"
    step_run = f"1 + (k - 1) % {runs}"
    running_step_run = f"{last_running + 1} + k % 5"
    n_item = f"1 + {div(f'(k - 1) * {items}', str(events))}"  # the item audit event k is about
    cycle = f"(k - 1) % {len(AUDIT_CYCLE)}"
    user = f"'user-' || {txt(f'({n_item}) % {USERS}')}"
    actor_id = (f"CASE {cycle} " + " ".join(
        f"WHEN {i} THEN " + {"run": txt(f"1 + (({n_item}) - 1) % {runs}"), "user": user,
                              "runner": f"'vm-' || {txt(f'({n_item}) % {RUNNERS}')}",
                              "system": "'control-room'"}[a] for i, (_, a, _o) in enumerate(AUDIT_CYCLE)) + " END")
    object_id = (f"CASE {cycle} " + " ".join(
        f"WHEN {i} THEN " + {"work_item": txt(n_item), "step_run": txt(f"1 + (({n_item}) - 1) % {runs}"),
                              "process_run": txt(f"1 + (({n_item}) - 1) % {runs}"), "user": user}[o]
        for i, (_, _a, o) in enumerate(AUDIT_CYCLE)) + " END")
    details = (f"CASE {cycle} WHEN 2 THEN '{{\"type\": \"business\", \"code\": \"PO_MISSING\"}}' "
               f"WHEN 3 THEN '{{\"by\": \"user\"}}' WHEN 4 THEN '{{\"reason\": \"PO number added\"}}' "
               f"ELSE '{{}}' END")
    queue_of = [fleet.queue_ids[q] for q in QUEUE_OF]
    process_of = [fleet.process_of_queue[q] for q in QUEUE_OF]
    parent = "CASE k % 10 WHEN 5 THEN k - 1 WHEN 6 THEN k - 2 ELSE NULL END"
    deadline = f"CASE WHEN k % 3 = 0 THEN {at(item_step, '2 * 86400')} ELSE NULL END"
    return {
        "process_runs": (
            "INSERT INTO process_runs (id, process_id, state, requested_by, created_at, ended_at) "
            f"SELECT k, {_case(f'k % {len(PROCESSES)}', fleet.process_ids)}, {run_state}, "
            f"CASE WHEN k % 10 = 0 THEN 'user:user-3' ELSE 'schedule:morning' END, {at(run_step)}, {ended} "
            + series.format(count=runs)),
        "step_runs": (
            "INSERT INTO step_runs (id, process_run_id, step_id, state, runner_id, exit_code, stop_requested, "
            "created_at, started_at, ended_at) "
            f"SELECT k, k, {_case(f'k % {len(PROCESSES)}', fleet.first_step_ids)}, {run_state}, "
            f"CASE WHEN k > {runs - 3} THEN NULL ELSE {runner_of} END, "
            f"CASE WHEN k > {last_running} THEN NULL WHEN k % 25 = 0 THEN 1 ELSE 0 END, {false}, "
            f"{at(run_step)}, CASE WHEN k > {runs - 3} THEN NULL ELSE {at(run_step, '5')} END, {ended} "
            + series.format(count=runs)),
        "work_items": (
            "INSERT INTO work_items (id, queue_id, process_id, state, payload, priority, deadline, reference, "
            "attempts, lease_expires_at, step_run_id, exception_type, exception_code, exception_message, "
            "parent_id, created_at, updated_at) "
            f"SELECT k, {_case('k % 10', queue_of)}, {_case('k % 10', process_of)}, {state}, {payload()}, "
            f"CASE WHEN {escalated} THEN k % 4 ELSE 0 END, {deadline}, "
            f"'F-' || {txt('k')}, CASE WHEN k > {waiting_from} THEN 0 ELSE 1 + k % 3 END, "
            f"CASE WHEN k > {waiting_from} AND k % 50 = 0 THEN {ts(repr(fleet.t_end + 86400))} ELSE NULL END, "
            f"CASE WHEN k > {waiting_from} AND k % 50 = 0 THEN {running_step_run} "
            f"WHEN k > {waiting_from} THEN NULL ELSE {step_run} END, "
            f"CASE WHEN {escalated} THEN (CASE WHEN k % 400 = 0 THEN 'application' ELSE 'business' END) END, "
            f"CASE WHEN {escalated} THEN {_texts(f'(k / 200) % {len(REASONS)}', REASONS)} END, "
            f"CASE WHEN {escalated} THEN 'The portal refused the invoice' END, "
            f"{parent}, {at(item_step)}, {at(item_step, '120')} " + series.format(count=items)),
        "audit_events": (
            "INSERT INTO audit_events (id, at, actor_type, actor_id, action, object_type, object_id, details, "
            "prev_hash, hash, seq) "
            f"SELECT {fleet.audit_base} + k, {at(event_step)}, "
            f"{_texts(cycle, [a for _, a, _o in AUDIT_CYCLE])}, {actor_id}, "
            f"{_texts(cycle, [a for a, _, _o in AUDIT_CYCLE])}, {_texts(cycle, [o for _, _a, o in AUDIT_CYCLE])}, "
            f"{object_id}, {details}{json}, {hexes}, {hexes}, {fleet.seq_base} + k " + series.format(count=events)),
    }


def _timed(fleet: Fleet, label: str, action) -> None:
    started = time.perf_counter()
    action()
    fleet.load_seconds[label] = round(time.perf_counter() - started, 1)
    print(f"  {label}: {fleet.load_seconds[label]} s", flush=True)


def _check_empty(count_sql, tables=BULK_TABLES[:-1]) -> None:
    for table in tables:
        if count_sql(table):
            raise SystemExit(f"{table} is not empty before the bulk load: the ids would collide")


def load_sqlite(path: Path, fleet: Fleet, sizes: Sizes, analyze: bool) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # loading only; the control room puts it back to WAL
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA temp_store=FILE")
    _check_empty(lambda t: conn.execute(f"SELECT count(*) FROM {t} WHERE id > 0").fetchone()[0])
    marks = ",".join("?" * len(BULK_TABLES))
    indexes = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           f"AND tbl_name IN ({marks})", BULK_TABLES).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for table, sql in bulk_statements(fleet, sizes, pg=False).items():
        _timed(fleet, table, lambda sql=sql: (conn.execute("BEGIN"), conn.execute(sql), conn.execute("COMMIT")))
    _timed(fleet, "indexes", lambda: [conn.execute(sql) for _, sql in indexes])
    if analyze:  # what `PRAGMA optimize` would do: a sampled ANALYZE, milliseconds even on 10M rows
        _timed(fleet, "analyze", lambda: (conn.execute("PRAGMA analysis_limit=400"), conn.execute("ANALYZE")))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def load_postgres(url: str, fleet: Fleet, sizes: Sizes) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        _check_empty(lambda t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute("SET synchronous_commit = off")
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            (list(BULK_TABLES),)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, sql in bulk_statements(fleet, sizes, pg=True).items():
            _timed(fleet, table, lambda sql=sql: conn.execute(sql))
        _timed(fleet, "indexes", lambda: [conn.execute(sql) for _, sql in indexes])
        for table in BULK_TABLES:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # autovacuum would get there on a live system; done now so the timings do not race it
        _timed(fleet, "vacuum_analyze", lambda: [conn.execute(f"VACUUM (ANALYZE) {t}") for t in BULK_TABLES])


# --- measuring -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str


def pages(fleet: Fleet, sizes: Sizes) -> list[PageSpec]:
    """The pages people use most, with filters a person would type, and deep keyset pages."""
    items, runs, events = sizes.items, sizes.runs, sizes.audit_events
    big_queue = fleet.queue_ids[0]
    mid = items // 2 - (items // 2) % 10
    parent_item = mid + 4  # in invoices.collect, with two children in invoices.post
    old_item = max(10, items // 20 - (items // 20) % 10)  # an invoice from early on: the search walks far
    a_month_ago = datetime.fromtimestamp(fleet.t_end - 30 * 86400, PARIS).date().isoformat()
    two_months_ago = datetime.fromtimestamp(fleet.t_end - 60 * 86400, PARIS).date().isoformat()
    return [
        PageSpec("dashboard", "/"),
        PageSpec("dashboard live panel", "/dashboard/panel"),
        PageSpec("dashboard charts", "/dashboard/charts.json"),
        PageSpec("runs list", "/runs"),
        PageSpec("runs, process+state", f"/runs?process={fleet.process_ids[0]}&state=failed"),
        PageSpec("runs, runner", f"/runs?runner={fleet.runner_ids[3]}"),
        PageSpec("runs, dates", f"/runs?from={a_month_ago}&to={a_month_ago}"),
        PageSpec("runs, deep page", f"/runs?before={runs // 2}"),
        PageSpec("run detail", f"/runs/{runs - 10}"),
        PageSpec("queues overview", "/queues"),
        PageSpec("items", f"/queues/{big_queue}"),
        PageSpec("items, state", f"/queues/{big_queue}?state=exception"),
        PageSpec("items, reference", f"/queues/{big_queue}?reference=F-{mid}"),
        PageSpec("items, payload text", f"/queues/{big_queue}?q=F-{old_item:07d}"),
        PageSpec("items, dates", f"/queues/{big_queue}?from={a_month_ago}&to={a_month_ago}"),
        PageSpec("items, state+dates", f"/queues/{big_queue}?state=done&from={two_months_ago}&to={a_month_ago}"),
        PageSpec("items, deep page", f"/queues/{big_queue}?before={mid}"),
        PageSpec("item detail", f"/items/{parent_item}"),
        PageSpec("exception inbox", "/inbox"),
        PageSpec("inbox, reason", "/inbox?reason=PORTAL_DOWN"),
        PageSpec("inbox, page 2", "/inbox?after={inbox_after}"),
        PageSpec("audit", "/audit"),
        PageSpec("audit, actor", "/audit?actor=user:user-7"),
        PageSpec("audit, action", "/audit?action=item.failed"),
        PageSpec("audit, object", f"/audit?object_type=work_item&object_id={parent_item}"),
        PageSpec("audit, dates", f"/audit?from={a_month_ago}&to={a_month_ago}"),
        PageSpec("audit, action+dates", f"/audit?action=item.claimed&from={two_months_ago}&to={a_month_ago}"),
        PageSpec("audit, deep page", f"/audit?before={fleet.audit_base + events // 2}"),
    ]


def login(base: str) -> requests.Session:
    web = requests.Session()
    page = web.get(f"{base}/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = web.post(f"{base}/login", data={"username": USERNAME, "password": PASSWORD, "csrf_token": token},
                      allow_redirects=False, timeout=60)
    if answer.status_code != 302:
        raise SystemExit(f"login failed: {answer.status_code}")
    return web


def _rows(body: str) -> int:
    """Table rows with data on the page (a sanity check that the page shows what was loaded)."""
    return max(0, body.count("<tr") - body.count("<thead"))


def time_page(web: requests.Session, url: str, count: int, budget_s: float) -> tuple[list[float], str]:
    """Fetch `url` once to warm up, then up to `count` times (at least 3, within `budget_s`)."""
    answer = web.get(url, timeout=600, allow_redirects=False)
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered {answer.status_code}")
    timings: list[float] = []
    started = time.perf_counter()
    while len(timings) < count and (len(timings) < 3 or time.perf_counter() - started < budget_s):
        t = time.perf_counter()
        answer = web.get(url, timeout=600, allow_redirects=False)
        body = answer.text
        timings.append((time.perf_counter() - t) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}")
    return timings, body


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def measure(base: str, fleet: Fleet, sizes: Sizes, count: int, budget_s: float, params: dict) -> list[dict]:
    web = login(base)
    results = []
    inbox = web.get(f"{base}/inbox", timeout=600).text
    found = re.search(r"after=(\d+)", inbox)
    for spec in pages(fleet, sizes):
        path = spec.path.format(inbox_after=found.group(1) if found else 0)
        timings, body = time_page(web, base + path, count, budget_s)
        median, high = statistics.median(timings), p95(timings)
        page_params = {**params, "page": spec.name, "path": path, "requests": len(timings), "rows": _rows(body)}
        print(f"  {spec.name:<24} median {median:8.1f} ms  p95 {high:8.1f} ms  ({len(timings)} requests, "
              f"{page_params['rows']} rows)  {path}", flush=True)
        results.append({"metric": "median_ms", "value": round(median, 1), "unit": "ms", "goal": GOAL,
                        "params": page_params})
        results.append({"metric": "p95_ms", "value": round(high, 1), "unit": "ms", "goal": "report",
                        "params": page_params})
    return results


def serve(home: Path, url: str, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "ARFLEET_HOME": str(home), "ARFLEET_DATABASE_URL": url,
           "ARFLEET_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
           "GUNICORN_CMD_ARGS": "--access-logfile=/dev/null",
           # not the repository's schedules.yaml: no process or schedule of its own in the bench database
           "ARFLEET_SCHEDULES_FILE": str(home / "schedules.yaml")}
    server = subprocess.Popen([sys.executable, "-m", "control_room.cli", "serve", "--port", str(port),
                               "--workers", str(workers), "--threads", str(threads)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the control room did not start (exit {server.returncode})")
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                return server, base
        except requests.ConnectionError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the control room did not answer /healthz")


def run_db(db: str, pg_url: str, sizes: Sizes, args) -> list[dict]:
    home = Path(tempfile.mkdtemp(prefix=f"arfleet-ui-bench-{db}-"))
    try:
        if db == "postgresql":
            import psycopg

            name = f"ui_latency_{int(time.time())}"
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = pg_url.rpartition("/")[0] + f"/{name}"
        else:
            url = f"sqlite:///{home / 'arfleet.db'}"
        print(f"[{db}] seeding {sizes.items:,} items, {sizes.runs:,} runs, {sizes.audit_events:,} audit events…",
              flush=True)
        fleet = seed_core(url)
        started = time.perf_counter()
        if db == "postgresql":
            load_postgres(url, fleet, sizes)
        else:
            load_sqlite(home / "arfleet.db", fleet, sizes, args.sqlite_analyze)
        load_total = round(time.perf_counter() - started, 1)
        print(f"[{db}] loaded in {load_total} s", flush=True)
        params = {"db": db, "items": sizes.items, "audit_events": sizes.audit_events, "runs": sizes.runs,
                  "audit_chain": "not a valid hash chain (bulk-loaded with random hashes)",
                  "server": f"gunicorn {args.workers}x{args.threads} gthread",
                  "client": "1 logged-in admin, sequential requests, body read",
                  "load_seconds": load_total,
                  "statistics": ("VACUUM ANALYZE after load" if db == "postgresql" else
                                 ("ANALYZE (analysis_limit=400) after load" if args.sqlite_analyze else
                                  "no ANALYZE (the control room never runs it)")),
                  "load_avg_at_start": round(os.getloadavg()[0], 2)}
        server, base = serve(home, url, args.workers, args.threads)
        try:
            results = measure(base, fleet, sizes, args.requests, args.page_budget, params)
        finally:
            server.terminate()
            server.wait(timeout=60)
        for r in results:
            r["params"]["load_avg_at_end"] = round(os.getloadavg()[0], 2)
        if args.keep_db:
            print(f"[{db}] kept: {url}", flush=True)
        elif db == "postgresql":
            import psycopg

            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}"')
        return results
    finally:
        if not args.keep_db:
            shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few requests, for a smoke run")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--items", type=int, default=None, help="work items (default 1,000,000)")
    parser.add_argument("--audit-events", type=int, default=None, help="audit events (default 10,000,000)")
    parser.add_argument("--runs", type=int, default=None, help="process runs (default items / 10)")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per page (default 20)")
    parser.add_argument("--page-budget", type=float, default=20.0,
                        help="seconds per page: a slow page is timed fewer times (at least 3)")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="run a sampled ANALYZE on SQLite after the load (the control room never does)")
    parser.add_argument("--keep-db", action="store_true", help="keep the databases, to look at query plans")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--output", default="ui_latency", help="results file name under bench/results/")
    args = parser.parse_args()
    items = args.items or (20_000 if args.quick else 1_000_000)
    events = args.audit_events or (200_000 if args.quick else 10_000_000)
    sizes = Sizes(items, events, args.runs or max(100, items // 10))
    args.requests = args.requests or (5 if args.quick else 20)
    results: list[dict] = []
    for db in args.db.split(","):
        with admin_url() if db == "postgresql" else nullcontext("") as url:
            results += run_db(db, url, sizes, args)
    results_file.write(args.output, results)


if __name__ == "__main__":
    main()
