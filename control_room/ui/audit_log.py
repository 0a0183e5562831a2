"""The audit log for people: filter by actor, action, object and dates; export what the filter finds
as CSV (streamed in keyset batches); run the hash-chain verification and show its verdict."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, render_template, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from control_room import audit
from control_room.audit.models import AuditEvent
from control_room.context import db, services
from control_room.ui import date_range, paging
from control_room.ui.access import actor, requires

bp = Blueprint("audit_log", __name__, url_prefix="/audit")
EXPORT_BATCH = 2000
COLUMNS = ("id", "at", "actor_type", "actor_id", "action", "object_type", "object_id", "details", "hash")


def _filters() -> dict[str, str]:
    keys = ("actor", "action", "object_type", "object_id", "from", "to")
    return {k: request.args[k].strip() for k in keys if request.args.get(k, "").strip()}


def _query(args: dict[str, str]) -> Select:
    """Each filter is answered by an index: (actor_id, id), (action, id), (object_type, object_id), at."""
    query = select(AuditEvent)
    if who := args.get("actor"):
        kind, sep, name = who.partition(":")
        if sep and kind in ("user", "runner", "run", "system"):
            query = query.where(AuditEvent.actor_type == kind, AuditEvent.actor_id == name)
        else:
            query = query.where(AuditEvent.actor_id == who)
    if action := args.get("action"):
        query = query.where(AuditEvent.action == action)
    if object_type := args.get("object_type"):
        query = query.where(AuditEvent.object_type == object_type)
        if object_id := args.get("object_id"):
            query = query.where(AuditEvent.object_id == object_id)
    if start := date_range.day_start(args.get("from")):
        query = query.where(AuditEvent.at >= start, AuditEvent.id >= _first_id_at_or_after(start))
    if end := date_range.day_end(args.get("to")):
        query = query.where(AuditEvent.at < end, AuditEvent.id <= _last_id_before(end))
    return query


# Date bounds become id bounds too: every event at or after `start` has an id at least the smallest such
# id (exact even if clocks were not monotonic), and the id range lets the newest-first page walk the
# primary key instead of scanning from today back to the chosen dates.
def _first_id_at_or_after(start) -> Any:
    return select(func.min(AuditEvent.id)).where(AuditEvent.at >= start).scalar_subquery()


def _last_id_before(end) -> Any:
    """Walks the `at` index backwards from `end` (events are chained at commit, so `at` follows `id`)."""
    return (select(AuditEvent.id).where(AuditEvent.at < end)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1).scalar_subquery())


@bp.get("")
@requires("audit.read")
def index():
    args = _filters()
    page = paging.newest_first(db(), _query(args), AuditEvent.id)
    return render_template("audit/index.html", page=page, filters=args, verdict=None)


def _csv_rows(sessions: sessionmaker[Session], args: dict[str, str]) -> Iterator[str]:
    """Runs after the view returned, outside the request: it opens its own short sessions."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    yield out.getvalue()
    before = None
    while True:
        query = _query(args)
        if before is not None:
            query = query.where(AuditEvent.id < before)
        with sessions() as session:  # a short transaction per batch: never hold SQLite's lock for the export
            rows = [[e.id, e.at.isoformat(), e.actor_type, e.actor_id, e.action, e.object_type, e.object_id,
                     json.dumps(e.details, ensure_ascii=False, sort_keys=True), e.hash]
                    for e in session.scalars(query.order_by(AuditEvent.id.desc()).limit(EXPORT_BATCH))]
            session.rollback()
        if not rows:
            return
        out.seek(0)
        out.truncate()
        writer.writerows(rows)
        yield out.getvalue()
        before = rows[-1][0]


@bp.get("/export.csv")
@requires("audit.read")
def export():
    args = _filters()
    session = db()
    audit.record(session, actor(), "audit.exported", "audit_log", "csv", {"filters": args})
    session.commit()
    return Response(_csv_rows(services().sessions, args), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=arfleet-audit.csv"})


@bp.post("/verify")
@requires("audit.read")
def verify():
    verdict = audit.verify_chain(db())
    db().commit()  # keep the sealing verify did
    args = _filters()
    page = paging.newest_first(db(), _query(args), AuditEvent.id)
    return render_template("audit/index.html", page=page, filters=args, verdict=verdict)
