"""basemap: roads, water, buildings and its source per city; landmarks (a map layer)

The basemap a city supplies (OpenStreetMap extracts through ``flask --app app import-basemap``, or
the demo's illustrative drawing) and its landmarks; see app/models/basemap.py. Changes to these
tables count in the city's change counters like the other layers' (the vector tiles and the
vendor page's place in words are cached under them): the counter function learns the new tables
and each gets the same deferred row trigger and TRUNCATE trigger as the others.

Revision ID: 3b7e2d94c1a8
Revises: a7d3f1c9e5b2
Create Date: 2026-12-07 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '3b7e2d94c1a8'
down_revision = 'a7d3f1c9e5b2'
branch_labels = None
depends_on = None

TABLES = ('landmark', 'basemap_road', 'basemap_water', 'basemap_building', 'basemap_source')

BUMP_WITH_BASEMAP = r"""
CREATE OR REPLACE FUNCTION petalapak_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    cid integer;
    cities integer[] := '{}';
    token text;
    minor boolean := false;
BEGIN
    -- the city of the row as it is now, and for an UPDATE also as it was: a row moved to
    -- another city (or event) changes the answers of both
    FOR i IN 1..2 LOOP
        IF i = 1 THEN
            IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
        ELSE
            EXIT WHEN TG_OP <> 'UPDATE';
            r := OLD;
        END IF;
        cid := NULL;
        IF TG_TABLE_NAME = 'city' THEN
            cid := r.id;
        ELSIF TG_TABLE_NAME IN ('zone', 'facility', 'clearance_rule', 'event', 'vendor',
                               'landmark', 'basemap_road', 'basemap_water',
                               'basemap_building', 'basemap_source') THEN
            cid := r.city_id;
        ELSIF TG_TABLE_NAME = 'booth' AND r.event_id IS NULL THEN
            -- a permanent spot in a PKL zone
            SELECT z.city_id INTO cid FROM zone z WHERE z.id = r.zone_id;
        ELSIF TG_TABLE_NAME = 'assignment' AND r.event_id IS NULL THEN
            -- a permit for such a spot
            SELECT z.city_id INTO cid FROM booth b JOIN zone z ON z.id = b.zone_id
                WHERE b.id = r.booth_id;
        ELSE  -- booth, assignment, allocation_run, event_corridor of an event
            SELECT e.city_id INTO cid FROM event e WHERE e.id = r.event_id;
        END IF;
        -- NULL: the parent went in the same transaction, and its own trigger counts it
        IF cid IS NOT NULL AND NOT cid = ANY (cities) THEN
            cities := cities || cid;
        END IF;
    END LOOP;
    IF TG_TABLE_NAME = 'vendor' THEN
        minor := true;  -- names and documents; a vendor's own page reads them fresh
    ELSIF TG_TABLE_NAME = 'assignment' AND TG_OP = 'UPDATE' THEN
        -- a check-in, a confirmation or a note moves nobody's booth
        minor := OLD.vendor_id = NEW.vendor_id AND OLD.booth_id = NEW.booth_id
            AND OLD.event_id IS NOT DISTINCT FROM NEW.event_id
            AND OLD.valid_from IS NOT DISTINCT FROM NEW.valid_from
            AND OLD.valid_to IS NOT DISTINCT FROM NEW.valid_to
            AND (OLD.status IN ('assigned', 'checked_in'))
                = (NEW.status IN ('assigned', 'checked_in'));
    END IF;
    IF cardinality(cities) > 1 THEN
        minor := false;
    END IF;
    -- one bump per city and counter per commit: the app sets a fresh token before each commit
    -- (the test suite commits savepoints inside one transaction); other clients get one per
    -- transaction
    token := coalesce(nullif(current_setting('petalapak.dv_epoch', true), ''),
                      txid_current()::text);
    FOREACH cid IN ARRAY cities LOOP
        IF current_setting('petalapak.dv_' || cid, true) IS DISTINCT FROM token THEN
            INSERT INTO data_version AS dv (city_id, version, layout_version) VALUES (cid, 1, 0)
                ON CONFLICT (city_id) DO UPDATE SET version = dv.version + 1;
            PERFORM set_config('petalapak.dv_' || cid, token, true);
        END IF;
        IF NOT minor AND current_setting('petalapak.dvl_' || cid, true) IS DISTINCT FROM token
        THEN
            UPDATE data_version SET layout_version = layout_version + 1 WHERE city_id = cid;
            PERFORM set_config('petalapak.dvl_' || cid, token, true);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
