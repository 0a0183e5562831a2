"""Runs: the list with filters, a run's detail with its console streaming live, artifacts and the
items it touched; start (with a payload or files), stop, re-run."""
from __future__ import annotations

import json
import mimetypes

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from control_room.api.errors import ApiError
from control_room.api.native import parse_new_item
from control_room.audit.models import AuditEvent
from control_room.context import db, services
from control_room.fleet import runs as run_control
from control_room.fleet.models import Artifact, Process, ProcessRun, Runner, RunState, StepRun, StepRunLog
from control_room.queue import item_files, transitions
from control_room.queue.models import WorkItem
from control_room.queue.transitions import DuplicateReference
from control_room.storage.files import TooLarge
from control_room.ui import date_range, paging
from control_room.ui.access import actor, requires
from control_room.ui.security import ARTIFACT_POLICY

bp = Blueprint("runs", __name__, url_prefix="/runs")
CONSOLE_BATCH = 500
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "text/html", "text/plain"}


def _filters() -> dict[str, str]:
    keys = ("process", "state", "runner", "from", "to")
    return {k: request.args[k] for k in keys if request.args.get(k)}


@bp.get("")
@requires("runs.read")
def list_runs():
    session, args = db(), _filters()
    query = select(ProcessRun)
    if args.get("process", "").isdigit():
        query = query.where(ProcessRun.process_id == int(args["process"]))
    if args.get("state") in {s.value for s in RunState}:
        query = query.where(ProcessRun.state == RunState(args["state"]))
    if args.get("runner", "").isdigit():
        query = query.where(ProcessRun.id.in_(select(StepRun.process_run_id)
                                              .where(StepRun.runner_id == int(args["runner"]))))
    if start := date_range.day_start(args.get("from")):
        query = query.where(ProcessRun.created_at >= start)
    if end := date_range.day_end(args.get("to")):
        query = query.where(ProcessRun.created_at < end)
    page = paging.newest_first(session, query, ProcessRun.id)
    return render_template("runs/list.html", page=page, filters=args, states=[s.value for s in RunState],
                           processes=session.scalars(select(Process).order_by(Process.name)).all(),
                           runners=session.scalars(select(Runner).order_by(Runner.name)).all())


def _run(run_id: int) -> ProcessRun:
    run = db().get(ProcessRun, run_id)
    if run is None:
        abort(404)
    return run


def _touched_items(run: ProcessRun) -> list[WorkItem]:
    """Items the run's steps reserved, released or created, read from the audit log (indexed by actor)."""
    step_ids = [str(s.id) for s in run.steps]
    if not step_ids:
        return []
    ids = db().scalars(select(AuditEvent.object_id).where(
        AuditEvent.actor_type == "run", AuditEvent.actor_id.in_(step_ids),
        AuditEvent.object_type == "work_item").limit(2000)).all()  # no DISTINCT: lets SQLite use ix_audit_actor
    numeric = sorted({int(i) for i in ids if i.isdigit()})[:200]
    return list(db().scalars(select(WorkItem).where(WorkItem.id.in_(numeric)).order_by(WorkItem.id)))


def _panel_context(run: ProcessRun) -> dict:
    session = db()
    step_ids = [s.id for s in run.steps]
    artifacts = session.scalars(select(Artifact).where(Artifact.step_run_id.in_(step_ids))
                                .order_by(Artifact.id)).all() if step_ids else []
    runner_ids = {s.runner_id for s in run.steps if s.runner_id}
    runners = {r.id: r.name for r in session.scalars(select(Runner).where(Runner.id.in_(runner_ids)))}
    return {"run": run, "artifacts": artifacts, "runners": runners, "active": run.state in run_control.ACTIVE}


@bp.get("/<int:run_id>")
@requires("runs.read")
def detail(run_id: int):
    run = _run(run_id)
    return render_template("runs/detail.html", items=_touched_items(run), **_panel_context(run))


@bp.get("/<int:run_id>/panel")
@requires("runs.read")
def panel(run_id: int):
    return render_template("runs/_panel.html", **_panel_context(_run(run_id)))


@bp.get("/<int:run_id>/console")
@requires("runs.read")
def console(run_id: int):
    """Lines after the cursor (step run id, sequence number), and a poller for the next ones while the
    run is active: htmx swaps the poller for the lines and a new poller."""
    run = _run(run_id)
    after_step = request.args.get("step", 0, type=int)
    after_seq = request.args.get("seq", -1, type=int)
    lines = db().execute(
        select(StepRunLog.step_run_id, StepRunLog.seq, StepRunLog.line)
        .join(StepRun, StepRun.id == StepRunLog.step_run_id)
        .where(StepRun.process_run_id == run.id,
               or_(StepRunLog.step_run_id > after_step,
                   and_(StepRunLog.step_run_id == after_step, StepRunLog.seq > after_seq)))
        .order_by(StepRunLog.step_run_id, StepRunLog.seq).limit(CONSOLE_BATCH)).all()
    if lines:
        after_step, after_seq = lines[-1].step_run_id, lines[-1].seq
    more = len(lines) == CONSOLE_BATCH
    follow = more or run.state in run_control.ACTIVE
    return render_template("runs/_console.html", run=run, lines=lines, follow=follow, more=more,
                           step=after_step, seq=after_seq)


