"""Each sandbox app's own SQLite database: the column types SQLite lacks (aware datetimes, exact
decimals kept as text), one engine per app and one session per request, closed when the request
ends. Views own the transaction (they commit); the functions they call take a session and never
commit."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, String, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as naive UTC (SQLite would drop the time zone), read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal kept as text: SQLite has no exact decimal type, and money must not become float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected a Decimal, got {value!r}")
        return str(value)

    def process_result_value(self, value: str | None, dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


def init_db(app: Flask, metadata: MetaData, *, wal: bool = False) -> None:
    """Open the SQLite file named by ``config["DATABASE"]`` (foreign keys enforced; write-ahead
    log if ``wal``), create missing tables, and close each request's session at teardown."""
    if not app.config.get("DATABASE"):
        raise ValueError("config['DATABASE'] must name the app's SQLite file")
    engine = create_engine(f"sqlite:///{app.config['DATABASE']}",
                           connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    metadata.create_all(engine)
    app.extensions["sandbox_db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def db() -> Session:
    """The current request's (or app context's) session."""
    if "sandbox_db_session" not in g:
        g.sandbox_db_session = current_app.extensions["sandbox_db"]()
    return g.sandbox_db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("sandbox_db_session", None)
    if session is not None:
        session.close()
