"""What the dashboard shows, as plain queries returning plain data (no Flask): runners, runs, queue
depths, success rates, exceptions. Each query is shaped to be answered from an index."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from control_room.fleet import liveness
from control_room.fleet.models import Process, ProcessRun, Runner, RunState, StepRun
from control_room.queue.models import ItemState, Queue, WorkItem, in_state

PARIS = ZoneInfo("Europe/Paris")
WAITING = (ItemState.NEW, ItemState.RESERVED, ItemState.EXCEPTION)


def runner_status(runner: Runner, running: int, now: datetime) -> str:
    """retired, lost (no heartbeat for two minutes), busy (running at least one step) or online."""
    if runner.retired:
        return "retired"
    if liveness.is_lost(runner, now):
        return "lost"
    return "busy" if running else "online"


def running_by_runner(session: Session) -> dict[int, int]:
    rows = session.execute(select(StepRun.runner_id, func.count()).where(StepRun.state == RunState.RUNNING,
                                                                         StepRun.runner_id.is_not(None))
                           .group_by(StepRun.runner_id)).all()
    return {runner_id: count for runner_id, count in rows if runner_id is not None}  # as the WHERE says


def runner_counts(session: Session, now: datetime) -> Counter[str]:
    running = running_by_runner(session)
    return Counter(runner_status(r, running.get(r.id, 0), now)
                   for r in session.scalars(select(Runner).where(Runner.retired.is_(False))))


def paris_midnight(now: datetime) -> datetime:
    local = now.astimezone(PARIS)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class RunCounts:
    running: int
    pending: int
    today: Counter[str]


def run_counts(session: Session, now: datetime) -> RunCounts:
    active = dict(session.execute(select(ProcessRun.state, func.count())
                                  .where(ProcessRun.state.in_((RunState.RUNNING, RunState.PENDING)))
                                  .group_by(ProcessRun.state)).all())
    today = Counter({state.value: count for state, count in session.execute(
        select(ProcessRun.state, func.count()).where(ProcessRun.created_at >= paris_midnight(now))
        .group_by(ProcessRun.state)).all()})
    return RunCounts(active.get(RunState.RUNNING, 0), active.get(RunState.PENDING, 0), today)


@dataclass(frozen=True)
class QueueDepth:
    id: int
    name: str
    new: int
    reserved: int
    exception: int
    oldest_new_at: datetime | None
    past_deadline: int


def queue_depths(session: Session, now: datetime) -> list[QueueDepth]:
    counts: dict[int, dict[ItemState, int]] = defaultdict(dict)
    for queue_id, state, count in session.execute(
            select(WorkItem.queue_id, WorkItem.state, func.count()).where(WorkItem.state.in_(WAITING))
            .group_by(WorkItem.queue_id, WorkItem.state)):
        counts[queue_id][state] = count
    depths = []
    for queue in session.scalars(select(Queue).order_by(Queue.name)):
        by_state = counts.get(queue.id, {})
        oldest_id = session.scalar(select(func.min(WorkItem.id)).where(WorkItem.queue_id == queue.id,
                                                                        WorkItem.state == ItemState.NEW))
        oldest = session.scalar(select(WorkItem.created_at).where(WorkItem.id == oldest_id)) if oldest_id else None
        late = session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.queue_id == queue.id, WorkItem.state.in_(WAITING), WorkItem.deadline < now)) or 0
        depths.append(QueueDepth(queue.id, queue.name, by_state.get(ItemState.NEW, 0),
                                 by_state.get(ItemState.RESERVED, 0), by_state.get(ItemState.EXCEPTION, 0),
                                 oldest, late))
    return depths


@dataclass(frozen=True)
class ProcessStat:
    process: str
    ended: int
    succeeded: int
    average_seconds: float | None

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.ended if self.ended else None


def process_stats(session: Session, since: datetime) -> list[ProcessStat]:
    """Runs that ended since `since`: share completed, and average time from request to end."""
    rows = session.execute(select(Process.name, ProcessRun.state, ProcessRun.created_at, ProcessRun.ended_at)
                           .join(Process, ProcessRun.process_id == Process.id)
                           .where(ProcessRun.ended_at >= since)).all()
    grouped: dict[str, list] = defaultdict(list)
    for name, state, created, ended in rows:
        if ended is None:  # the query selected runs by their end
            raise RuntimeError(f"a run of {name} selected as ended has no end time")
        grouped[name].append((state, (ended - created).total_seconds()))
    stats = []
    for name in sorted(grouped):
        runs = grouped[name]
        stats.append(ProcessStat(name, len(runs), sum(1 for s, _ in runs if s == RunState.COMPLETED),
                                 sum(d for _, d in runs) / len(runs)))
    return stats


def exceptions_by_reason(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(select(WorkItem.exception_code, func.count())
                           .where(in_state(ItemState.EXCEPTION))
                           .group_by(WorkItem.exception_code).order_by(func.count().desc())).all()
    return [(code or "—", count) for code, count in rows]


def runs_per_hour(session: Session, now: datetime, hours: int = 24) -> list[dict]:
    """Runs requested in each of the last `hours` hours (Paris time), by outcome, for the chart."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    buckets: dict[datetime, Counter[str]] = {start + timedelta(hours=h): Counter() for h in range(hours)}
    for created, state in session.execute(select(ProcessRun.created_at, ProcessRun.state)
                                          .where(ProcessRun.created_at >= start)):
        hour = created.replace(minute=0, second=0, microsecond=0)
        if hour in buckets:
            buckets[hour][state.value] += 1
    return [{"hour": hour.astimezone(PARIS).strftime("%H:%M"), **counts} for hour, counts in buckets.items()]
