"""Escalate codes per step: application failures that no retry can fix go to a person at once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 22:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalate_codes', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('process_steps', schema=None) as batch_op:
        batch_op.drop_column('escalate_codes')
