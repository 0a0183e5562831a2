"""Queue semantics on SQLite and PostgreSQL: ordering, leases, retries, escalation, duplicates, batch."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from control_room.audit.actors import Actor
from control_room.audit.models import AuditEvent
from control_room.clock import SYSTEM_CLOCK
from control_room.fleet.processes import get_process
from control_room.queue import leases, transitions
from control_room.queue.models import ExceptionType, ItemState, WorkItem
from control_room.queue.reservation import reserve_next
from control_room.queue.transitions import NewItem
from tests.support.seeds import ADMIN, bare_step_run, declare


@pytest.fixture
def queue_env(sessions):
    declare(sessions, "invoices", max_retries=2, retry_base_seconds=10, lease_seconds=60)
    return bare_step_run(sessions, "invoices")


def _add(sessions, **fields) -> int:
    with sessions.begin() as session:
        process = get_process(session, "invoices")
        return transitions.create(session, process.input_queue, NewItem(payload=fields.pop("payload", {}), **fields),
                                  ADMIN, process_id=process.id).id


def _reserve(sessions, queue_id, step_run_id, lease=60):
    with sessions.begin() as session:
        return reserve_next(session, queue_id, step_run_id, lease, Actor.run(step_run_id))


def _item(sessions, item_id) -> WorkItem:
    with sessions() as session:
        return session.get(WorkItem, item_id)


def test_reservation_order_priority_then_deadline_then_age_and_deferred_wait(sessions, queue_env):
    queue_id, run_id = queue_env
    now = SYSTEM_CLOCK.now()
    old_low = _add(sessions)
    deferred_high = _add(sessions, priority=9, defer_until=now + timedelta(hours=1))
    late_deadline = _add(sessions, priority=5, deadline=now + timedelta(days=2))
    early_deadline = _add(sessions, priority=5, deadline=now + timedelta(days=1))
    no_deadline = _add(sessions, priority=5)
    order = [_reserve(sessions, queue_id, run_id) for _ in range(5)]
    assert order == [early_deadline, late_deadline, no_deadline, old_low, None]
    assert _item(sessions, deferred_high).state is ItemState.NEW


def test_business_failure_is_escalated_without_retry(sessions, queue_env):
    queue_id, run_id = queue_env
    item_id = _add(sessions, payload={"invoice": "F-1"})
    assert _reserve(sessions, queue_id, run_id) == item_id
    with sessions.begin() as session:
        retried = transitions.fail(session, item_id, run_id, ExceptionType.BUSINESS, "NO_PO", "PO missing",
                                   Actor.run(run_id))
    item = _item(sessions, item_id)
    assert not retried
    assert (item.state, item.exception_code, item.exception_message) == (ItemState.EXCEPTION, "NO_PO", "PO missing")
    assert _reserve(sessions, queue_id, run_id) is None


def test_application_failures_retry_with_back_off_then_escalate(sessions, queue_env, clock):
    queue_id, run_id = queue_env
    item_id = _add(sessions)
    gaps = []
    for attempt in range(3):
        assert _reserve(sessions, queue_id, run_id) == item_id
        with sessions.begin() as session:
            retried = transitions.fail(session, item_id, run_id, ExceptionType.APPLICATION, "TIMEOUT", "portal slow",
                                       Actor.run(run_id))
        item = _item(sessions, item_id)
        if attempt < 2:
            assert retried and item.state is ItemState.NEW
            gaps.append((item.defer_until - item.updated_at).total_seconds())
            assert _reserve(sessions, queue_id, run_id) is None  # waits for its back-off
            clock.advance(timedelta(seconds=gaps[-1] + 1))  # let the back-off pass
        else:
            assert not retried and item.state is ItemState.EXCEPTION
    assert [round(g) for g in gaps] == [10, 20]
    assert item.attempts == 3


def test_duplicate_reference_is_refused_with_existing_id(sessions, queue_env):
    first = _add(sessions, reference="INV-2026-0001")
    with pytest.raises(transitions.DuplicateReference) as refused:
        _add(sessions, reference="INV-2026-0001")
    assert refused.value.existing_id == first
    with sessions() as session:
        assert session.scalar(select(WorkItem.id).where(WorkItem.reference == "INV-2026-0001")) == first


def test_expired_lease_returns_item_as_application_failure(sessions, queue_env, clock):
    queue_id, run_id = queue_env
    item_id = _add(sessions)
    _reserve(sessions, queue_id, run_id, lease=60)
    with sessions.begin() as session:
        assert leases.sweep_expired(session) == 0  # lease still running
    clock.advance(timedelta(seconds=61))
    with sessions.begin() as session:
        assert leases.sweep_expired(session) == 1
    item = _item(sessions, item_id)
    assert item.state is ItemState.NEW and item.exception_code == "LEASE_EXPIRED"
    assert item.step_run_id is None and item.defer_until is not None
    with sessions.begin() as session:  # the old holder can no longer release it
        with pytest.raises(transitions.TransitionRefused):
            transitions.complete(session, item_id, run_id, Actor.run(run_id))


def test_extending_a_lease_keeps_the_item(sessions, queue_env):
    queue_id, run_id = queue_env
    item_id = _add(sessions)
    _reserve(sessions, queue_id, run_id, lease=1)
    with sessions.begin() as session:
        transitions.extend_lease(session, item_id, run_id, 600, Actor.run(run_id))
    with sessions.begin() as session:
        assert leases.sweep_expired(session) == 0
    assert _item(sessions, item_id).state is ItemState.RESERVED


def test_person_batch_operations_are_audited_with_actor_and_reason(sessions, queue_env):
    queue_id, run_id = queue_env
    item_id = _add(sessions, reference="INV-9")
    _reserve(sessions, queue_id, run_id)
    with sessions.begin() as session:
        transitions.fail(session, item_id, run_id, ExceptionType.BUSINESS, "X", "bad", Actor.run(run_id))
    handler = Actor.user("hannah")
    with sessions.begin() as session:
        transitions.retry(session, item_id, handler, "PO number fixed", payload={"po": "PO-7"})
    item = _item(sessions, item_id)
    assert item.state is ItemState.NEW and item.payload == {"po": "PO-7"} and item.attempts == 0
    with sessions.begin() as session:
        transitions.mark_done(session, item_id, handler, "sent by hand")
    with sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(item_id))
                                 .order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions == ["item.created", "item.reserved", "item.failed", "item.retried", "item.marked_done"]
    assert events[-1].actor_id == "hannah" and events[-1].details["reason"] == "sent by hand"


def test_reserved_item_cannot_be_deleted_or_marked_done_by_a_person(sessions, queue_env):
    queue_id, run_id = queue_env
    item_id = _add(sessions)
    _reserve(sessions, queue_id, run_id)
    with sessions.begin() as session:
        with pytest.raises(transitions.TransitionRefused):
            transitions.mark_done(session, item_id, ADMIN, "no")
        with pytest.raises(transitions.TransitionRefused):
            transitions.delete(session, item_id, ADMIN, "no")


def test_poll_code_from_schedules_yaml_defers_without_spending_attempts(sessions, clock):
    from control_room.fleet.schedules_file import parse
    from control_room.fleet.schedules_sync import apply_fleet

    fleet = parse("""
processes:
  follow:
    max_retries: 1
    steps:
      - {name: poll, bot: b, task: t, poll: {codes: [STATUS_PENDING], every: 2h}}
""")
    with sessions.begin() as session:
        apply_fleet(session, fleet, ADMIN)
    queue_id, run_id = bare_step_run(sessions, "follow")
    with sessions.begin() as session:
        process = get_process(session, "follow")
        item_id = transitions.create(session, process.input_queue, NewItem(payload={}), ADMIN,
                                     process_id=process.id).id
    for _ in range(3):  # far more polls than max_retries allows for failures
        assert _reserve(sessions, queue_id, run_id) == item_id
        with sessions.begin() as session:
            assert transitions.fail(session, item_id, run_id, ExceptionType.APPLICATION, "STATUS_PENDING",
                                    "not paid yet", Actor.run(run_id))
        item = _item(sessions, item_id)
        assert item.state is ItemState.NEW and item.attempts == 0
        assert round((item.defer_until - item.updated_at).total_seconds()) == 7200
        clock.advance(timedelta(seconds=7201))
