"""A small fleet to test pages against: a process with an escalated item, a run with logs and
artifacts, a schedule, a runner, a secret. Built through the core functions, as the bots would."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from control_room.access.tokens import token_hash
from control_room.audit.actors import Actor
from control_room.clock import SYSTEM_CLOCK
from control_room.fleet import runs
from control_room.fleet.models import Artifact, Process, Runner, Schedule, StepRun, StepRunLog
from control_room.queue import transitions
from control_room.queue.models import ExceptionType, WorkItem
from tests.support.seeds import ADMIN, declare

SECRET_VALUE = "Sup3r-s3cret-P@ssw0rd-never-shown"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass(frozen=True)
class Fleet:
    process_id: int
    queue_id: int
    run_id: int
    step_run_id: int
    item_id: int  # escalated, with a screenshot from the run that failed it
    other_item_id: int  # new, waiting
    schedule_id: int
    runner_id: int
    artifact_id: int
    secret: str


def escalate(session, process: Process, payload: dict, reference: str, runner: Runner | None = None,
             code: str = "PO_MISSING", message: str = "No purchase order number on the invoice",
             screenshot: bytes | None = None, files=None, priority: int = 0) -> tuple[int, int, int, int]:
    """Start a run with one item, let a runner claim it, and fail it as a business exception.
    Returns (item id, process run id, step run id, screenshot artifact id or 0)."""
    item = transitions.create(session, process.input_queue, transitions.NewItem(payload, reference, priority),
                              ADMIN, process_id=process.id)
    run = runs.start_run(session, process, ADMIN)
    runner = runner or _runner(session, f"vm-{reference}")
    claim = runs.assign_next(session, runner)
    assert claim is not None and claim.first_item_id == item.id
    step_run = claim.step_run
    transitions.fail(session, item.id, step_run.id, ExceptionType.BUSINESS, code, message, Actor.run(step_run.id))
    artifact_id = 0
    if screenshot is not None and files is not None:
        row = Artifact(step_run_id=step_run.id, name="screenshot-failure.png", size=0, sha256="")
        session.add(row)
        session.flush()
        row.size, row.sha256 = files.write("artifacts", step_run.id, row.id, io.BytesIO(screenshot), 10 ** 6)
        artifact_id = row.id
    return item.id, run.id, step_run.id, artifact_id


def _runner(session, name: str) -> Runner:
    runner = Runner(name=name, labels=[], capacity=4, credential_hash=token_hash(f"cred-{name}"),
                    last_heartbeat_at=SYSTEM_CLOCK.now())
    session.add(runner)
    session.flush()
    return runner


def build(app) -> Fleet:
    services = app.extensions["arfleet"]
    declare(services.sessions, "invoices", steps=("collect",), bot="portal_upload")
    with services.sessions.begin() as session:
        process = session.query(Process).filter_by(name="invoices").one()
        runner = _runner(session, "vm-1")
        item_id, run_id, step_run_id, artifact_id = escalate(
            session, process, {"invoice": "F-1", "po": "", "amount": "1234.50", "currency": "EUR"}, "F-1",
            runner, screenshot=PNG, files=services.files)
        session.add_all([StepRunLog(step_run_id=step_run_id, seq=i, line=f"line {i}") for i in range(3)])
        other = transitions.create(session, process.input_queue, transitions.NewItem({"invoice": "F-2"}, "F-2"),
                                   ADMIN, process_id=process.id)
        schedule = Schedule(name="invoices-morning", process_id=process.id, cron="0 8 * * 1-5")
        session.add(schedule)
        session.flush()
        services.vault.set(session, "portal_a", {"login": "acme", "password": SECRET_VALUE}, ADMIN,
                           processes=["invoices"])
        return Fleet(process.id, process.input_queue.id, run_id, step_run_id, item_id, other.id, schedule.id,
                     runner.id, artifact_id, "portal_a")


def age_heartbeat(app, runner_id: int, minutes: int) -> None:
    with app.extensions["arfleet"].sessions.begin() as session:
        runner = session.get(Runner, runner_id)
        runner.last_heartbeat_at = SYSTEM_CLOCK.now() - timedelta(minutes=minutes)


def step_run(app, step_run_id: int) -> StepRun:
    with app.extensions["arfleet"].sessions() as session:
        return session.get(StepRun, step_run_id)


def item(app, item_id: int) -> WorkItem:
    with app.extensions["arfleet"].sessions() as session:
        return session.get(WorkItem, item_id)
