from datetime import UTC, datetime, timedelta

from control_room.queue.models import ExceptionType
from control_room.queue.retry_policy import RetryPolicy, decide

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_business_failure_escalates_at_once():
    decision = decide(RetryPolicy(max_retries=5), ExceptionType.BUSINESS, attempts=1, now=NOW)
    assert not decision.retry and decision.not_before is None


def test_application_failures_back_off_exponentially_then_escalate():
    policy = RetryPolicy(max_retries=3, base_seconds=30)
    delays = []
    for attempts in (1, 2, 3):
        decision = decide(policy, ExceptionType.APPLICATION, attempts, NOW)
        assert decision.retry
        delays.append((decision.not_before - NOW).total_seconds())
    assert delays == [30, 60, 120]
    assert not decide(policy, ExceptionType.APPLICATION, 4, NOW).retry


def test_back_off_is_capped_at_an_hour():
    decision = decide(RetryPolicy(max_retries=50, base_seconds=60), ExceptionType.APPLICATION, 20, NOW)
    assert decision.not_before - NOW == timedelta(hours=1)


def test_no_retries_allowed_means_first_application_failure_escalates():
    assert not decide(RetryPolicy(max_retries=0), ExceptionType.APPLICATION, 1, NOW).retry


def test_a_poll_code_waits_without_spending_a_retry():
    policy = RetryPolicy(max_retries=1, poll_codes=frozenset({"STATUS_PENDING"}), poll_seconds=3600)
    decision = decide(policy, ExceptionType.APPLICATION, attempts=5, now=NOW, code="STATUS_PENDING")
    assert decision.retry and not decision.spends_attempt and decision.not_before == NOW + timedelta(hours=1)
    assert not decide(policy, ExceptionType.APPLICATION, attempts=5, now=NOW, code="PORTAL_DOWN").retry
    assert not decide(policy, ExceptionType.BUSINESS, attempts=1, now=NOW, code="STATUS_PENDING").retry


def test_an_escalate_code_goes_to_a_person_at_once():
    policy = RetryPolicy(max_retries=5, escalate_codes=frozenset({"SCREEN_CHANGED"}))
    decision = decide(policy, ExceptionType.APPLICATION, attempts=1, now=NOW, code="SCREEN_CHANGED")
    assert not decision.retry and "SCREEN_CHANGED" in decision.why
    assert decide(policy, ExceptionType.APPLICATION, attempts=1, now=NOW, code="PORTAL_UNAVAILABLE").retry