"""

BUMP_BEFORE = r"""
CREATE OR REPLACE FUNCTION petalapak_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    cid integer;
    cities integer[] := '{}';
    token text;
    minor boolean := false;
BEGIN
    -- the city of the row as it is now, and for an UPDATE also as it was: a row moved to
    -- another city (or event) changes the answers of both
    FOR i IN 1..2 LOOP
        IF i = 1 THEN
            IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
        ELSE
            EXIT WHEN TG_OP <> 'UPDATE';
            r := OLD;
        END IF;
        cid := NULL;
        IF TG_TABLE_NAME = 'city' THEN
            cid := r.id;
        ELSIF TG_TABLE_NAME IN ('zone', 'facility', 'clearance_rule', 'event', 'vendor') THEN
            cid := r.city_id;
        ELSIF TG_TABLE_NAME = 'booth' AND r.event_id IS NULL THEN
            -- a permanent spot in a PKL zone
            SELECT z.city_id INTO cid FROM zone z WHERE z.id = r.zone_id;
        ELSIF TG_TABLE_NAME = 'assignment' AND r.event_id IS NULL THEN
            -- a permit for such a spot
            SELECT z.city_id INTO cid FROM booth b JOIN zone z ON z.id = b.zone_id
                WHERE b.id = r.booth_id;
        ELSE  -- booth, assignment, allocation_run, event_corridor of an event
            SELECT e.city_id INTO cid FROM event e WHERE e.id = r.event_id;
        END IF;
        -- NULL: the parent went in the same transaction, and its own trigger counts it
        IF cid IS NOT NULL AND NOT cid = ANY (cities) THEN
            cities := cities || cid;
        END IF;
    END LOOP;
    IF TG_TABLE_NAME = 'vendor' THEN
        minor := true;  -- names and documents; a vendor's own page reads them fresh
    ELSIF TG_TABLE_NAME = 'assignment' AND TG_OP = 'UPDATE' THEN
        -- a check-in, a confirmation or a note moves nobody's booth
        minor := OLD.vendor_id = NEW.vendor_id AND OLD.booth_id = NEW.booth_id
            AND OLD.event_id IS NOT DISTINCT FROM NEW.event_id
            AND OLD.valid_from IS NOT DISTINCT FROM NEW.valid_from
            AND OLD.valid_to IS NOT DISTINCT FROM NEW.valid_to
            AND (OLD.status IN ('assigned', 'checked_in'))
                = (NEW.status IN ('assigned', 'checked_in'));
    END IF;
    IF cardinality(cities) > 1 THEN
        minor := false;
    END IF;
    -- one bump per city and counter per commit: the app sets a fresh token before each commit
    -- (the test suite commits savepoints inside one transaction); other clients get one per
    -- transaction
    token := coalesce(nullif(current_setting('petalapak.dv_epoch', true), ''),
                      txid_current()::text);
    FOREACH cid IN ARRAY cities LOOP
        IF current_setting('petalapak.dv_' || cid, true) IS DISTINCT FROM token THEN
            INSERT INTO data_version AS dv (city_id, version, layout_version) VALUES (cid, 1, 0)
                ON CONFLICT (city_id) DO UPDATE SET version = dv.version + 1;
            PERFORM set_config('petalapak.dv_' || cid, token, true);
        END IF;
        IF NOT minor AND current_setting('petalapak.dvl_' || cid, true) IS DISTINCT FROM token
        THEN
            UPDATE data_version SET layout_version = layout_version + 1 WHERE city_id = cid;
            PERFORM set_config('petalapak.dvl_' || cid, token, true);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
