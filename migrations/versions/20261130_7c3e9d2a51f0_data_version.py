"""data_version: per-city change counters bumped by triggers when a change commits

Caches of public answers (OGC item pages, vector tiles, the vendor page) key on them, so they are
exact: see app/models/data_version.py and app/services/data_version.py.

``version`` counts every change. ``layout_version`` leaves out what cannot change another
vendor's view: edits of vendor rows, and assignment updates that keep the same vendor on the
same booth, holding or not (a check-in, a confirmation, a note). The vendor page keys on
``layout_version`` plus the vendor's own assignments, so the check-ins of a busy morning do not
throw away every vendor's cached map.

The triggers are deferred constraint triggers: they run when the transaction commits (or when the
app says ``SET CONSTRAINTS ALL IMMEDIATE`` just before committing), so the counter row is locked
only for that instant and writers of one city do not queue behind each other's long
transactions. Within one commit a city is bumped once per counter, however many rows changed
(the GUCs ``petalapak.dv_<city>`` / ``petalapak.dvl_<city>`` remember the commit's token). A row
moved to another city bumps both; an assignment's city comes from its event (or its booth's
zone), which outlives a deleted vendor; TRUNCATE bumps every city.

Known limit: a transaction that changes two cities locks their counter rows in the order of its
changes, so two such transactions changing the same two cities in opposite orders can deadlock
at commit (PostgreSQL then aborts one). Nothing in the app writes two cities at once.

Revision ID: 7c3e9d2a51f0
Revises: 5b1d0c7e9a42
Create Date: 2026-11-30 02:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '7c3e9d2a51f0'
down_revision = '5b1d0c7e9a42'
branch_labels = None
depends_on = None

#: Tables whose changes are counted.
TABLES = ('city', 'zone', 'facility', 'clearance_rule', 'event', 'event_corridor', 'booth',
          'vendor', 'assignment', 'allocation_run')

BUMP = r"""
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

-- TRUNCATE fires no row triggers: it counts as a change of every city (an admin's rare act)
CREATE OR REPLACE FUNCTION petalapak_bump_all_data_versions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1, layout_version = layout_version + 1;
    RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        'data_version',
        sa.Column('city_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('layout_version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('city_id', name=op.f('pk_data_version')),
    )
    op.execute(BUMP)
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
    # every city starts counted, so a cache key never meets a missing row on a busy morning
    op.execute("INSERT INTO data_version (city_id, version, layout_version) SELECT id, 1, 1 "
               "FROM city "
               "ON CONFLICT DO NOTHING")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS data_version_truncate_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS petalapak_bump_data_version()")
    op.execute("DROP FUNCTION IF EXISTS petalapak_bump_all_data_versions()")
    op.drop_table('data_version')
