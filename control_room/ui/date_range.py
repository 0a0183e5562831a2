"""Date filters typed by people (YYYY-MM-DD, meant in Europe/Paris) as UTC bounds for queries."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def day_start(value: str | None) -> datetime | None:
    """Midnight in Paris at the start of that day (inclusive lower bound)."""
    day = _day(value)
    return datetime.combine(day, time(0), PARIS) if day else None


def day_end(value: str | None) -> datetime | None:
    """Midnight in Paris after that day (exclusive upper bound), so `to` includes the whole day."""
    day = _day(value)
    return datetime.combine(day + timedelta(days=1), time(0), PARIS) if day else None
