"""Work-item ids are never reused (both databases), so one audit trail never mixes two items; and the SQLite
migration that makes it so keeps every row, file and claim of a database that already has items."""
from __future__ import annotations

import sqlite3

from sqlalchemy import select

from control_room.audit.models import AuditEvent
from control_room.fleet.processes import get_process
from control_room.queue import transitions
from control_room.queue.transitions import NewItem
from control_room.storage.engine import make_engine
from control_room.storage.migrate import upgrade
from tests.support.seeds import ADMIN, declare


def test_a_deleted_items_id_is_never_given_to_a_new_one(sessions):
    declare(sessions, "invoices")
    with sessions.begin() as session:
        queue = get_process(session, "invoices").input_queue
        kept = transitions.create(session, queue, NewItem({"invoice": "F-1"}), ADMIN).id
        deleted = transitions.create(session, queue, NewItem({"invoice": "F-2"}), ADMIN).id
    with sessions.begin() as session:
        transitions.delete(session, deleted, ADMIN, "typed twice")
    with sessions.begin() as session:
        new = transitions.create(session, get_process(session, "invoices").input_queue, NewItem({"invoice": "F-3"}),
                                 ADMIN).id
    assert kept < deleted < new
    with sessions() as session:
        trail = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "work_item",
                                                                AuditEvent.object_id == str(deleted))).all()
    assert trail == ["item.created", "item.deleted"]  # nothing of F-3 in F-2's history


def test_the_sqlite_migration_keeps_items_files_and_claims(tmp_path):
    url = f"sqlite:///{tmp_path}/arfleet.db"
    engine = make_engine(url)
    upgrade(engine, "0010")
    db = sqlite3.connect(tmp_path / "arfleet.db", isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("INSERT INTO queues (id, name, created_at) VALUES (1, 'invoices.collect', '2026-12-01')")
    for item_id, parent in ((1, None), (2, 1), (3, None)):
        db.execute("INSERT INTO work_items (id, queue_id, state, payload, priority, attempts, created_at, updated_at, "
                   "parent_id) VALUES (?, 1, 'exception', '{}', 0, 1, '2026-12-01', '2026-12-01', ?)",
                   (item_id, parent))
    db.execute("INSERT INTO work_item_files (item_id, name, size, sha256, created_at) "
               "VALUES (3, 'F-3.pdf', 10, 'x', '2026-12-01')")
    db.execute("INSERT INTO item_claims (item_id, username, claimed_at) VALUES (3, 'hana', '2026-12-01')")
    indexes = "SELECT sql FROM sqlite_master WHERE tbl_name = 'work_items' AND type = 'index' AND sql IS NOT NULL"
    before = sorted(db.execute(indexes).fetchall())
    db.close()
    upgrade(engine)
    engine.dispose()
    db = sqlite3.connect(tmp_path / "arfleet.db", isolation_level=None)
    assert db.execute("SELECT id, parent_id FROM work_items ORDER BY id").fetchall() == [(1, None), (2, 1), (3, None)]
    assert db.execute("SELECT item_id, name FROM work_item_files").fetchall() == [(3, "F-3.pdf")]
    assert db.execute("SELECT item_id, username FROM item_claims").fetchall() == [(3, "hana")]
    assert sorted(db.execute(indexes).fetchall()) == before  # the partial indexes too
    db.execute("DELETE FROM work_items WHERE id = 3")
    db.execute("INSERT INTO work_items (queue_id, state, payload, priority, attempts, created_at, updated_at) "
               "VALUES (1, 'new', '{}', 0, 0, '2026-12-02', '2026-12-02')")
    assert db.execute("SELECT max(id) FROM work_items").fetchone() == (4,)
