"""How portal A writes amounts, times and statuses on its pages (English, Paris time)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

from sandbox.portal_common.lifecycle import Status

_PARIS = ZoneInfo("Europe/Paris")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def local_time(value: datetime) -> str:
    return value.astimezone(_PARIS).strftime("%d %b %Y %H:%M")


def day(value: date) -> str:
    return value.strftime("%d %b %Y")


def status_label(status: Status) -> str:
    return status.value.capitalize()


def init_display(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, local_time=local_time, day=day, status_label=status_label)
