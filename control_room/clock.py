"""The control room's clock. Every decision that depends on the time (leases, back-off, deadlines, runner
liveness, token expiry) reads it from here: from the session's factory, or from the app's services, never
from the wall clock directly — so tests move time forward instead of editing timestamps in the database."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

SESSION_KEY = "clock"


class Clock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock(Clock):
    """The wall clock plus an offset that tests move forward (it keeps ticking, as a real clock does)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


SYSTEM_CLOCK = Clock()


def of(session: Session) -> Clock:
    """The clock of the factory that made `session` (the wall clock when it was made without one)."""
    found = session.info.get(SESSION_KEY)
    return found if isinstance(found, Clock) else SYSTEM_CLOCK


def now(session: Session) -> datetime:
    return of(session).now()
