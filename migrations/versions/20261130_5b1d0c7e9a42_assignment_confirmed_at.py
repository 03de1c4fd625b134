"""assignment confirmed_at (vendor said "Saya hadir" on the vendor page)

Revision ID: 5b1d0c7e9a42
Revises: 42c8f8a6f746
Create Date: 2026-11-30 01:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '5b1d0c7e9a42'
down_revision = '42c8f8a6f746'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('assignment', sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('assignment', 'confirmed_at')
