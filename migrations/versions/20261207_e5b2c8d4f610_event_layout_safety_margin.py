"""event.layout_safety_margin_m: the margin a layout keeps beyond every clearance and edge
(5 cm by default), so that a layout exported and read back has no conflicts

Revision ID: e5b2c8d4f610
Revises: b290f5582585
Create Date: 2026-12-07 11:50:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = 'e5b2c8d4f610'
down_revision = 'b290f5582585'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'event',
        sa.Column('layout_safety_margin_m', sa.Float(), server_default='0.05', nullable=False),
    )
    op.create_check_constraint(
        'layout_safety_margin',
        'event',
        'layout_safety_margin_m >= 0 AND layout_safety_margin_m <= 1',
    )


def downgrade() -> None:
    op.drop_constraint('ck_event_layout_safety_margin', 'event', type_='check')
    op.drop_column('event', 'layout_safety_margin_m')
