"""initial schema

Revision ID: 88315a8031fc
Revises:
Create Date: 2026-11-29 23:36:05.711069
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '88315a8031fc'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostGIS for the geometry columns; btree_gist for the permit-period exclusion constraints
    # (an integer '=' beside a daterange '&&' in one GiST index).
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'planner', 'crew')", name=op.f('ck_app_user_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email'))
    )
    op.create_geospatial_table('city',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('metric_epsg', sa.Integer(), nullable=False),
    sa.Column('extent', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('metric_epsg BETWEEN 1024 AND 999999', name=op.f('ck_city_metric_epsg')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city')),
    sa.UniqueConstraint('slug', name=op.f('uq_city_slug'))
    )
    op.create_geospatial_index('idx_city_extent', 'city', ['extent'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_audit_entry_user_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    op.create_index(op.f('ix_audit_entry_at'), 'audit_entry', ['at'], unique=False)
    op.create_index(op.f('ix_audit_entry_entity'), 'audit_entry', ['entity'], unique=False)
    op.create_index(op.f('ix_audit_entry_entity_id'), 'audit_entry', ['entity_id'], unique=False)
    op.create_table('clearance_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('facility_kind', sa.String(length=30), nullable=False),
    sa.Column('metres', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("facility_kind IN ('hydrant', 'bus_stop', 'crossing', 'intersection', 'ramp', 'driveway', 'building_entrance', 'tree', 'pole', 'drainage_inlet', 'manhole', 'bench', 'other')", name=op.f('ck_clearance_rule_facility_kind')),
    sa.CheckConstraint('metres >= 0 AND metres <= 100', name=op.f('ck_clearance_rule_metres')),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_clearance_rule_city_id_city'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearance_rule')),
    sa.UniqueConstraint('city_id', 'facility_kind', name='uq_clearance_rule_city_kind')
    )
    op.create_index(op.f('ix_clearance_rule_city_id'), 'clearance_rule', ['city_id'], unique=False)
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name=op.f('ck_event_status')),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_event_hours')),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_event_city_id_city'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['copied_from_id'], ['event.id'], name=op.f('fk_event_copied_from_id_event'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('city_id', 'slug', name='uq_event_city_slug')
    )
    op.create_index(op.f('ix_event_city_id'), 'event', ['city_id'], unique=False)
    op.create_geospatial_table('facility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('geom', Geometry(srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON')", name=op.f('ck_facility_geom_type')),
    sa.CheckConstraint("kind IN ('hydrant', 'bus_stop', 'crossing', 'intersection', 'ramp', 'driveway', 'building_entrance', 'tree', 'pole', 'drainage_inlet', 'manhole', 'bench', 'other')", name=op.f('ck_facility_kind')),
    sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_facility_geom_valid')),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_facility_city_id_city'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility'))
    )
    op.create_geospatial_index('idx_facility_geom', 'facility', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_facility_city_id'), 'facility', ['city_id'], unique=False)
    op.create_table('vendor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('owner_name', sa.String(length=160), nullable=False),
    sa.Column('business_name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('nib', sa.String(length=20), nullable=True),
    sa.Column('halal_cert_no', sa.String(length=60), nullable=True),
    sa.Column('halal_cert_expiry', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('access_code', sa.String(length=16), nullable=False),
    sa.Column('needs_electricity', sa.Boolean(), nullable=False),
    sa.Column('needs_accessibility', sa.Boolean(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("category IN ('makanan', 'minuman', 'pakaian', 'kerajinan', 'aksesoris', 'mainan', 'kecantikan', 'hasil_tani')", name=op.f('ck_vendor_category')),
    sa.CheckConstraint('char_length(access_code) >= 8', name=op.f('ck_vendor_access_code_length')),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_vendor_city_id_city'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor')),
    sa.UniqueConstraint('access_code', name=op.f('uq_vendor_access_code'))
    )
    op.create_index(op.f('ix_vendor_city_id'), 'vendor', ['city_id'], unique=False)
    op.create_index('uq_vendor_city_nib', 'vendor', ['city_id', 'nib'], unique=True, postgresql_where=sa.text('nib IS NOT NULL'))
    op.create_geospatial_table('zone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('allowed_categories', postgresql.ARRAY(sa.String(length=40)), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('hours_start', sa.Time(), nullable=True),
    sa.Column('hours_end', sa.Time(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind <> 'pkl_timed' OR (hours_start IS NOT NULL AND hours_end IS NOT NULL)", name=op.f('ck_zone_timed_has_hours')),
    sa.CheckConstraint("kind IN ('pkl_legal', 'pkl_timed', 'no_vending', 'cfd_corridor', 'emergency_lane', 'service_area')", name=op.f('ck_zone_kind')),
    sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_zone_geom_valid')),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_zone_capacity')),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_zone_city_id_city'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zone')),
    sa.UniqueConstraint('city_id', 'name', name='uq_zone_city_name')
    )
    op.create_geospatial_index('idx_zone_geom', 'zone', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_zone_city_id'), 'zone', ['city_id'], unique=False)
    op.create_geospatial_table('booth',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=True),
    sa.Column('label', sa.String(length=160), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('width_m', sa.Float(), nullable=False),
    sa.Column('depth_m', sa.Float(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=True),
    sa.Column('chainage_m', sa.Float(), nullable=True),
    sa.Column('has_electricity', sa.Boolean(), nullable=False),
    sa.Column('accessible', sa.Boolean(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('vendor', 'service_desk', 'reserved')", name=op.f('ck_booth_kind')),
    sa.CheckConstraint('(event_id IS NULL) <> (zone_id IS NULL)', name=op.f('ck_booth_event_or_zone')),
    sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_booth_geom_valid')),
    sa.CheckConstraint('width_m > 0 AND depth_m > 0', name=op.f('ck_booth_size')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_booth_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zone.id'], name=op.f('fk_booth_zone_id_zone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booth')),
    sa.UniqueConstraint('id', 'event_id', name='uq_booth_id_event')
    )
    op.create_geospatial_index('idx_booth_geom', 'booth', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('uq_booth_event_code', 'booth', ['event_id', 'code'], unique=True, postgresql_where=sa.text('event_id IS NOT NULL'))
    op.create_index('uq_booth_zone_code', 'booth', ['zone_id', 'code'], unique=True, postgresql_where=sa.text('zone_id IS NOT NULL'))
    op.create_table('event_corridor',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_corridor_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zone.id'], name=op.f('fk_event_corridor_zone_id_zone'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('event_id', 'zone_id', name=op.f('pk_event_corridor'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    postgresql.ExcludeConstraint((sa.column('booth_id'), '='), (sa.text("daterange(valid_from, valid_to, '[]')"), '&&'), where=sa.text("event_id IS NULL AND status IN ('assigned', 'checked_in')"), using='gist', name='ex_assignment_permit_booth'),
    postgresql.ExcludeConstraint((sa.column('vendor_id'), '='), (sa.text("daterange(valid_from, valid_to, '[]')"), '&&'), where=sa.text("event_id IS NULL AND status IN ('assigned', 'checked_in')"), using='gist', name='ex_assignment_permit_vendor'),
    sa.CheckConstraint("status IN ('assigned', 'checked_in', 'no_show', 'cancelled')", name=op.f('ck_assignment_status')),
    sa.CheckConstraint('(event_id IS NOT NULL AND valid_from IS NULL AND valid_to IS NULL) OR (event_id IS NULL AND valid_from IS NOT NULL AND (valid_to IS NULL OR valid_to >= valid_from))', name=op.f('ck_assignment_event_or_permit')),
    sa.ForeignKeyConstraint(['booth_id', 'event_id'], ['booth.id', 'booth.event_id'], name='fk_assignment_booth_event', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booth_id'], ['booth.id'], name=op.f('fk_assignment_booth_id_booth'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_assignment_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_assignment_vendor_id_vendor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    op.create_index(op.f('ix_assignment_booth_id'), 'assignment', ['booth_id'], unique=False)
    op.create_index(op.f('ix_assignment_vendor_id'), 'assignment', ['vendor_id'], unique=False)
    op.create_index('uq_assignment_event_booth', 'assignment', ['event_id', 'booth_id'], unique=True, postgresql_where=sa.text("event_id IS NOT NULL AND status IN ('assigned', 'checked_in')"))
    op.create_index('uq_assignment_event_vendor', 'assignment', ['event_id', 'vendor_id'], unique=True, postgresql_where=sa.text("event_id IS NOT NULL AND status IN ('assigned', 'checked_in')"))
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index('uq_assignment_event_vendor', table_name='assignment', postgresql_where=sa.text("event_id IS NOT NULL AND status IN ('assigned', 'checked_in')"))
    op.drop_index('uq_assignment_event_booth', table_name='assignment', postgresql_where=sa.text("event_id IS NOT NULL AND status IN ('assigned', 'checked_in')"))
    op.drop_index(op.f('ix_assignment_vendor_id'), table_name='assignment')
    op.drop_index(op.f('ix_assignment_booth_id'), table_name='assignment')
    op.drop_table('assignment')
    op.drop_table('event_corridor')
    op.drop_index('uq_booth_zone_code', table_name='booth', postgresql_where=sa.text('zone_id IS NOT NULL'))
    op.drop_index('uq_booth_event_code', table_name='booth', postgresql_where=sa.text('event_id IS NOT NULL'))
    op.drop_geospatial_index('idx_booth_geom', table_name='booth', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('booth')
    op.drop_index(op.f('ix_zone_city_id'), table_name='zone')
    op.drop_geospatial_index('idx_zone_geom', table_name='zone', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('zone')
    op.drop_index('uq_vendor_city_nib', table_name='vendor', postgresql_where=sa.text('nib IS NOT NULL'))
    op.drop_index(op.f('ix_vendor_city_id'), table_name='vendor')
    op.drop_table('vendor')
    op.drop_index(op.f('ix_facility_city_id'), table_name='facility')
    op.drop_geospatial_index('idx_facility_geom', table_name='facility', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('facility')
    op.drop_index(op.f('ix_event_city_id'), table_name='event')
    op.drop_table('event')
    op.drop_index(op.f('ix_clearance_rule_city_id'), table_name='clearance_rule')
    op.drop_table('clearance_rule')
    op.drop_index(op.f('ix_audit_entry_entity_id'), table_name='audit_entry')
    op.drop_index(op.f('ix_audit_entry_entity'), table_name='audit_entry')
    op.drop_index(op.f('ix_audit_entry_at'), table_name='audit_entry')
    op.drop_table('audit_entry')
    op.drop_geospatial_index('idx_city_extent', table_name='city', postgresql_using='gist', column_name='extent')
    op.drop_geospatial_table('city')
    op.drop_table('app_user')
    # ### end Alembic commands ###
