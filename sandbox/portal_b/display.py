"""How portal B writes amounts, dates and statuses on its pages (French-style dates, Paris time)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

from sandbox.portal_common.lifecycle import Status

_PARIS = ZoneInfo("Europe/Paris")


def money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,.2f}"


def qty(value: Decimal) -> str:
    """A quantity or rate without trailing zeros nor exponent: 10, 2.5, 5.5."""
    return format(value.normalize(), "f")


def local_time(value: datetime) -> str:
    return value.astimezone(_PARIS).strftime("%d/%m/%Y %H:%M")


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def status_label(status: Status) -> str:
    return status.value.capitalize()


def init_display(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, qty=qty, local_time=local_time, day=day, status_label=status_label)
