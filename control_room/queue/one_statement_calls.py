"""On PostgreSQL, a bot's two per-item calls in one statement each, in autocommit: check the run token,
change the item, write the audit events — one round trip instead of six.

A busy queue is bound by round trips: each costs the control room and PostgreSQL a wake-up, a parse of
the answer and a context switch, and reserve + release took eleven of them (BEGIN, token, update, audit,
publish, COMMIT). PostgreSQL runs data-modifying WITH clauses in one statement and one snapshot, so the
whole call becomes one. The changes are those of `transitions.reserve_first` and
`transitions.complete`, built from the same guards and audit details (`transitions.reserving`,
`completing`, `publishing`, `EVENT_DETAILS`) and tested side by side; SQLite, which has no
data-modifying WITH, and every refusal (unknown token, another run's route, an item not held) take the
general path, which also words the error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Engine,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)

from control_room.audit.models import AuditEvent
from control_room.fleet.models import ProcessStep, StepRun
from control_room.fleet.runs import RUN_BY_TOKEN
from control_room.queue import transitions
from control_room.queue.models import WorkItem
from control_room.queue.reservation import best_waiting
from control_room.storage.base import AwareDateTime
from control_room.storage.engine import autocommit_twin

_NOW = bindparam("b_now", type_=AwareDateTime())
_AUDIT_COLUMNS = ("at", "actor_type", "actor_id", "action", "object_type", "object_id", "details")


@dataclass(frozen=True)
class RunRoute:
    """The bearer token and the ids a per-item call's route names."""

    token_hash: str
    process_id: int
    process_run_id: int
    step_run_id: int

    def params(self) -> dict[str, object]:
        # not named like work_items' columns: the UPDATEs would take such keys for values to SET
        return {"token_hash": self.token_hash, "route_process": self.process_id,
                "route_process_run": self.process_run_id, "route_step_run": self.step_run_id}


def _run_on_route() -> CTE:
    """The live step run the token belongs to, if the route names it (columns as in RUN_BY_TOKEN)."""
    return RUN_BY_TOKEN.where(StepRun.id == bindparam("route_step_run"),
                              StepRun.process_run_id == bindparam("route_process_run"),
                              ProcessStep.process_id == bindparam("route_process")).cte("run")


def _logged(source: CTE, action: str, *detail_columns: ColumnElement[Any]) -> Select[Any]:
    """Audit events for the rows of `source` (which carry `id` and `step_run_id`), as `audit.record`
    writes them for the run's actor, with the details `transitions.event_details` names."""
    names = transitions.EVENT_DETAILS[action]
    if len(names) != len(detail_columns):
        raise ValueError(f"{action} has details {names}")
    details = func.json_build_object(*(part for pair in zip(names, detail_columns, strict=True) for part in pair))
    return select(_NOW, literal("run"), cast(source.c.step_run_id, String), literal(action),
                  literal("work_item"), cast(source.c.id, String), details)


def _answer(run: CTE, changed: ColumnElement[Any], *logs: Select[Any]) -> Select[Any]:
    writes = insert(AuditEvent).from_select(_AUDIT_COLUMNS, union_all(*logs) if len(logs) > 1 else logs[0])
    return select(exists(select(run.c.id)).label("authorised"), changed.label("changed")).add_cte(writes.cte("logged"))


def _reserve_statement() -> Select[Any]:
    run = _run_on_route()
    step_run_id, lease_seconds = (select(column).scalar_subquery() for column in (run.c.id, run.c.lease_seconds))
    # the queue as a scalar (not a join), so the best item is the first entry of the waiting index
    best = (best_waiting(select(run.c.queue_id).scalar_subquery())
            .limit(1).with_for_update(skip_locked=True).cte("best"))
    reserved = (transitions.reserving(best.c.id, step_run_id, _NOW,
                                      _NOW + lease_seconds * literal_column("interval '1 second'"))
                .returning(WorkItem.id, WorkItem.step_run_id)
                .cte("reserved"))
    return _answer(run, select(reserved.c.id).scalar_subquery(),
                   _logged(reserved, "item.reserved", reserved.c.step_run_id, lease_seconds))


def _complete_statement() -> Select[Any]:
    run = _run_on_route()
    done = (transitions.completing(bindparam("item_id", type_=WorkItem.id.type), run.c.id, _NOW)
            .returning(WorkItem.id, run.c.id.label("step_run_id"))
            .cte("done"))
    published = (transitions.publishing(done.c.id, _NOW)
                 .returning(WorkItem.id, done.c.step_run_id, done.c.id.label("parent_id"))
                 .cte("published"))
    return _answer(run, select(func.count()).select_from(done).scalar_subquery(),
                   _logged(done, "item.done", done.c.step_run_id),
                   _logged(published, "item.published", published.c.parent_id))


class OneStatementCalls:
    """reserve and complete for the robot API's front, on a PostgreSQL engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = autocommit_twin(engine)
        self._reserve, self._complete = _reserve_statement(), _complete_statement()

    def reserve(self, route: RunRoute, now: datetime) -> tuple[bool, int | None]:
        """(the token opens this route, the id of the item now reserved for the run or None)."""
        with self._engine.connect() as connection:
            authorised, item_id = connection.execute(self._reserve, {**route.params(), "b_now": now}).one()
        return authorised, item_id

    def complete(self, route: RunRoute, item_id: int, now: datetime) -> bool:
        """True when the item the run held is done (and its drafts published); False changes nothing."""
        with self._engine.connect() as connection:
            authorised, completed = connection.execute(
                self._complete, {**route.params(), "item_id": item_id, "b_now": now}).one()
        return bool(authorised and completed)
