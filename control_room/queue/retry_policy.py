"""What happens to a failed work item: a pure decision, tested without a database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from control_room.queue.models import ExceptionType

MAX_BACKOFF_SECONDS = 3600


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_seconds: int = 30
    poll_codes: frozenset[str] = frozenset()  # application failures meaning "not ready yet"
    poll_seconds: int = 3600
    escalate_codes: frozenset[str] = frozenset()  # application failures no retry can fix (a changed screen)


@dataclass(frozen=True)
class FailureDecision:
    retry: bool
    not_before: datetime | None  # when a retried item may be reserved again
    why: str
    spends_attempt: bool = True


def decide(policy: RetryPolicy, exception_type: ExceptionType, attempts: int, now: datetime,
           code: str | None = None) -> FailureDecision:
    """Business failures escalate at once: the data is wrong and trying again changes nothing.
    A poll code (e.g. a status not final yet) comes back after `poll_seconds` without spending a retry;
    an escalate code (e.g. a screen that changed under the bot) goes to a person at once.
    Other application failures retry with exponential back-off (base, 2×base, 4×base…, capped at an
    hour) until `max_retries` retries have been spent, then escalate. `attempts` counts reservations."""
    if exception_type is ExceptionType.APPLICATION and code in policy.poll_codes:
        return FailureDecision(True, now + timedelta(seconds=policy.poll_seconds), f"{code}: polled again later",
                               spends_attempt=False)
    if exception_type is ExceptionType.BUSINESS:
        return FailureDecision(False, None, "business exception: needs a person")
    if code in policy.escalate_codes:
        return FailureDecision(False, None, f"{code}: escalated at once, retrying would not help")
    retries_spent = max(attempts - 1, 0)
    if retries_spent >= policy.max_retries:
        return FailureDecision(False, None, f"application exception: {policy.max_retries} retries exhausted")
    delay = min(policy.base_seconds * 2**retries_spent, MAX_BACKOFF_SECONDS)
    return FailureDecision(True, now + timedelta(seconds=delay), f"retry {retries_spent + 1} of {policy.max_retries}")
