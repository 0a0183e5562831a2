"""A first step can start empty: a run on an empty queue gets one empty input item.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_empty', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('process_steps', schema=None) as batch_op:
        batch_op.drop_column('starts_empty')
