"""The exception inbox: escalated items by priority and deadline, each with the bot's reason, the
screenshot of the failing screen and the payload as a form. A handler claims an item, fixes it and
retries it, finishes it by hand or rejects it — one at a time or in bulk; every resolution is
audited and kept as a labelled example."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from control_room.audit.models import AuditEvent
from control_room.context import db
from control_room.fleet.models import Artifact
from control_room.inbox import claims, resolutions
from control_room.queue.models import ItemState, WorkItem, in_state
from control_room.queue.transitions import DuplicateReference, TransitionRefused
from control_room.ui import payload_form
from control_room.ui.access import actor, me, requires

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
PAGE_SIZE = 20
OUTCOMES = {"retry": "retried", "done": "done", "reject": "rejected"}  # the actions this page offers
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def _after(item: WorkItem):
    """Items after `item` in inbox order (priority high first, deadline soonest first and none last,
    then oldest first): the keyset condition for the next page."""
    same_priority_later = (
        and_(WorkItem.deadline.is_(None), WorkItem.id > item.id) if item.deadline is None else
        or_(WorkItem.deadline > item.deadline, WorkItem.deadline.is_(None),
            and_(WorkItem.deadline == item.deadline, WorkItem.id > item.id)))
    return or_(WorkItem.priority < item.priority, and_(WorkItem.priority == item.priority, same_priority_later))


def screenshot_for(item_id: int) -> Artifact | None:
    """The image the failing run uploaded, found through the run that escalated the item."""
    session = db()
    failed_by = session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.object_type == "work_item", AuditEvent.object_id == str(item_id),
        AuditEvent.action == "item.failed", AuditEvent.actor_type == "run").order_by(AuditEvent.id.desc()).limit(1))
    if failed_by is None or not failed_by.isdigit():
        return None
    images = [a for a in session.scalars(select(Artifact).where(Artifact.step_run_id == int(failed_by))
                                         .order_by(Artifact.id))
              if a.name.lower().endswith(IMAGE_SUFFIXES)]
    named = [a for a in images if "screenshot" in a.name.lower()]
    candidates = named or images
    return candidates[-1] if candidates else None


@bp.get("")
@requires("items.resolve")
def index():
    session = db()
    reason = request.args.get("reason", "")
    query = select(WorkItem).where(in_state(ItemState.EXCEPTION))
    if reason:
        query = query.where(WorkItem.exception_code == (None if reason == "—" else reason))
    after_id = request.args.get("after", type=int)
    after = session.get(WorkItem, after_id) if after_id else None
    if after is not None:
        query = query.where(_after(after))
    rows = list(session.scalars(query.order_by(WorkItem.priority.desc(), WorkItem.deadline.asc().nulls_last(),
                                               WorkItem.id.asc()).limit(PAGE_SIZE + 1)))
    next_after = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    reasons = session.execute(select(WorkItem.exception_code, func.count())
                              .where(in_state(ItemState.EXCEPTION))
                              .group_by(WorkItem.exception_code).order_by(func.count().desc())).all()
    return render_template("inbox/index.html", items=rows, next_after=next_after, reason=reason,
                           reasons=[(code or "—", count) for code, count in reasons],
                           holders=claims.holders(session, [i.id for i in rows]),
                           screenshots={i.id: screenshot_for(i.id) for i in rows},
                           fields={i.id: payload_form.fields(i.payload) for i in rows}, me=me().username)


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/inbox") else url_for("inbox.index")


@bp.post("/<int:item_id>/claim")
@requires("items.resolve")
def claim(item_id: int):
    session = db()
    try:
        claims.claim(session, item_id, me().username, actor())
        session.commit()
    except claims.ClaimRefused as exc:
        session.rollback()
        flash(str(exc), "error")
    return redirect(_back() + f"#item-{item_id}")


@bp.post("/<int:item_id>/release")
@requires("items.resolve")
def release(item_id: int):
    session = db()
    try:
        claims.release(session, item_id, actor(), me().username, force=me().can("users.manage"))
        session.commit()
    except claims.ClaimRefused as exc:
        session.rollback()
        flash(str(exc), "error")
    return redirect(_back() + f"#item-{item_id}")


@bp.post("/<int:item_id>/resolve")
@requires("items.resolve")
def resolve(item_id: int):
    session = db()
    item = session.get(WorkItem, item_id)
    if item is None:
        abort(404)
    action = request.form.get("action", "")
    if action not in OUTCOMES:
        abort(400)
    reason = request.form.get("reason", "").strip()
    if action != "retry" and not reason:
        flash(_("A reason is required."), "error")
        return redirect(_back() + f"#item-{item_id}")
    try:
        corrected = payload_form.parse(request.form, item.payload) if action == "retry" else None
        resolutions.resolve(session, item, action, actor(), reason or _("payload corrected and retried"),
                            corrected_payload=corrected, escalated_only=True)
        session.commit()
        flash(_("Item %(id)s resolved: %(outcome)s.", id=item_id, outcome=_(OUTCOMES[action])), "success")
    except (payload_form.PayloadError, claims.ClaimRefused, TransitionRefused, DuplicateReference) as exc:
        session.rollback()
        flash(str(exc), "error")
    return redirect(_back())


@bp.post("/bulk")
@requires("items.resolve")
def bulk():
    """Many items with the same reason: all resolved, or none when one of them is refused."""
    session = db()
    action, reason = request.form.get("action", ""), request.form.get("reason", "").strip()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if action not in OUTCOMES:
        abort(400)
    if not ids or not reason:
        flash(_("Select items and give a reason."), "error")
        return redirect(_back())
    refusals = resolutions.resolve_many(session, action, ids, actor(), reason, escalated_only=True)
    if refusals:
        session.rollback()
        flash(_("Nothing was changed: %(message)s", message="; ".join(r.message for r in refusals[:5])), "error")
    else:
        session.commit()
        flash(_("%(count)s item(s) updated.", count=len(ids)), "success")
    return redirect(_back())
