"""Runner endpoints of the native API: registration with a one-time token, heartbeats, taking the next
step run (long poll), streaming log lines, uploading artifacts, reporting the end."""
from __future__ import annotations

import time

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from control_room import audit, clock
from control_room.access import tokens
from control_room.api.auth import requires, requires_runner
from control_room.api.errors import ApiError
from control_room.api.requests import json_body, storable_text
from control_room.audit.actors import Actor
from control_room.context import db, services
from control_room.fleet import registration, runs
from control_room.fleet.models import Artifact, RegistrationToken, Runner, RunState, StepRun, StepRunLog
from control_room.queue import leases
from control_room.storage.files import TooLarge
from runner.log_shipper import cut

bp = Blueprint("runner_api", __name__, url_prefix="/api/v1")
MAX_WAIT_SECONDS = 30
MAX_LINE_CHARS = 10_000  # of one console line; a longer one is cut, and says so
POLL_INTERVAL = 0.5


@bp.post("/registration-tokens")
@requires("runners.manage")
def create_registration_token():
    hours = json_body().get("expires_in_hours", 24)
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise ApiError(400, "bad_request", "expires_in_hours must be an integer")
    session = db()
    try:
        issued = registration.issue(session, g.actor, g.user.username, hours)
    except ValueError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
    session.commit()
    return jsonify(token=issued.token, expires_at=issued.row.expires_at.isoformat()), 201


@bp.post("/runners/register")
def register():
    body = json_body()
    name, labels, capacity = body.get("name"), body.get("labels", []), body.get("capacity", 1)
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "bad_request", "name is required")
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ApiError(400, "bad_request", "labels must be a list of strings")
    if not isinstance(capacity, int) or not 1 <= capacity <= 64:
        raise ApiError(400, "bad_request", "capacity must be an integer between 1 and 64")
    session = db()
    now = clock.now(session)
    registration = session.scalar(select(RegistrationToken).where(
        RegistrationToken.token_hash == tokens.token_hash(str(body.get("token", "")))))
    if registration is None or registration.used_at is not None or registration.expires_at < now:
        raise ApiError(401, "unauthorized", "this registration token is unknown, used or expired")
    registration.used_at = now
    credential = tokens.new_token("rnr")
    runner = Runner(name=name.strip(), labels=sorted(set(labels)), capacity=capacity,
                    credential_hash=tokens.token_hash(credential), last_heartbeat_at=now)
    session.add(runner)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "conflict", f"a runner named {name!r} is already registered") from None
    audit.record(session, Actor.runner(runner.name), "runner.registered", "runner", runner.id,
                 {"labels": runner.labels, "capacity": capacity})
    session.commit()
    return jsonify(runner_id=runner.id, name=runner.name, credential=credential), 201


def touch(session, runner: Runner) -> None:
    """A sign of life; a runner that was declared lost is back (its old runs stay failed)."""
    runner.last_heartbeat_at = clock.now(session)
    if runner.lost_at is not None:
        runner.lost_at = None
        audit.record(session, Actor.runner(runner.name), "runner.back", "runner", runner.id, {})


@bp.post("/runners/heartbeat")
@requires_runner
def heartbeat():
    session = db()
    runner: Runner = g.runner
    touch(session, runner)
    leases.renew_for_runner(session, runner.id)  # a live bot keeps its items
    stop = session.scalars(select(StepRun.id).where(StepRun.runner_id == runner.id,
                                                    StepRun.state == RunState.RUNNING,
                                                    StepRun.stop_requested.is_(True))).all()
    session.commit()
    return jsonify(stop=list(stop))


def robot_env(base_url: str, assignment: runs.Assignment) -> dict[str, str]:
    """The RC_* variables robocorp-workitems and robocorp-vault read inside a Control Room run."""
    step_run = assignment.step_run
    base = base_url.rstrip("/")
    return {
        "RC_WORKSPACE_ID": runs.WORKSPACE_ID,
        "RC_PROCESS_ID": str(step_run.step.process_id),
        "RC_PROCESS_RUN_ID": str(step_run.process_run_id),
        "RC_ACTIVITY_RUN_ID": str(step_run.id),
        "RC_ROBOT_RUN_ID": str(step_run.id),
        "RC_WORKITEM_ID": str(assignment.first_item_id),
        "RC_API_WORKITEM_HOST": base, "RC_API_WORKITEM_TOKEN": assignment.token,
        "RC_API_PROCESS_HOST": base, "RC_API_PROCESS_TOKEN": assignment.token,
        "RC_API_SECRET_HOST": base, "RC_API_SECRET_TOKEN": assignment.token,
    }


