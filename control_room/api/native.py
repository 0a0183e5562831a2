"""The native API under /api/v1: items, batch operations, process runs. Runner endpoints are in
api/runners.py; the OpenAPI document describing both is served at /api/v1/openapi.json."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, g, jsonify, request, send_file
from sqlalchemy import String, cast, select

from control_room.access.permissions import allowed
from control_room.api.auth import requires
from control_room.api.errors import ApiError, duplicate_reference
from control_room.api.openapi import OPENAPI
from control_room.api.requests import checked_reference, json_body, reject_large_payload
from control_room.context import db, services
from control_room.fleet import runs
from control_room.fleet.models import ProcessRun, RunState
from control_room.fleet.processes import UnknownProcess, get_process
from control_room.inbox import resolutions
from control_room.queue import item_actions, item_files, transitions
from control_room.queue.models import ItemState, Queue, WorkItem, WorkItemFile
from control_room.queue.transitions import DuplicateReference, NewItem
from control_room.storage.files import TooLarge

bp = Blueprint("native_api", __name__, url_prefix="/api/v1")
MAX_PAGE = 500


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


# --- serialisation ---------------------------------------------------------------------------------------
def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_json(item: WorkItem, with_payload: bool = True) -> dict[str, Any]:
    data = {
        "id": item.id, "queue": item.queue.name, "state": item.state.value, "reference": item.reference,
        "priority": item.priority, "deadline": _iso(item.deadline), "defer_until": _iso(item.defer_until),
        "attempts": item.attempts, "lease_expires_at": _iso(item.lease_expires_at),
        "step_run_id": item.step_run_id, "parent_id": item.parent_id,
        "exception": ({"type": item.exception_type.value, "code": item.exception_code,
                       "message": item.exception_message} if item.exception_type else None),
        "files": [{"id": f.id, "name": f.name, "size": f.size, "sha256": f.sha256} for f in item.files],
        "created_at": _iso(item.created_at), "updated_at": _iso(item.updated_at),
    }
    if with_payload:
        data["payload"] = item.payload
    return data


def run_json(run: ProcessRun) -> dict[str, Any]:
    return {
        "id": run.id, "process": run.process.name, "state": run.state.value, "requested_by": run.requested_by,
        "created_at": _iso(run.created_at), "ended_at": _iso(run.ended_at),
        "steps": [{"id": s.id, "step": s.step.name, "state": s.state.value, "runner_id": s.runner_id,
                   "exit_code": s.exit_code, "started_at": _iso(s.started_at), "ended_at": _iso(s.ended_at),
                   "log_lines_lost": s.log_lines_lost}
                  for s in run.steps],
    }


# --- parsing ------------------------------------------------------------------------------------------------
def _parse_time(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, "bad_request", f"{field} must be an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ApiError(400, "bad_request", f"{field} must carry a timezone offset")
    return parsed


def parse_new_item(data: Any, where: str = "item") -> NewItem:
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", f"{where} must be a JSON object")
    unknown = set(data) - {"payload", "reference", "priority", "deadline", "defer_until"}
    if unknown:
        raise ApiError(400, "bad_request", f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", f"{where}.payload must be a JSON object")
    reject_large_payload(payload)
    reference = checked_reference(data.get("reference"), f"{where}.reference")
    priority = data.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise ApiError(400, "bad_request", f"{where}.priority must be an integer")
    return NewItem(payload=payload, reference=reference, priority=priority,
                   deadline=_parse_time(data.get("deadline"), f"{where}.deadline"),
                   defer_until=_parse_time(data.get("defer_until"), f"{where}.defer_until"))


def _process(name: Any):
    if not isinstance(name, str):
        raise ApiError(400, "bad_request", "process (a process name) is required")
    try:
        return get_process(db(), name)
    except UnknownProcess as exc:
        raise ApiError(404, "not_found", str(exc)) from None


# --- items --------------------------------------------------------------------------------------------------
@bp.post("/items")
@requires("items.create")
def create_items():
    """One item (JSON or multipart with files) or a batch {"process", "items": [...]}. All or nothing."""
    uploads = []
    if request.mimetype == "multipart/form-data":
        try:
            body = json.loads(request.form.get("item", "{}"))
        except json.JSONDecodeError as exc:
            raise ApiError(400, "bad_json", f"form field 'item': malformed JSON: {exc.msg}") from None
        uploads = request.files.getlist("file")
    else:
        body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "expected a JSON object")
    process = _process(body.get("process"))
    if "items" in body:
        if not isinstance(body["items"], list) or not body["items"]:
            raise ApiError(400, "bad_request", "items must be a non-empty list")
        news = [parse_new_item(d, f"items[{i}]") for i, d in enumerate(body["items"])]
    else:
        news = [parse_new_item({k: v for k, v in body.items() if k != "process"})]
    if uploads and len(news) != 1:
        raise ApiError(400, "bad_request", "files can be attached to a single item only")
    session = db()
    queue = process.input_queue
    created: list[WorkItem] = []
    try:
        for new in news:
            created.append(transitions.create(session, queue, new, g.actor, process_id=process.id))
        for upload in uploads:
            item_files.attach_upload(session, services().files, created[0], upload,
                                     services().settings.max_file_bytes)
    except item_files.MissingFileName as exc:
        session.rollback()
        raise ApiError(400, "bad_request", str(exc)) from None
    except DuplicateReference as exc:
        session.rollback()
        raise duplicate_reference(exc) from None
    except TooLarge:
        session.rollback()
        limit = services().settings.max_file_bytes
        raise ApiError(413, "too_large", f"a file exceeds the {limit} bytes limit") from None
    session.commit()
    data = [item_json(i) for i in created]
    return (jsonify(items=data) if "items" in body else jsonify(data[0])), 201


@bp.get("/items")
@requires("items.read")
def list_items():
    """Filter by process, queue, state, reference, text in the payload; keyset pagination by id."""
    args = request.args
    query = select(WorkItem).join(Queue)
    if args.get("process"):
        query = query.where(WorkItem.process_id == _process(args["process"]).id)
    if args.get("queue"):
        query = query.where(Queue.name == args["queue"])
    if args.get("state"):
        try:
            query = query.where(WorkItem.state == ItemState(args["state"]))
        except ValueError:
            raise ApiError(400, "bad_request", f"unknown state {args['state']!r}") from None
    if args.get("reference"):
        query = query.where(WorkItem.reference == args["reference"])
    if args.get("created_after"):
        query = query.where(WorkItem.created_at >= _parse_time(args["created_after"], "created_after"))
    if args.get("created_before"):
        query = query.where(WorkItem.created_at < _parse_time(args["created_before"], "created_before"))
    if args.get("q"):
        query = query.where(cast(WorkItem.payload, String).contains(args["q"]))
    try:
        limit = min(int(args.get("limit", 100)), MAX_PAGE)
        before = int(args["before_id"]) if args.get("before_id") else None
    except ValueError:
        raise ApiError(400, "bad_request", "limit and before_id must be integers") from None
    if before is not None:
        query = query.where(WorkItem.id < before)
    items = db().scalars(query.order_by(WorkItem.id.desc()).limit(limit)).all()
    next_before = items[-1].id if len(items) == limit else None
    return jsonify(items=[item_json(i, with_payload=False) for i in items], next_before_id=next_before)


def _item(item_id: int) -> WorkItem:
    item = db().get(WorkItem, item_id)
    if item is None:
        raise ApiError(404, "not_found", f"no work item {item_id}")
    return item


@bp.get("/items/<int:item_id>")
@requires("items.read")
def get_item(item_id: int):
    item = _item(item_id)
    data = item_json(item)
    data["children"] = db().scalars(select(WorkItem.id).where(WorkItem.parent_id == item_id)).all()
    return jsonify(data)


@bp.get("/items/<int:item_id>/files/<int:file_id>")
@requires("items.read")
def get_item_file(item_id: int, file_id: int):
    row = db().get(WorkItemFile, file_id)
    if row is None or row.item_id != item_id:
        raise ApiError(404, "not_found", f"work item {item_id} has no file {file_id}")
    return send_file(services().files.path("items", item_id, file_id), as_attachment=True, download_name=row.name)


@bp.post("/items/batch")
@requires("items.read")
def batch():
    """retry | done | reject | move | delete on many items, with a reason; all or nothing."""
    body = json_body()
    action, ids, reason = body.get("action"), body.get("ids"), body.get("reason")
    if action not in item_actions.PERMISSION:
        raise ApiError(400, "bad_request", f"action must be one of {', '.join(item_actions.PERMISSION)}")
    if not allowed(g.user.role, item_actions.PERMISSION[action]):
        raise ApiError(403, "forbidden", f"role {g.user.role.value!r} may not {action} items")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise ApiError(400, "bad_request", "ids must be a non-empty list of item ids")
    if not isinstance(reason, str) or not reason.strip():
        raise ApiError(400, "bad_request", "a reason is required")
    session = db()
    target = None
    if action == "move":
        target = session.scalar(select(Queue).where(Queue.name == body.get("queue")))
        if target is None:
            raise ApiError(400, "bad_request", "move needs an existing target queue")
    refusals = resolutions.resolve_many(session, action, ids, g.actor, reason.strip(), target)
    if refusals:
        session.rollback()
        raise ApiError(409, "conflict", f"{len(refusals)} of {len(ids)} item(s) refused; nothing was changed",
                       failures=[{"id": r.item_id, "message": r.message, "claimed_by": r.claimed_by}
                                 for r in refusals])
    session.commit()
    return jsonify(action=action, ids=ids)


# --- runs ---------------------------------------------------------------------------------------------------
@bp.post("/processes/<name>/runs")
@requires("runs.control")
def start_run(name: str):
    body = json_body()
    process = _process(name)
    payloads = body.get("payloads", [])
    if not isinstance(payloads, list):
        raise ApiError(400, "bad_request", "payloads must be a list of items")
    news = [parse_new_item(p, f"payloads[{i}]") for i, p in enumerate(payloads)]
    session = db()
    try:
        run = runs.start_run(session, process, g.actor, news)
    except DuplicateReference as exc:
        session.rollback()
        raise duplicate_reference(exc) from None
    session.commit()
    return jsonify(run_json(run)), 201


@bp.get("/runs")
@requires("runs.read")
def list_runs():
    query = select(ProcessRun)
    if request.args.get("process"):
        query = query.where(ProcessRun.process_id == _process(request.args["process"]).id)
    if request.args.get("state"):
        try:
            query = query.where(ProcessRun.state == RunState(request.args["state"]))
        except ValueError:
            raise ApiError(400, "bad_request", f"unknown state {request.args['state']!r}") from None
    found = db().scalars(query.order_by(ProcessRun.id.desc()).limit(MAX_PAGE)).all()
    return jsonify(runs=[run_json(r) for r in found])


def _run(run_id: int) -> ProcessRun:
    run = db().get(ProcessRun, run_id)
    if run is None:
        raise ApiError(404, "not_found", f"no run {run_id}")
    return run


@bp.get("/runs/<int:run_id>")
@requires("runs.read")
def get_run(run_id: int):
    return jsonify(run_json(_run(run_id)))


@bp.post("/runs/<int:run_id>/stop")
@requires("runs.control")
def stop_run(run_id: int):
    session = db()
    run = _run(run_id)
    try:
        runs.request_stop(session, run, g.actor)
    except runs.RunError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    session.commit()
    return jsonify(run_json(run))
