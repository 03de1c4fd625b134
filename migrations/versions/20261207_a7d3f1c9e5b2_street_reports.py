"""street_report and street_report_step: Satpol PP street reports and their status flow; the
``petugas`` role (enforcement officer) in app_user's role CHECK

Revision ID: a7d3f1c9e5b2
Revises: f15e56619ba4
Create Date: 2026-12-07 12:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = 'a7d3f1c9e5b2'
down_revision = 'f15e56619ba4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('ck_app_user_role'), 'app_user', type_='check')
    op.create_check_constraint(
        op.f('ck_app_user_role'), 'app_user', "role IN ('admin', 'planner', 'crew', 'petugas')"
    )
    op.create_table(
        'street_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('photo_path', sa.String(length=200), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('relocation_zone_id', sa.Integer(), nullable=True),
        sa.Column('relocation_booth_id', sa.Integer(), nullable=True),
        sa.Column('zone_colour', sa.String(length=10), nullable=True),
        sa.Column('facility_kinds', postgresql.ARRAY(sa.String(length=30)), nullable=True),
        sa.Column('reporter_id', sa.Integer(), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("kind IN ('stall', 'cart', 'tent')", name=op.f('ck_street_report_kind')),
        sa.CheckConstraint("status IN ('baru', 'ditinjau', 'ditertibkan', 'direlokasi', 'selesai')", name=op.f('ck_street_report_status')),
        sa.CheckConstraint('count BETWEEN 1 AND 500', name=op.f('ck_street_report_count')),
        sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_street_report_geom_valid')),
        sa.CheckConstraint("status <> 'direlokasi' OR relocation_zone_id IS NOT NULL", name=op.f('ck_street_report_relocated_has_zone')),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_street_report_city_id_city'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['relocation_zone_id'], ['zone.id'], name=op.f('fk_street_report_relocation_zone_id_zone'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['relocation_booth_id'], ['booth.id'], name=op.f('fk_street_report_relocation_booth_id_booth'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reporter_id'], ['app_user.id'], name=op.f('fk_street_report_reporter_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_street_report')),
    )
    op.create_geospatial_index('idx_street_report_geom', 'street_report', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_street_report_city_id'), 'street_report', ['city_id'], unique=False)
    op.create_index(op.f('ix_street_report_reported_at'), 'street_report', ['reported_at'], unique=False)
    op.create_table(
        'street_report_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("status IN ('baru', 'ditinjau', 'ditertibkan', 'direlokasi', 'selesai')", name=op.f('ck_street_report_step_status')),
        sa.ForeignKeyConstraint(['report_id'], ['street_report.id'], name=op.f('fk_street_report_step_report_id_street_report'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_street_report_step_user_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_street_report_step')),
    )
    op.create_index(op.f('ix_street_report_step_report_id'), 'street_report_step', ['report_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_street_report_step_report_id'), table_name='street_report_step')
    op.drop_table('street_report_step')
    op.drop_index(op.f('ix_street_report_reported_at'), table_name='street_report')
    op.drop_index(op.f('ix_street_report_city_id'), table_name='street_report')
    op.drop_geospatial_index('idx_street_report_geom', table_name='street_report', postgresql_using='gist', column_name='geom')
    op.drop_table('street_report')
    op.execute("DELETE FROM app_user WHERE role = 'petugas'")
    op.drop_constraint(op.f('ck_app_user_role'), 'app_user', type_='check')
    op.create_check_constraint(
        op.f('ck_app_user_role'), 'app_user', "role IN ('admin', 'planner', 'crew')"
    )
