"""A sandbox app's business clock: what "now" is for statuses, due dates and idle sessions.

Tests and the demo need to see time pass without waiting hours or days, so the clock is
``config["CLOCK"]`` (a callable returning an aware datetime; the wall clock when unset) plus an
offset that the app's admin API moves. Chorus Pro keeps its offset in its database instead (it
survives restarts there) but shares ``wall_clock`` and ``PARIS``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app

PARIS = ZoneInfo("Europe/Paris")


def wall_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


class AppClock:
    """A base clock shifted by an offset."""

    def __init__(self, base: Callable[[], datetime] | None = None) -> None:
        self._base = base or wall_clock
        self._offset = timedelta()
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        value = self._base()
        if value.tzinfo is None:
            raise ValueError("the app's CLOCK must return a timezone-aware datetime")
        with self._lock:
            return value + self._offset

    def today(self) -> date:
        """Today in Paris: business dates (invoice dates, due dates) follow the French time zone."""
        return self.now().astimezone(PARIS).date()

    def advance(self, seconds: float) -> datetime:
        """Move the clock by ``seconds`` (back if negative: an admin API that must not go back in
        time refuses negative values itself) and return the new now."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()


def init_clock(app: Flask) -> None:
    app.extensions["app_clock"] = AppClock(app.config.get("CLOCK"))


def clock() -> AppClock:
    """The running app's business clock."""
    return current_app.extensions["app_clock"]
