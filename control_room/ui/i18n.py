"""French and English: the person's choice (stored on their user, or in a cookie before login), else
the browser's preference. Times are shown in Europe/Paris; numbers, amounts and dates per locale."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, request
from flask_babel import (
    Babel,
    format_currency,
    format_datetime,
    format_decimal,
    format_percent,
    format_timedelta,
    get_locale,
)
from flask_login import current_user

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
TIMEZONE = "Europe/Paris"
LANGUAGE_COOKIE = "arfleet_lang"

babel = Babel()


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def when(value: datetime | None, style: str = "medium") -> str:
    """A moment in Europe/Paris, formatted for the reader's language."""
    return format_datetime(value, style) if value else "—"


def ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return "—"
    from control_room.context import services

    return format_timedelta(value - (now or services().clock.now()), add_direction=True, threshold=1.1)  # past: "… ago"


def duration(seconds: float | timedelta | None) -> str:
    if seconds is None:
        return "—"
    delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
    return format_timedelta(delta, threshold=1.1)


def number(value: Any, digits: int | None = None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else None)


def money(amount: Any, currency: str | None) -> str:
    """Amounts travel as strings or numbers in payloads; they are shown as Decimal, never float."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    return format_currency(value, currency or "EUR")


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(when=when, ago=ago, duration=duration, number=number, money=money)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_locale=lambda: str(get_locale()),
                             format_percent=format_percent)
    app.jinja_env.add_extension("jinja2.ext.do")


def N_(message: str) -> str:
    """Marks words translated at render time (states, roles, outcomes) for `pybabel extract -k N_`."""
    return message


WORDS = [
    N_("pending"), N_("running"), N_("completed"), N_("failed"), N_("stopped"),
    N_("draft"), N_("new"), N_("reserved"), N_("done"), N_("exception"), N_("rejected"),
    N_("admin"), N_("it"), N_("ops"), N_("handler"), N_("viewer"),
    N_("online"), N_("busy"), N_("lost"), N_("retired"), N_("paused"), N_("active"),
    N_("retried"), N_("started"), N_("skipped"), N_("queued"), N_("business"), N_("application"),
]
