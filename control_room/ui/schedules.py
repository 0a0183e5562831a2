"""Schedules and processes: what schedules.yaml declares, next fire times, the last result; pause and
resume a schedule (audited), run its process now."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from control_room import audit, clock
from control_room.context import db
from control_room.fleet import runs
from control_room.fleet.fire_times import fire_times
from control_room.fleet.models import Process, ProcessRun, Schedule, ScheduleFire
from control_room.ui.access import actor, requires

bp = Blueprint("schedules", __name__, url_prefix="/schedules")


def _next(schedule: Schedule, now) -> object:
    if schedule.paused or not schedule.declared:
        return None
    try:
        return next(fire_times(schedule.cron, schedule.timezone, schedule.business_days_only, now), None)
    except (ValueError, KeyError):
        return "invalid"


@bp.get("")
@requires("schedules.read")
def index():
    session = db()
    now = clock.now(session)
    schedules = session.scalars(select(Schedule).order_by(Schedule.name)).all()
    last: dict[int, tuple[ScheduleFire, ProcessRun | None]] = {}
    for schedule in schedules:
        fire = session.scalar(select(ScheduleFire).where(ScheduleFire.schedule_id == schedule.id)
                              .order_by(ScheduleFire.fire_time.desc()).limit(1))
        if fire is not None:
            last[schedule.id] = (fire, session.get(ProcessRun, fire.process_run_id) if fire.process_run_id else None)
    return render_template("schedules/index.html", schedules=schedules, last=last,
                           next={s.id: _next(s, now) for s in schedules},
                           processes=session.scalars(select(Process).order_by(Process.name)).all())


def _schedule(schedule_id: int) -> Schedule:
    schedule = db().get(Schedule, schedule_id)
    if schedule is None:
        abort(404)
    return schedule


def _set_paused(schedule_id: int, paused: bool):
    session, schedule = db(), _schedule(schedule_id)
    if schedule.paused != paused:
        schedule.paused = paused
        audit.record(session, actor(), "schedule.paused" if paused else "schedule.resumed", "schedule",
                     schedule.name, {"process": schedule.process.name})
        session.commit()
    flash(_("Schedule %(name)s paused.", name=schedule.name) if paused
          else _("Schedule %(name)s resumed.", name=schedule.name), "success")
    return redirect(url_for("schedules.index"))


@bp.post("/<int:schedule_id>/pause")
@requires("schedules.manage")
def pause(schedule_id: int):
    return _set_paused(schedule_id, True)


@bp.post("/<int:schedule_id>/resume")
@requires("schedules.manage")
def resume(schedule_id: int):
    return _set_paused(schedule_id, False)


@bp.post("/<int:schedule_id>/run")
@requires("schedules.manage")
def run_now(schedule_id: int):
    session, schedule = db(), _schedule(schedule_id)
    run = runs.start_run(session, schedule.process, actor())
    session.commit()
    flash(_("Run %(id)s started.", id=run.id), "success")
    return redirect(url_for("runs.detail", run_id=run.id))
