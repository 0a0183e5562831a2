"""Login rate limiting, counted in the database so it holds across gunicorn processes and machines:
too many failures for one username, or from one address, within the window lock further attempts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from control_room.access.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 30
KEEP = timedelta(days=30)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0


def _failures(session: Session, column, value: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at))
        .where(column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
    ).one()
    return count or 0, oldest


def check(session: Session, username: str, ip: str, now: datetime) -> Verdict:
    """Whether a password may be tried now; checked before the password is even looked at."""
    since = now - WINDOW
    for column, value, limit in ((LoginAttempt.username, username, MAX_FAILURES_PER_USERNAME),
                                 (LoginAttempt.ip, ip, MAX_FAILURES_PER_ADDRESS)):
        count, oldest = _failures(session, column, value, since)
        if count >= limit and oldest is not None:
            wait = int((oldest + WINDOW - now).total_seconds()) + 1
            return Verdict(False, max(wait, 1))
    return Verdict(True)


def record(session: Session, username: str, ip: str, succeeded: bool, now: datetime) -> None:
    """Keep the attempt; a success clears the username's failures so a person who finally got it
    right is not locked out by their own earlier typos."""
    if succeeded:
        session.execute(delete(LoginAttempt).where(LoginAttempt.username == username,
                                                   LoginAttempt.succeeded.is_(False)))
    session.add(LoginAttempt(username=username[:120], ip=ip[:64], succeeded=succeeded, at=now))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    session.flush()
