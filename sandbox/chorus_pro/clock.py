"""The app's notion of "now": ``config["CLOCK"]`` (a callable giving an aware datetime, the wall
clock by default) plus the offset that ``POST /_admin/advance`` accumulates, kept in the database so
that it survives a restart (the other apps keep theirs in memory: ``sandbox.app_clock``). Flows integrate,
invoices move through their lifecycle and tokens expire by this clock, so tests and demos control
time instead of sleeping."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from sandbox.chorus_pro.models import ClockOffset


def now(session: Session) -> datetime:
    """The current time as the app sees it (aware, UTC)."""
    base = current_app.config["CLOCK"]()
    if base.tzinfo is None:
        raise ValueError("config['CLOCK'] must return an aware datetime")
    offset = session.get(ClockOffset, 1)  # read only: requests never race to create the row
    return base.astimezone(UTC) + timedelta(seconds=offset.seconds if offset else 0.0)


def advance(session: Session, seconds: float) -> None:
    """Move the app's clock forward."""
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    offset = session.get(ClockOffset, 1)
    if offset is None:
        offset = ClockOffset(id=1, seconds=0.0)
        session.add(offset)
    offset.seconds += seconds
