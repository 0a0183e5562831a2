"""The ERP's notion of "now", so tests and demos can move time (session expiry, overdue days)
without sleeping: ``config["CLOCK"]`` may supply a callable, and ``POST /_admin/clock`` shifts it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """A wall clock with an adjustable offset."""

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or (lambda: datetime.now(timezone.utc))
        self.offset = timedelta(0)

    def now(self) -> datetime:
        current = self._source()
        if current.tzinfo is None:
            raise ValueError("CLOCK must return an aware datetime")
        return current + self.offset

    def today(self) -> date:
        """Today in Paris: business dates (due, overdue) follow the company's time zone."""
        return self.now().astimezone(PARIS).date()


def clock() -> Clock:
    """The running app's clock."""
    return current_app.extensions["erp_clock"]
