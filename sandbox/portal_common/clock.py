"""The portal's business clock: what "now" is for statuses, invoice dates and idle sessions.

Tests and the demo need to see an invoice approved or paid without waiting hours or days, so the
clock is ``config["CLOCK"]`` (a callable returning an aware datetime, the wall clock by default)
plus an offset that ``POST /_admin/advance`` moves forward.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app


def wall_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(timezone.utc)


class AppClock:
    """A base clock shifted by an offset that only ever grows."""

    def __init__(self, base: Callable[[], datetime]) -> None:
        self._base = base
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        value = self._base()
        if value.tzinfo is None:
            raise ValueError("the portal's CLOCK must return a timezone-aware datetime")
        with self._lock:
            return value + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward; going back in time would un-pay invoices, so it is refused."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


def init_clock(app: Flask) -> None:
    app.extensions["portal_clock"] = AppClock(app.config.get("CLOCK") or wall_clock)


def clock() -> AppClock:
    """The running app's business clock."""
    return current_app.extensions["portal_clock"]
