"""The robot API, route for route what robocorp-workitems 1.5 and robocorp-vault 1.4 call inside a
Robocorp Control Room run, so a bot written for Robocorp runs on arfleet unchanged.

Every call carries the step run's bearer token. The token opens only its own run's routes, items and
its process's secrets, and stops working when the run ends.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for
from sqlalchemy import select

from control_room import audit
from control_room.api.errors import ApiError, duplicate_reference
from control_room.api.requests import checked_reference, json_body, reject_large_payload
from control_room.api.run_auth import authenticated_run, check_run_route
from control_room.audit.actors import Actor
from control_room.context import db, services
from control_room.fleet.processes import queue_named
from control_room.fleet.runs import RunContext
from control_room.queue import transitions
from control_room.queue.models import ItemState, Queue, WorkItem, WorkItemFile
from control_room.vault.models import Secret
from control_room.vault.store import SecretNotFound, SecretOutOfScope
from credentials import transit

bp = Blueprint("robot_api", __name__)

PROCESS_PREFIX = "/process-v1/workspaces/<ws>/processes/<int:process_id>"
ITEMS_PREFIX = "/json-v1/workspaces/<ws>/workitems/<int:item_id>"
SECRETS_PREFIX = "/secrets-v1/workspaces/<ws>/secrets"


@bp.before_request
def authenticate_run() -> None:
    run = authenticated_run(db(), request.headers.get("Authorization", ""), (request.view_args or {}).get("ws"))
    g.run = run
    g.actor = Actor.run(run.step_run_id)


def _run() -> RunContext:
    return g.run


def _item_for_run(item_id: int) -> WorkItem:
    """Items a run may touch: the inputs it holds and the outputs it created."""
    item = db().get(WorkItem, item_id)
    if item is None:
        raise ApiError(404, "not_found", f"no work item {item_id}")
    if _run().step_run_id not in (item.step_run_id, item.created_by_run_id):
        raise ApiError(403, "forbidden", f"work item {item_id} does not belong to this run")
    return item


# --- process API (reserve-next-work-item and release-work-item: see robot_queue) ----------------------
@bp.post(PROCESS_PREFIX + "/work-items/<int:item_id>/output")
def create_output(ws: str, process_id: int, item_id: int):
    check_run_route(_run(), process_id)
    parent = _item_for_run(item_id)
    if parent.step_run_id != _run().step_run_id or parent.state != ItemState.RESERVED:
        raise ApiError(409, "conflict", f"work item {item_id} is not an input this run holds")
    body = json_body()
    payload = body.get("payload")
    reject_large_payload(payload)
    session = db()
    run = _run()
    output_queue = session.get(Queue, run.output_queue_id) if run.output_queue_id else None
    if run.output_queue_id and output_queue is None:  # a foreign key, and queues are never deleted
        raise RuntimeError(f"the step's output queue {run.output_queue_id} does not exist")
    queue = output_queue or queue_named(session, f"{run.process_name}.output")
    # Robocorp's Control Room takes an output's unique reference from its payload: a second output with
    # the same one is refused (409), which tells a bot collecting overlapping windows it handed that on.
    reference = payload.get("work_item_reference") if isinstance(payload, dict) else None
    new = transitions.NewItem(payload=payload if payload is not None else {}, parent_id=item_id,
                              reference=checked_reference(reference, "work_item_reference"))
    try:
        item = transitions.create(session, queue, new, g.actor, process_id=run.process_id,
                                  draft_of_run=run.step_run_id)
    except transitions.DuplicateReference as exc:
        session.rollback()
        raise duplicate_reference(exc) from None
    session.commit()
    return jsonify(id=str(item.id))


# --- work item data and files ----------------------------------------------------------------------------
@bp.get(ITEMS_PREFIX + "/data")
def get_data(ws: str, item_id: int):
    return jsonify(_item_for_run(item_id).payload)


@bp.put(ITEMS_PREFIX + "/data")
def put_data(ws: str, item_id: int):
    _item_for_run(item_id)
    payload = json_body(allow_any=True)
    reject_large_payload(payload)
    session = db()
    try:
        transitions.save_payload(session, item_id, payload, g.actor)
    except transitions.TransitionRefused as refused:
        raise ApiError(409, "conflict", str(refused)) from None
    session.commit()
    return jsonify(payload)


def _file_json(f: WorkItemFile) -> dict[str, Any]:
    return {"fileName": f.name, "fileId": str(f.id), "fileSize": f.size}


@bp.get(ITEMS_PREFIX + "/files")
def list_files(ws: str, item_id: int):
    return jsonify([_file_json(f) for f in _item_for_run(item_id).files])


@bp.post(ITEMS_PREFIX + "/files")
def add_file(ws: str, item_id: int):
    item = _item_for_run(item_id)
    if item.state not in (ItemState.RESERVED, ItemState.DRAFT):
        raise ApiError(409, "conflict", f"work item {item_id} is {item.state.value}; files can no longer change")
    body = json_body()
    name, size = body.get("fileName"), body.get("fileSize")
    if not isinstance(name, str) or not name or "/" in name or not isinstance(size, int) or size < 0:
        raise ApiError(400, "bad_request", "fileName (no '/') and fileSize (bytes) are required")
    limit = services().settings.max_file_bytes
    if size > limit:
        raise ApiError(413, "too_large", f"{name} is {size} bytes; files may not exceed {limit} bytes")
    token = services().signer.sign("upload", {"item": item_id, "name": name, "size": size,
                                              "run": _run().step_run_id})
    return jsonify(url=url_for("files.upload", _external=True), fields={"token": token})


@bp.get(ITEMS_PREFIX + "/files/<int:file_id>")
def get_file(ws: str, item_id: int, file_id: int):
    item = _item_for_run(item_id)
    if not any(f.id == file_id for f in item.files):
        raise ApiError(404, "not_found", f"work item {item_id} has no file {file_id}")
    token = services().signer.sign("download", {"item": item_id, "file": file_id})
    return jsonify(url=url_for("files.download", token=token, _external=True))


@bp.delete(ITEMS_PREFIX + "/files/<int:file_id>")
def delete_file(ws: str, item_id: int, file_id: int):
    item = _item_for_run(item_id)
    match = next((f for f in item.files if f.id == file_id), None)
    if match is None:
        raise ApiError(404, "not_found", f"work item {item_id} has no file {file_id}")
    session = db()
    session.delete(match)
    audit.record(session, g.actor, "item.file_removed", "work_item", item_id, {"file": match.name})
    session.commit()
    services().files.delete("items", item_id, file_id)
    return jsonify(deleted=str(file_id))


# --- secrets -------------------------------------------------------------------------------------------
@bp.get(SECRETS_PREFIX + "/publicKey")
def transit_public_key(ws: str):
    session = db()
    key = services().vault.transit_key(session)
    session.commit()
    return Response(transit.public_key_b64(key), mimetype="text/plain")


@bp.get(SECRETS_PREFIX + "/<name>")
def read_secret(ws: str, name: str):
    if request.args.get("encryptionScheme") != transit.SCHEME:
        raise ApiError(400, "bad_request", f"encryptionScheme must be {transit.SCHEME}")
    public_key = request.args.get("publicKey", "")
    session = db()
    run = _run()
    try:
        values = services().vault.read(session, name, run.process_name, g.actor, run_id=run.step_run_id)
        envelope = transit.seal_for_client(values.reveal(), public_key)
    except SecretNotFound:
        raise ApiError(404, "not_found", f"no secret named {name!r}") from None
    except SecretOutOfScope as refused:
        session.commit()  # keep the audit of the refused read
        raise ApiError(403, "forbidden", str(refused)) from None
    except transit.EnvelopeError as bad:
        raise ApiError(400, "bad_request", str(bad)) from None
    session.commit()
    description = session.scalar(select(Secret.description).where(Secret.name == name))
    value = envelope.pop("value")
    return jsonify(name=name, description=description or "", value=value,
                   encryption={**envelope, "encryptionScheme": transit.SCHEME})


@bp.put(SECRETS_PREFIX + "/<name>")
def write_secret(ws: str, name: str):
    body = json_body()
    session = db()
    vault = services().vault
    try:
        values = transit.open_from_client(body, vault.transit_key(session))
    except transit.EnvelopeError as bad:
        raise ApiError(400, "bad_request", str(bad)) from None
    run = _run()
    process_name = run.process_name
    try:
        if process_name not in vault.scope_of(session, name):
            audit.record(session, g.actor, "secret.write_refused", "secret", name,
                         {"process": process_name, "run_id": run.step_run_id})
            session.commit()  # kept like a refused read
            raise ApiError(403, "forbidden", f"process {process_name!r} may not write secret {name!r}")
        scope = None  # rotation keeps the scope
    except SecretNotFound:
        scope = [process_name]  # a bot's new secret is readable by its own process
    vault.set(session, name, values, g.actor, processes=scope, description=body.get("description"))
    session.commit()
    return jsonify(name=name)

