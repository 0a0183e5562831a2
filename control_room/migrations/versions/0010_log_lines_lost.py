"""Log lines a runner could not deliver, counted per step run, so the run says so.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_lines_lost', sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table('step_runs', schema=None) as batch_op:
        batch_op.drop_column('log_lines_lost')
