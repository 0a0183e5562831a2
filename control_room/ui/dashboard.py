"""The ops dashboard: runners, runs, queue depths, success rates, exceptions; the panel refreshes
itself every few seconds through htmx, the charts read a small JSON document."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, render_template

from control_room import clock
from control_room.context import db
from control_room.queue import depths
from control_room.ui import fleet_status
from control_room.ui.access import requires

bp = Blueprint("dashboard", __name__)
REFRESH_SECONDS = 5


def _figures() -> dict:
    session = db()
    now = clock.now(session)
    return {
        "now": now,
        "runners": fleet_status.runner_counts(session, now),
        "runs": fleet_status.run_counts(session, now),
        "queues": fleet_status.queue_depths(session, now),
        "stats_day": fleet_status.process_stats(session, now - timedelta(hours=24)),
        "stats_week": fleet_status.process_stats(session, now - timedelta(days=7)),
        "exceptions": fleet_status.exceptions_by_reason(session),
        "refresh_seconds": REFRESH_SECONDS,
    }


@bp.get("/")
@requires("runs.read")
def index():
    return render_template("dashboard/index.html", **_figures())


@bp.get("/dashboard/panel")
@requires("runs.read")
def panel():
    return render_template("dashboard/_panel.html", **_figures())


@bp.get("/dashboard/charts.json")
@requires("runs.read")
def charts():
    session = db()
    now = clock.now(session)
    history = depths.history(session, now - timedelta(hours=24))
    return jsonify(
        runs_per_hour=fleet_status.runs_per_hour(session, now),
        exceptions=[{"reason": r, "count": c} for r, c in fleet_status.exceptions_by_reason(session)],
        success_rate=[{"process": s.process, "percent": round(100 * s.success_rate, 1), "ended": s.ended}
                      for s in fleet_status.process_stats(session, now - timedelta(hours=24))
                      if s.success_rate is not None],  # None exactly when no run ended
        queue_depth={name: [{"at": at.astimezone(fleet_status.PARIS).strftime("%H:%M"), "waiting": waiting,
                             "escalated": escalated} for at, waiting, escalated in points]
                     for name, points in history.items()},
    )
