"""app_user.session_version: logout, a password change, deactivation and a role change end
every session and "remember me" cookie of the user

Revision ID: c4e1a7b9d203
Revises: 7c3e9d2a51f0
Create Date: 2026-12-07 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = 'c4e1a7b9d203'
down_revision = '7c3e9d2a51f0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'app_user',
        sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    )


def downgrade() -> None:
    op.drop_column('app_user', 'session_version')
