"""Who is calling the robot API: the step run behind a bearer token, and what that run may address.

A token opens only its own run's routes and stops working when the run ends."""
from __future__ import annotations

from sqlalchemy.orm import Session

from control_room.access.tokens import bearer_token
from control_room.api.errors import ApiError
from control_room.fleet.runs import WORKSPACE_ID, RunContext, run_for_token


def authenticated_run(session: Session, authorization: str, workspace: str | None) -> RunContext:
    token = bearer_token(authorization)
    if token is None:
        raise ApiError(401, "unauthorized", "a run token is required (Authorization: Bearer …)")
    run = run_for_token(session, token)
    if run is None:
        raise ApiError(401, "unauthorized", "this run token is unknown or its run has ended")
    if workspace != WORKSPACE_ID:
        raise ApiError(404, "not_found", "unknown workspace")
    return run


def check_run_route(run: RunContext, process_id: int, process_run_id: int | None = None,
                    step_run_id: int | None = None) -> None:
    """The ids in the route must be the token's own run."""
    if process_id != run.process_id:
        raise ApiError(403, "forbidden", "this run token belongs to another process")
    if process_run_id is not None and process_run_id != run.process_run_id:
        raise ApiError(403, "forbidden", "this run token belongs to another process run")
    if step_run_id is not None and step_run_id != run.step_run_id:
        raise ApiError(403, "forbidden", "this run token belongs to another step run")
