"""Housekeeping jobs the control room's master process runs in background threads (lease sweeping,
audit sealing): each in its own transaction, every few seconds, surviving database hiccups."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class PeriodicJob:
    """Runs ``job(session) -> count`` in a committed transaction every ``interval`` seconds until stopped;
    logs ``done`` (with the count) when the job did something."""

    def __init__(self, name: str, sessions: sessionmaker[Session], job: Callable[[Session], int], interval: float,
                 done: str) -> None:
        self.name, self._sessions, self._job, self._interval, self._done = name, sessions, job, interval, done
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._sessions.begin() as session:
                    count = self._job(session)
                if count:
                    log.info(self._done, count)
            except Exception:  # a database hiccup must not end the job
                log.exception("%s failed; will try again", self.name)
