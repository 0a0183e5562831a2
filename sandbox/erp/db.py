"""The ERP's database: one SQLAlchemy engine per app, one session per request (cached on `g`)."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from sandbox.erp.models import Base


def init_app(app: Flask) -> None:
    """Open the SQLite file named by ``config["DATABASE"]`` and create the tables."""
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

    Base.metadata.create_all(engine)
    app.extensions["erp_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The current request's session; the view that changes data commits it."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["erp_sessions"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
