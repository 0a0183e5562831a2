"""Engine and session set-up for SQLite (default) and PostgreSQL.

On SQLite every transaction starts with BEGIN IMMEDIATE: writers are serialised, so a reservation
read-then-update can never be interleaved with another one. On PostgreSQL the row locks of
`FOR UPDATE SKIP LOCKED` do that job instead.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from control_room.clock import SESSION_KEY, SYSTEM_CLOCK, Clock

if TYPE_CHECKING:
    from control_room.storage.files import FileStore


_POOL = {"pool_size": 10, "max_overflow": 20}  # per control-room worker process


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):  # pragma: no cover - driver hook
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: never corrupt, fsync at checkpoints
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - driver hook
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **_POOL)
    _ping_when_idle(engine)
    return engine


def autocommit_twin(engine: Engine) -> Engine:
    """A second pool on the same PostgreSQL database whose connections are in autocommit from the start,
    for one-statement calls: switching a pooled connection to autocommit and back on every checkout
    cost more CPU than the statement's own client side."""
    twin = create_engine(engine.url, isolation_level="AUTOCOMMIT", **_POOL)
    _ping_when_idle(twin)
    return twin


IDLE_BEFORE_PING_S = 30.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle for a while (the database may have
    restarted meanwhile): a busy server reuses connections within milliseconds, and pinging each time
    would add a round trip to every request."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_BEFORE_PING_S:
            return
        try:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_conn.rollback()
        except Exception as exc:  # the pool then opens a fresh connection
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


def make_session_factory(engine: Engine, file_store: FileStore | None = None,
                         clock: Clock | None = None) -> sessionmaker[Session]:
    """The control room's sessions: their audit events are written as they commit, and (when they know the
    file store) deleted items' files are removed once the deletion commits. The listeners are attached
    here, to this factory, never to SQLAlchemy's global Session class at import. Their `clock` (clock.py)
is the one every time-dependent decision made in them reads."""
    from control_room.audit import log as audit_log
    from control_room.queue import item_files
    from control_room.storage import tables  # noqa: F401  (every area's mappers, for cross-area relationships)

    info: dict[str, object] = {SESSION_KEY: clock or SYSTEM_CLOCK}
    if file_store is not None:
        info["file_store"] = file_store
    sessions = sessionmaker(engine, expire_on_commit=False, info=info)
    audit_log.attach(sessions)
    item_files.attach(sessions)
    return sessions


def is_postgres(session_or_engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"
