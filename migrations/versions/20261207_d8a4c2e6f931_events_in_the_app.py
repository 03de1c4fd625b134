"""Events and city rules edited in the app, with undo and redo:
event.layout_settings, city.rules_version and category_caps, clearance_rule.blocking, and the
history_step table (named steps of the workspace and of an event)

Revision ID: d8a4c2e6f931
Revises: d8e4b2a6c913
Create Date: 2026-12-07 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'd8a4c2e6f931'
down_revision = 'd8e4b2a6c913'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('event', sa.Column('layout_settings', postgresql.JSONB(), nullable=True))
    op.add_column(
        'city', sa.Column('rules_version', sa.Integer(), server_default='1', nullable=False)
    )
    op.add_column('city', sa.Column('category_caps', postgresql.JSONB(), nullable=True))
    op.add_column('clearance_rule', sa.Column('blocking', sa.Boolean(), nullable=True))
    op.create_table(
        'history_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('label_id', sa.String(length=200), nullable=False),
        sa.Column('label_en', sa.String(length=200), nullable=False),
        sa.Column('changes', postgresql.JSONB(), nullable=False),
        sa.Column('applied', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_history_step_city_id_city'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_history_step_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_history_step_user_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_history_step')),
    )
    op.create_index('ix_history_step_scope', 'history_step', ['city_id', 'event_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_history_step_scope', table_name='history_step')
    op.drop_table('history_step')
    op.drop_column('clearance_rule', 'blocking')
    op.drop_column('city', 'category_caps')
    op.drop_column('city', 'rules_version')
    op.drop_column('event', 'layout_settings')
