"""Each portal's own SQLite database: exact column types for money and times, and one session per
request, closed when the request ends (the view owns the transaction and commits it)."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, String, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator


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


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite would otherwise drop the timezone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def init_db(app: Flask, metadata: MetaData) -> None:
    """Open the app's database (``config["DATABASE"]``, a file path) and create missing tables."""
    engine = create_engine(f"sqlite:///{app.config['DATABASE']}",
                           connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_conn, _record) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    metadata.create_all(engine)
    app.extensions["portal_db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close)


def db() -> Session:
    """The current request's session."""
    if "portal_db_session" not in g:
        g.portal_db_session = current_app.extensions["portal_db"]()
    return g.portal_db_session


def _close(_exc: BaseException | None) -> None:
    session = g.pop("portal_db_session", None)
    if session is not None:
        session.close()
