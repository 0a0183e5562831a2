"""Partial indexes on work_items: each holds only the items in one state, in the order its queries read them.

Reservation reads the waiting items of a queue best first (priority, deadline with none last, age): the
old index could not give that order, so every reservation sorted the whole queue. Items that are done
(most of the table, over time) now leave the waiting, lease, draft and inbox indexes alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 21:40:00
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

PARTIAL = {
    "ix_work_items_waiting": ("(queue_id, priority DESC, (deadline IS NULL), deadline, id)", "new"),
    "ix_work_items_lease": ("(lease_expires_at)", "reserved"),
    "ix_work_items_drafts": ("(parent_id)", "draft"),
    "ix_work_items_inbox": ("(priority, deadline, id)", "exception"),
    "ix_work_items_exception_reason": ("(exception_code)", "exception"),
}
REPLACED = {
    "ix_work_items_reservable": "(queue_id, state, priority, deadline, id)",
    "ix_work_items_lease": "(state, lease_expires_at)",
    "ix_work_items_inbox": "(state, priority, deadline, id)",
    "ix_work_items_state_reason": "(state, exception_code)",
}


def upgrade() -> None:
    for name in REPLACED:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (columns, state) in PARTIAL.items():
        op.execute(f"CREATE INDEX {name} ON work_items {columns} WHERE state = '{state}'")


def downgrade() -> None:
    for name in PARTIAL:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, columns in REPLACED.items():
        op.execute(f"CREATE INDEX {name} ON work_items {columns}")
