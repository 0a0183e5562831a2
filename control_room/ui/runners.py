"""Runners: who is registered, their labels, capacity, last heartbeat and current runs; one-time
registration tokens (shown once, never stored in clear); retiring a runner."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from control_room import audit, clock
from control_room.context import db
from control_room.fleet import registration
from control_room.fleet.models import RegistrationToken, Runner, RunState, StepRun
from control_room.ui import fleet_status
from control_room.ui.access import actor, me, requires

bp = Blueprint("runners", __name__, url_prefix="/runners")
TOKEN_HOURS = (1, 24, 24 * 7)


def _page(new_token: registration.IssuedToken | None = None, status: int = 200):
    session = db()
    now = clock.now(session)
    runners = session.scalars(select(Runner).order_by(Runner.retired, Runner.name)).all()
    running = session.scalars(select(StepRun).where(StepRun.state == RunState.RUNNING,
                                                    StepRun.runner_id.is_not(None)).order_by(StepRun.id)).all()
    by_runner: dict[int, list[StepRun]] = {}
    for step_run in running:
        if step_run.runner_id is None:  # the query asked for runs that have a runner
            raise RuntimeError(f"step run {step_run.id} selected by its runner has none")
        by_runner.setdefault(step_run.runner_id, []).append(step_run)
    tokens = session.scalars(select(RegistrationToken).where(RegistrationToken.used_at.is_(None),
                                                             RegistrationToken.expires_at > now)
                             .order_by(RegistrationToken.id.desc()).limit(20)).all()
    return render_template(
        "runners/index.html", runners=runners, runs=by_runner, open_tokens=tokens, new_token=new_token,
        status={r.id: fleet_status.runner_status(r, len(by_runner.get(r.id, [])), now) for r in runners},
        token_hours=TOKEN_HOURS), status


@bp.get("")
@requires("runners.read")
def index():
    return _page()


@bp.post("/tokens")
@requires("runners.manage")
def create_token():
    """The clear token is rendered in this response only: not in a redirect, a flash or a log."""
    hours = request.form.get("hours", 24, type=int)
    if hours not in TOKEN_HOURS:
        abort(400)
    session = db()
    issued = registration.issue(session, actor(), me().username, hours)
    session.commit()
    return _page(issued, 201)


@bp.post("/<int:runner_id>/retire")
@requires("runners.manage")
def retire(runner_id: int):
    session = db()
    runner = session.get(Runner, runner_id)
    if runner is None:
        abort(404)
    if not runner.retired:
        runner.retired = True
        audit.record(session, actor(), "runner.retired", "runner", runner.id, {"name": runner.name})
        session.commit()
    flash(_("Runner %(name)s retired: its credential no longer works.", name=runner.name), "success")
    return redirect(url_for("runners.index"))
