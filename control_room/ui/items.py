"""Queues and their items: filter by state, reference, text in the payload and dates; an item's
payload, files, history, parent and children; batch retry, mark done, move and delete."""
from __future__ import annotations

import mimetypes

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import String, cast, func, select

from control_room.access.permissions import allowed
from control_room.audit.models import AuditEvent
from control_room.context import db, services
from control_room.inbox import resolutions
from control_room.inbox.models import ItemClaim
from control_room.queue import item_actions
from control_room.queue.models import ItemState, Queue, WorkItem, WorkItemFile
from control_room.ui import date_range, paging
from control_room.ui.access import actor, me, requires

bp = Blueprint("items", __name__)
PREVIEW_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
HISTORY_LIMIT = 500


@bp.get("/queues")
@requires("items.read")
def queues():
    session = db()
    counts: dict[int, dict[str, int]] = {}
    for queue_id, state, count in session.execute(select(WorkItem.queue_id, WorkItem.state, func.count())
                                                  .group_by(WorkItem.queue_id, WorkItem.state)):
        counts.setdefault(queue_id, {})[state.value] = count
    return render_template("items/queues.html", queues=session.scalars(select(Queue).order_by(Queue.name)).all(),
                           counts=counts, states=[s.value for s in ItemState])


def _queue(queue_id: int) -> Queue:
    queue = db().get(Queue, queue_id)
    if queue is None:
        abort(404)
    return queue


def _filters() -> dict[str, str]:
    keys = ("state", "reference", "q", "from", "to")
    return {k: request.args[k].strip() for k in keys if request.args.get(k, "").strip()}


@bp.get("/queues/<int:queue_id>")
@requires("items.read")
def queue(queue_id: int):
    session, found, args = db(), _queue(queue_id), _filters()
    query = select(WorkItem).where(WorkItem.queue_id == found.id)
    if args.get("state") in {s.value for s in ItemState}:
        query = query.where(WorkItem.state == ItemState(args["state"]))
    if args.get("reference"):
        query = query.where(WorkItem.reference == args["reference"])
    if args.get("q"):
        query = query.where(cast(WorkItem.payload, String).contains(args["q"], autoescape=True))
    if start := date_range.day_start(args.get("from")):
        query = query.where(WorkItem.created_at >= start)
    if end := date_range.day_end(args.get("to")):
        query = query.where(WorkItem.created_at < end)
    page = paging.newest_first(session, query, WorkItem.id)
    return render_template("items/queue.html", queue=found, page=page, filters=args,
                           states=[s.value for s in ItemState],
                           queues=session.scalars(select(Queue).order_by(Queue.name)).all())


def _item(item_id: int) -> WorkItem:
    item = db().get(WorkItem, item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/items/<int:item_id>")
@requires("items.read")
def item(item_id: int):
    session, found = db(), _item(item_id)
    history = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "work_item",
                                                       AuditEvent.object_id == str(item_id))
                              .order_by(AuditEvent.id).limit(HISTORY_LIMIT)).all()
    children = session.scalars(select(WorkItem).where(WorkItem.parent_id == item_id).order_by(WorkItem.id)).all()
    parent = session.get(WorkItem, found.parent_id) if found.parent_id else None
    return render_template("items/item.html", item=found, history=history, children=children, parent=parent,
                           claim=session.get(ItemClaim, item_id), previewable=_previewable,
                           queues=session.scalars(select(Queue).order_by(Queue.name)).all())


def _previewable(name: str) -> str | None:
    mimetype = mimetypes.guess_type(name)[0]
    return mimetype if mimetype in PREVIEW_TYPES else None


@bp.get("/items/<int:item_id>/files/<int:file_id>")
@requires("items.read")
def item_file(item_id: int, file_id: int):
    row = db().get(WorkItemFile, file_id)
    if row is None or row.item_id != item_id:
        abort(404)
    mimetype = _previewable(row.name)
    inline = mimetype is not None and request.args.get("download") is None
    return send_file(services().files.path("items", item_id, file_id), mimetype=mimetype or None,
                     as_attachment=not inline, download_name=row.name)


def _act(action: str, ids: list[int], reason: str, target_id: int | None):
    """Apply and commit, or roll back everything and say which items were refused."""
    _check(action)
    if not ids:
        flash(_("Select at least one item."), "error")
        return False
    if not reason:
        flash(_("A reason is required."), "error")
        return False
    session = db()
    target = session.get(Queue, target_id) if target_id else None
    if action == "move" and target is None:
        flash(_("Choose the queue to move the items to."), "error")
        return False
    refusals = resolutions.resolve_many(session, action, ids, actor(), reason, target)
    if refusals:
        session.rollback()
        flash(_("%(refused)s of %(total)s item(s) refused; nothing was changed.", refused=len(refusals),
                total=len(ids)) + " " + "; ".join(f"#{r.item_id}: {r.message}" for r in refusals[:5]), "error")
        return False
    session.commit()
    flash(_("%(count)s item(s) updated.", count=len(ids)), "success")
    return True


def _check(action: str) -> None:
    """The action's own permission, checked before anything else is looked at."""
    if action not in item_actions.PERMISSION:
        abort(400)
    if not allowed(me().role, item_actions.PERMISSION[action]):
        abort(403)


def _ids() -> list[int]:
    return [int(i) for i in request.form.getlist("ids") if i.isdigit()]


@bp.post("/items/batch")
@requires("items.read")
def batch():
    _act(request.form.get("action", ""), _ids(), request.form.get("reason", "").strip(),
         request.form.get("queue", type=int))
    return redirect(_back())


@bp.post("/items/<int:item_id>/action")
@requires("items.read")
def act(item_id: int):
    action = request.form.get("action", "")
    _check(action)
    _item(item_id)
    done = _act(action, [item_id], request.form.get("reason", "").strip(), request.form.get("queue", type=int))
    if done and action == "delete":
        return redirect(url_for("items.queues"))
    return redirect(url_for("items.item", item_id=item_id))


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for("items.queues")