@bp.post("/runners/assignments")
@requires_runner
def next_assignment():
    """Long poll: answer a step run as soon as one fits this runner, or 204 after `wait_seconds`."""
    body = json_body()
    wait = body.get("wait_seconds", 20)
    if not isinstance(wait, (int, float)) or wait < 0:
        raise ApiError(400, "bad_request", "wait_seconds must be a non-negative number")
    deadline = time.monotonic() + min(wait, MAX_WAIT_SECONDS)
    runner_id = g.runner.id
    db().commit()  # end the request's transaction: on SQLite it would hold the write lock while we poll
    sessions = services().sessions
    while True:
        with sessions() as session:
            runner = session.get(Runner, runner_id)
            if runner is None:  # runners are retired, never deleted: only a manual DELETE gets here
                raise ApiError(401, "unauthorized", "this runner credential is unknown or retired")
            touch(session, runner)
            got = runs.assign_next(session, runner)
            if got is not None:
                step = got.step_run.step
                answer = {
                    "step_run_id": got.step_run.id, "process_run_id": got.step_run.process_run_id,
                    "process": step.process.name, "step": step.name, "bot": step.bot, "task": step.task,
                    "timeout_seconds": step.timeout_seconds,
                    "env": robot_env(services().settings.public_url or request.host_url, got),
                }
                session.commit()
                return jsonify(answer)
            session.commit()
        if time.monotonic() >= deadline:
            return "", 204
        time.sleep(POLL_INTERVAL)


def _own_step_run(step_run_id: int) -> StepRun:
    step_run = db().get(StepRun, step_run_id)
    if step_run is None:
        raise ApiError(404, "not_found", f"no step run {step_run_id}")
    if step_run.runner_id != g.runner.id:
        raise ApiError(403, "forbidden", f"step run {step_run_id} belongs to another runner")
    return step_run


@bp.post("/step-runs/<int:step_run_id>/logs")
@requires_runner
def append_logs(step_run_id: int):
    """Lines carry a sequence number, so a runner re-sending its buffer after an outage adds nothing twice."""
    _own_step_run(step_run_id)
    lines = json_body().get("lines")
    if not isinstance(lines, list):
        raise ApiError(400, "bad_request", "lines must be a list of {seq, line}")
    for entry in lines:
        if not (isinstance(entry, dict) and isinstance(entry.get("seq"), int) and isinstance(entry.get("line"), str)):
            raise ApiError(400, "bad_request", "each line must be {seq: int, line: str}")
    session = db()
    have = set(session.scalars(select(StepRunLog.seq).where(  # only this batch's numbers: a re-sent batch
        StepRunLog.step_run_id == step_run_id, StepRunLog.seq.in_([e["seq"] for e in lines]))).all())
    for entry in lines:
        if entry["seq"] not in have:
            have.add(entry["seq"])
            line = cut(storable_text(entry["line"]), MAX_LINE_CHARS)  # the runner's own cut, with the same mark
            session.add(StepRunLog(step_run_id=step_run_id, seq=entry["seq"], line=line))
    session.commit()
    return jsonify(received=len(lines))


@bp.get("/step-runs/<int:step_run_id>/logs")
@requires("runs.read")
def read_logs(step_run_id: int):
    after = request.args.get("after_seq", -1, type=int)
    rows = db().scalars(select(StepRunLog).where(StepRunLog.step_run_id == step_run_id, StepRunLog.seq > after)
                        .order_by(StepRunLog.seq).limit(1000)).all()
    return jsonify(lines=[{"seq": r.seq, "line": r.line, "at": r.at.isoformat()} for r in rows])


@bp.post("/step-runs/<int:step_run_id>/artifacts")
@requires_runner
def upload_artifacts(step_run_id: int):
    _own_step_run(step_run_id)
    session = db()
    stored = []
    for upload in request.files.getlist("file"):
        name = (upload.filename or "").replace("\\", "/").lstrip("/")
        if not name or ".." in name.split("/"):
            raise ApiError(400, "bad_request", f"bad artifact name {upload.filename!r}")
        row = Artifact(step_run_id=step_run_id, name=name, size=0, sha256="")
        session.add(row)
        session.flush()
        try:
            row.size, row.sha256 = services().files.write("artifacts", step_run_id, row.id, upload.stream,
                                                          services().settings.max_file_bytes)
        except TooLarge:
            session.rollback()
            raise ApiError(413, "too_large", f"artifact {name} exceeds the file size limit") from None
        stored.append(name)
    session.commit()
    return jsonify(stored=stored), 201


@bp.post("/step-runs/<int:step_run_id>/finish")
@requires_runner
def finish(step_run_id: int):
    step_run = _own_step_run(step_run_id)
    body = json_body()
    exit_code, lines_lost = body.get("exit_code"), body.get("log_lines_lost", 0)
    if not isinstance(exit_code, int):
        raise ApiError(400, "bad_request", "exit_code (integer) is required")
    if not isinstance(lines_lost, int) or lines_lost < 0:
        raise ApiError(400, "bad_request", "log_lines_lost must be a whole number")
    session = db()
    if step_run.state in runs.ACTIVE:
        runs.finish(session, step_run, exit_code, g.actor, log_lines_lost=lines_lost)
        session.commit()
    return jsonify(step_run_id=step_run_id, state=step_run.state.value)
