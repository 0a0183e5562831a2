"""Cron in Europe/Paris across DST changes and French public holidays (pure, no database)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from control_room.fleet.fire_times import is_business_day, latest_due, next_fire_times, should_trigger

PARIS = ZoneInfo("Europe/Paris")


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_run_keeps_its_local_time_across_the_march_dst_change():
    fires = next_fire_times("30 7 * * *", "Europe/Paris", False, _utc(2026, 3, 27, 12), 3)
    assert [f.astimezone(PARIS).strftime("%d %H:%M") for f in fires] == ["28 07:30", "29 07:30", "30 07:30"]
    assert [f.astimezone(UTC).hour for f in fires] == [6, 5, 5]  # UTC+1 then UTC+2


def test_daily_run_keeps_its_local_time_across_the_october_dst_change():
    fires = next_fire_times("30 7 * * *", "Europe/Paris", False, _utc(2026, 10, 23, 12), 3)
    assert [f.astimezone(UTC).hour for f in fires] == [5, 6, 6]


def test_a_fixed_time_skipped_in_spring_fires_an_hour_later_and_a_repeated_one_once():
    spring = next_fire_times("30 2 * * *", "Europe/Paris", False, _utc(2026, 3, 28, 12), 2)
    assert [f.astimezone(PARIS).strftime("%d %H:%M") for f in spring] == ["29 03:30", "30 02:30"]
    autumn = next_fire_times("30 2 * * *", "Europe/Paris", False, _utc(2026, 10, 24, 12), 3)
    assert [f.astimezone(PARIS).strftime("%d %H:%M") for f in autumn] == ["25 02:30", "26 02:30", "27 02:30"]


def test_an_every_20_minutes_schedule_keeps_its_pace_through_both_changes():
    for start in (_utc(2026, 3, 29, 0, 10), _utc(2026, 10, 25, 0, 10)):
        fires = [f.astimezone(UTC) for f in next_fire_times("*/20 * * * *", "Europe/Paris", False, start, 9)]
        gaps = {(b - a).total_seconds() for a, b in zip(fires, fires[1:], strict=False)}
        assert gaps == {1200.0}, fires


def test_french_public_holidays_and_weekends_are_not_business_days():
    assert not is_business_day(date(2026, 5, 1))  # Fête du travail
    assert not is_business_day(date(2026, 7, 14))
    assert not is_business_day(date(2026, 12, 25))
    assert not is_business_day(date(2026, 5, 14))  # Ascension 2026
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    assert is_business_day(date(2026, 11, 27))


def test_business_day_schedule_skips_holidays_and_weekends():
    fires = next_fire_times("0 9 * * *", "Europe/Paris", True, _utc(2026, 4, 30, 12), 3)
    assert [f.astimezone(PARIS).date() for f in fires] == [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)]


def test_a_missed_fire_is_caught_up_once_for_the_latest_time():
    due = latest_due("*/15 * * * *", "Europe/Paris", False, since=_utc(2026, 11, 25, 8, 0),
                     now=_utc(2026, 11, 25, 9, 7))
    assert due == _utc(2026, 11, 25, 9, 0)
    assert latest_due("*/15 * * * *", "Europe/Paris", False, since=due, now=_utc(2026, 11, 25, 9, 7)) is None


def test_queue_trigger_threshold():
    assert should_trigger(waiting_items=5, active_runs=0, min_items=5, max_active_runs=1)
    assert not should_trigger(4, 0, 5, 1)
    assert not should_trigger(50, 2, 5, 2)