@bp.get("/artifacts/<int:artifact_id>")
@requires("runs.read")
def artifact(artifact_id: int):
    """log.html opens in the browser (sandboxed), screenshots show inline, anything else downloads."""
    row = db().get(Artifact, artifact_id)
    if row is None:
        abort(404)
    path = services().files.path("artifacts", row.step_run_id, row.id)
    if not path.is_file():
        abort(404)
    mimetype = mimetypes.guess_type(row.name)[0] or "application/octet-stream"
    inline = mimetype in INLINE_TYPES and request.args.get("download") is None
    response = send_file(path, mimetype=mimetype, as_attachment=not inline,
                         download_name=row.name.rsplit("/", 1)[-1])
    if mimetype == "text/html":
        response.headers["Content-Security-Policy"] = ARTIFACT_POLICY
    return response


def _processes() -> list[Process]:
    return list(db().scalars(select(Process).order_by(Process.name)))


def _new_items(raw: str, reference: str) -> list[transitions.NewItem]:
    """The payload field holds one JSON object (one item) or a list of objects (several items)."""
    if not raw.strip():
        return [parse_new_item({"payload": {}, "reference": reference})] if reference else []
    data = json.loads(raw)
    if isinstance(data, list):
        return [parse_new_item({"payload": p}, f"payloads[{i}]") for i, p in enumerate(data)]
    return [parse_new_item({"payload": data, **({"reference": reference} if reference else {})}, "payload")]


@bp.route("/new", methods=["GET", "POST"])
@requires("runs.control")
def start():
    if request.method == "GET":
        return render_template("runs/new.html", processes=_processes(), selected=request.args.get("process", ""))
    session = db()
    process = session.get(Process, request.form.get("process", 0, type=int))
    raw, reference = request.form.get("payload", ""), request.form.get("reference", "").strip()
    uploads = [f for f in request.files.getlist("files") if f.filename]
    error = None
    if process is None:
        error = _("Choose a process.")
    else:
        try:
            news = _new_items(raw, reference)
            if uploads and len(news) > 1:
                error = _("Files can be attached to a single item only.")
            elif uploads and not news:
                news = [transitions.NewItem(payload={})]
            if error is None:
                created = [transitions.create(session, process.input_queue, new, actor(), process_id=process.id)
                           for new in news]
                for upload in uploads:
                    item_files.attach_upload(session, services().files, created[0], upload,
                                             services().settings.max_file_bytes)
                run = run_control.start_run(session, process, actor())
                session.commit()
                flash(_("Run %(id)s started.", id=run.id), "success")
                return redirect(url_for("runs.detail", run_id=run.id))
        except json.JSONDecodeError as exc:
            error = _("The payload is not valid JSON: %(message)s", message=exc.msg)
        except ApiError as exc:
            error = exc.message
        except item_files.MissingFileName:
            error = _("Every file needs a file name.")
        except DuplicateReference as exc:
            error = _("An item with reference %(reference)s already exists in queue %(queue)s.",
                      reference=exc.reference, queue=exc.queue)
        except TooLarge:
            error = _("A file is too large.")
    session.rollback()
    return render_template("runs/new.html", processes=_processes(), selected=request.form.get("process", ""),
                           payload=raw, reference=reference, error=error), 400


@bp.post("/<int:run_id>/stop")
@requires("runs.control")
def stop(run_id: int):
    session, run = db(), _run(run_id)
    try:
        run_control.request_stop(session, run, actor())
        session.commit()
        flash(_("Stop requested for run %(id)s.", id=run.id), "success")
    except run_control.RunError:
        session.rollback()
        flash(_("Run %(id)s has already ended.", id=run.id), "error")
    return redirect(url_for("runs.detail", run_id=run_id))


@bp.post("/<int:run_id>/rerun")
@requires("runs.control")
def rerun(run_id: int):
    session, original = db(), _run(run_id)
    run = run_control.start_run(session, original.process, actor())
    session.commit()
    flash(_("Run %(id)s started again as run %(new)s.", id=original.id, new=run.id), "success")
    return redirect(url_for("runs.detail", run_id=run.id))
