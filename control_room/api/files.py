"""Signed file transfers: robocorp-workitems uploads and downloads work-item files through URLs it
fetches without auth headers, so the URL itself carries a short-lived signature."""
from __future__ import annotations

from flask import Blueprint, request, send_file
from sqlalchemy import select

from control_room import audit
from control_room.api.errors import ApiError
from control_room.audit.actors import Actor
from control_room.context import db, services
from control_room.queue.models import ItemState, WorkItem, WorkItemFile
from control_room.storage.files import TooLarge
from control_room.storage.signed_urls import InvalidSignedUrl

bp = Blueprint("files", __name__, url_prefix="/api/files")


def _signed_fields(purpose: str, token: str) -> dict:
    try:
        return services().signer.verify(purpose, token)
    except InvalidSignedUrl as bad:
        raise ApiError(403, "forbidden", str(bad)) from None


@bp.post("/upload")
def upload():
    signed = _signed_fields("upload", request.form.get("token", ""))
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "bad_request", "a multipart field 'file' is required")
    session = db()
    item = session.get(WorkItem, signed["item"])
    if item is None:
        raise ApiError(404, "not_found", f"no work item {signed['item']}")
    if item.state not in (ItemState.RESERVED, ItemState.DRAFT):
        raise ApiError(409, "conflict", f"work item {item.id} is {item.state.value}; files can no longer change")
    existing = session.scalar(select(WorkItemFile).where(WorkItemFile.item_id == item.id,
                                                         WorkItemFile.name == signed["name"]))
    row = existing or WorkItemFile(item_id=item.id, name=signed["name"], size=0, sha256="")
    session.add(row)
    session.flush()
    limit = min(signed["size"], services().settings.max_file_bytes)
    try:
        row.size, row.sha256 = services().files.write("items", item.id, row.id, upload.stream, limit)
    except TooLarge:
        raise ApiError(413, "too_large", f"the file is larger than the {limit} bytes announced") from None
    audit.record(session, Actor.run(signed["run"]), "item.file_added", "work_item", item.id,
                 {"file": row.name, "size": row.size, "sha256": row.sha256})
    session.commit()
    return "", 204


@bp.get("/download/<token>")
def download(token: str):
    signed = _signed_fields("download", token)
    row = db().get(WorkItemFile, signed["file"])
    if row is None or row.item_id != signed["item"]:
        raise ApiError(404, "not_found", "this file no longer exists")
    path = services().files.path("items", row.item_id, row.id)
    return send_file(path, as_attachment=True, download_name=row.name)
