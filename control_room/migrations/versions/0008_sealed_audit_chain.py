"""The audit chain is sealed after commit: events get their place (seq) and hashes from the sealer.

Until now each transaction chained its events as it committed, under one lock, so every writer queued
behind the others. Now events are written plainly and the sealer links them; the triggers refuse any
change to an event except its sealing (setting seq and hashes once, content untouched).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CONTENT = ("id", "at", "actor_type", "actor_id", "action", "object_type", "object_id")

SEALING_ONLY_PG = f"""
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
       AND ({", ".join(f"NEW.{c}" for c in CONTENT)}, NEW.details::text)
           IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in CONTENT)}, OLD.details::text) THEN
        RETURN NEW;  -- the sealer linking the event into the chain
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END $$ LANGUAGE plpgsql;
"""
SEALING_ONLY_SQLITE = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (*CONTENT, "details"))
    + ") BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    # the events chained so far keep their chain: their order was their id order
    op.execute("UPDATE audit_events SET seq = ranked.n FROM (SELECT id, row_number() OVER (ORDER BY id) AS n "
               "FROM audit_events) AS ranked WHERE ranked.id = audit_events.id")
    op.create_index('ix_audit_events_seq', 'audit_events', ['seq'], unique=True)
    op.create_index('ix_audit_events_unsealed', 'audit_events', ['id'], postgresql_where=sa.text("seq IS NULL"),
                    sqlite_where=sa.text("seq IS NULL"))
    if postgres:
        op.execute(SEALING_ONLY_PG)
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    else:
        for statement in SEALING_ONLY_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the sealed audit chain cannot be turned back into the commit-time chain")
