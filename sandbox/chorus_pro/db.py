"""The app's own SQLite database: one engine per app, one session per request.

Views own the transaction (they commit); the functions they call take a session and never commit.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, current_app, g
from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator):
    """SQLite forgets time zones: store UTC, hand back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def init_db(app: Flask) -> None:
    """Create the engine and the tables, and close each request's session at teardown."""
    engine = create_engine(
        f"sqlite:///{app.config['DATABASE']}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    from sandbox.chorus_pro import models  # noqa: F401  (registers the tables)

    Base.metadata.create_all(engine)
    app.extensions["chorus_pro_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def new_session(app: Flask) -> Session:
    """A session outside any request (seeding from the command line)."""
    return app.extensions["chorus_pro_sessions"]()


def db() -> Session:
    """The current request's session."""
    if "chorus_pro_db" not in g:
        g.chorus_pro_db = current_app.extensions["chorus_pro_sessions"]()
    return g.chorus_pro_db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("chorus_pro_db", None)
    if session is not None:
        session.close()