"""


def _geom(kind: str):  # type: ignore[no-untyped-def]
    return Geometry(geometry_type=kind, srid=4326, dimension=2, spatial_index=False,
                    from_text='ST_GeomFromEWKT', name='geometry', nullable=False)


def upgrade() -> None:
    op.create_table(
        'basemap_road',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('osm_id', sa.BigInteger(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('ref', sa.Text(), nullable=True),
        sa.Column('road_class', sa.String(length=30), nullable=False),
        sa.Column('geom', _geom('LINESTRING'), nullable=False),
        sa.CheckConstraint("road_class IN ('primary', 'secondary', 'tertiary', 'residential', 'service', 'footway')", name=op.f('ck_basemap_road_road_class')),
        sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_basemap_road_geom_valid')),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_basemap_road_city_id_city'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_basemap_road')),
    )
    op.create_table(
        'basemap_water',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('osm_id', sa.BigInteger(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('water_class', sa.String(length=20), nullable=False),
        sa.Column('geom', _geom('GEOMETRY'), nullable=False),
        sa.CheckConstraint("water_class IN ('river', 'canal', 'drain', 'riverbank', 'water')", name=op.f('ck_basemap_water_water_class')),
        sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_basemap_water_geom_valid')),
        sa.CheckConstraint("GeometryType(geom) IN ('LINESTRING', 'POLYGON', 'MULTIPOLYGON')", name=op.f('ck_basemap_water_geom_type')),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_basemap_water_city_id_city'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_basemap_water')),
    )
    op.create_table(
        'basemap_building',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('osm_id', sa.BigInteger(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('geom', _geom('GEOMETRY'), nullable=False),
        sa.CheckConstraint('ST_IsValid(geom)', name=op.f('ck_basemap_building_geom_valid')),
        sa.CheckConstraint("GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')", name=op.f('ck_basemap_building_geom_type')),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_basemap_building_city_id_city'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_basemap_building')),
    )
    op.create_table(
        'basemap_source',
        sa.Column('city_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('illustrative', sa.Boolean(), nullable=False),
        sa.Column('attribution', sa.Text(), nullable=False),
        sa.Column('roads', sa.Integer(), nullable=False),
        sa.Column('water', sa.Integer(), nullable=False),
        sa.Column('buildings', sa.Integer(), nullable=False),
        sa.Column('landmarks', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_basemap_source_city_id_city'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('city_id', name=op.f('pk_basemap_source')),
    )
    op.create_table(
        'landmark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('osm_id', sa.BigInteger(), nullable=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('geom', _geom('POINT'), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("kind IN ('mosque', 'market', 'school', 'bank', 'mall', 'office', 'park', 'place', 'other')", name=op.f('ck_landmark_kind')),
        sa.CheckConstraint("source IN ('osm', 'drawn')", name=op.f('ck_landmark_source')),
        sa.CheckConstraint('length(btrim(name)) > 0', name=op.f('ck_landmark_name_not_blank')),
        sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_landmark_city_id_city'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_landmark')),
    )
    for table in ('basemap_road', 'basemap_water', 'basemap_building', 'landmark'):
        op.create_geospatial_index(f'idx_{table}_geom', table, ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
        op.create_index(op.f(f'ix_{table}_city_id'), table, ['city_id'], unique=False)
    op.execute(BUMP_WITH_BASEMAP)
    for table in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER data_version_{table} "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION petalapak_bump_data_version()"
        )
        op.execute(
            f"CREATE TRIGGER data_version_truncate_{table} AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION petalapak_bump_all_data_versions()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS data_version_truncate_{table} ON {table}")
    op.execute(BUMP_BEFORE)
    for table in ('basemap_road', 'basemap_water', 'basemap_building', 'landmark'):
        op.drop_index(op.f(f'ix_{table}_city_id'), table_name=table)
        op.drop_geospatial_index(f'idx_{table}_geom', table_name=table, postgresql_using='gist', column_name='geom')
    for table in ('landmark', 'basemap_source', 'basemap_building', 'basemap_water', 'basemap_road'):
        op.drop_table(table)
