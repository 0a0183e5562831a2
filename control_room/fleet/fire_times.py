"""When schedules fire: cron on the wall clock of a time zone, French business days (weekends and
public holidays from the `holidays` package), and the latest fire time that is due. Pure functions of
their arguments, tested with any clock.

DST, as a person expects it: a time skipped in spring (02:30 on the last Sunday of March) fires once,
an hour later by the wall clock; a time repeated in autumn fires once, at its first occurrence.
APScheduler's own CronTrigger fires twice in the repeated hour, so arfleet gives APScheduler
`WallClockCronTrigger` instead.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

CATCH_UP_WINDOW = timedelta(days=7)


@lru_cache(maxsize=32)
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def _hourly(wall_clock: CronTrigger) -> bool:
    hour = next(f for f in wall_clock.fields if f.name == "hour")
    return str(hour) == "*"


def _instants(wall: datetime, zone: ZoneInfo, hourly: bool) -> list[datetime]:
    """The instants a wall-clock match stands for, as cron does it: a skipped time fires an hour later
    for a job at a fixed hour and not at all for an hourly one; a repeated time fires once for a job
    at a fixed hour and at both passes for an hourly one."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return [first]
    skipped = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall
    if skipped:
        return [] if hourly else [first.astimezone(UTC).astimezone(zone)]
    return [first, second] if hourly else [first]


def fire_times(cron: str, timezone: str, business_days_only: bool, after: datetime) -> Iterator[datetime]:
    """Fire times strictly after `after`, in the schedule's zone, in order, endlessly."""
    zone = ZoneInfo(timezone)
    wall_clock = CronTrigger.from_crontab(cron, timezone=UTC)  # matches naive wall-clock times
    hourly = _hourly(wall_clock)
    after_utc = after.astimezone(UTC)  # compare in UTC: same-zone comparisons ignore `fold`
    # start an hour early on the wall clock: `after` may sit in the second pass of a repeated hour
    wall = after.astimezone(zone).replace(tzinfo=None, fold=0) - timedelta(hours=1)
    previous: datetime | None = None
    pending: list[datetime] = []  # a repeated hour's second pass comes out of order: hold it in a heap
    while True:
        match = wall_clock.get_next_fire_time(previous, wall.replace(tzinfo=UTC))
        if match is None:
            return
        previous = match
        wall = match.replace(tzinfo=None) + timedelta(microseconds=1)
        instants = _instants(match.replace(tzinfo=None), zone, hourly)
        for fire in instants:
            heapq.heappush(pending, fire.astimezone(UTC))
        horizon = instants[0].astimezone(UTC) if instants else None
        while pending and horizon is not None and pending[0] <= horizon:
            fire = heapq.heappop(pending)
            if fire <= after_utc:
                continue
            local = fire.astimezone(zone)
            if business_days_only and not is_business_day(local.date()):
                continue
            after_utc = fire
            yield local


class WallClockCronTrigger(BaseTrigger):
    """APScheduler trigger over `fire_times`, so jobs fire as the schedule rules say."""

    def __init__(self, cron: str, timezone: str, business_days_only: bool) -> None:
        self.cron, self.timezone, self.business_days_only = cron, timezone, business_days_only
        CronTrigger.from_crontab(cron)  # validate now

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        after = max(previous_fire_time, now - timedelta(microseconds=1)) if previous_fire_time else \
            now - timedelta(microseconds=1)
        return next(fire_times(self.cron, self.timezone, self.business_days_only, after), None)

    def __str__(self) -> str:
        return f"cron[{self.cron} {self.timezone}{' business days' if self.business_days_only else ''}]"


def next_fire_times(cron: str, timezone: str, business_days_only: bool, now: datetime, count: int) -> list[datetime]:
    times = fire_times(cron, timezone, business_days_only, now)
    return [next(times) for _ in range(count)]


def latest_due(cron: str, timezone: str, business_days_only: bool, since: datetime, now: datetime) -> datetime | None:
    """The last fire time in (since, now], looking back at most CATCH_UP_WINDOW: after a restart that
    missed several fires, the schedule fires once, for the latest one."""
    since = max(since, now - CATCH_UP_WINDOW)
    latest = None
    for fire in fire_times(cron, timezone, business_days_only, since):
        if fire > now:
            break
        latest = fire
    return latest


def should_trigger(waiting_items: int, active_runs: int, min_items: int, max_active_runs: int) -> bool:
    return waiting_items >= min_items and active_runs < max_active_runs
