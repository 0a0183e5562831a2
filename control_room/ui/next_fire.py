"""When a schedule fires next, from its cron expression and timezone (APScheduler's CronTrigger),
skipping weekends and French public holidays for business-days-only schedules. Pure function."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from apscheduler.triggers.cron import CronTrigger

MAX_SKIPS = 400


def is_business_day(moment: datetime) -> bool:
    day = moment.date()
    return day.weekday() < 5 and day not in holidays.France(years=day.year)


def next_fire(cron: str, timezone: str, now: datetime, business_days_only: bool = False) -> datetime | None:
    """The next fire time after `now` (aware, in the schedule's timezone); None if the expression never
    fires again. A malformed expression raises ValueError."""
    trigger = CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))
    moment = now
    for _ in range(MAX_SKIPS):
        fire = trigger.get_next_fire_time(None, moment)
        if fire is None or not business_days_only or is_business_day(fire):
            return fire
        moment = fire + timedelta(seconds=1)
    return None
