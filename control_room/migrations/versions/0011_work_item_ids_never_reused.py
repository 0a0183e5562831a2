"""Work-item ids are never reused, on SQLite too: AUTOINCREMENT, so a deleted item's id (a discarded draft, an
item a person deleted) is never given to a new one, and one audit trail never mixes two items. PostgreSQL's
sequence never reused them.

SQLite sets AUTOINCREMENT only when a table is created: the table is rebuilt as SQLite's documentation
describes (new table, copy, drop, rename, indexes), with foreign keys off (env.py) and checked after.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:00:00
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    schema = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'work_items'")).scalar_one()
    indexes = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'work_items' "
                                   "AND sql IS NOT NULL")).scalars().all()
    old_key, new_key = "\n\tid INTEGER NOT NULL, ", "\n\tid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
    if autoincrement:
        if new_key in schema:
            return
        rebuilt = schema.replace(old_key, new_key, 1).replace("\n\tPRIMARY KEY (id), ", "\n\t", 1)
    else:
        rebuilt = schema.replace(new_key, old_key, 1).replace("\n\tFOREIGN KEY(created_by_run_id)",
                                                             "\n\tPRIMARY KEY (id), \n\tFOREIGN KEY(created_by_run_id)", 1)
    rebuilt = re.sub(r'^CREATE TABLE "?work_items"? \(', "CREATE TABLE work_items_rebuilt (", rebuilt, count=1)
    op.execute(rebuilt)
    op.execute("INSERT INTO work_items_rebuilt SELECT * FROM work_items")
    op.execute("DROP TABLE work_items")
    op.execute("ALTER TABLE work_items_rebuilt RENAME TO work_items")
    for index in indexes:
        op.execute(index)


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
