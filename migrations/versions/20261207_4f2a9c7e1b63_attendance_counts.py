"""attendance counts: answers, standing attendance and absence periods bump the change counter

Who will come to an event is shown on the event page, the crew's attendance list and the
vendor's own page, and printed in crew lists; the caches of pages, tiles and PDFs key on the
city's change counter (app/models/data_version.py). Until now a vendor's answer, a regular's
"every Sunday" and an absence period changed no counter, so a cached answer built before them
was served after. The counter function learns the three tables (their city is the vendor's) and
each gets the same deferred row trigger and TRUNCATE trigger as the other counted tables.

They count in ``version`` only, not in ``layout_version``: an answer moves nobody's booth, so
the public map and every other vendor's cached page stay valid. The allocation that follows the
answers writes assignments, which count in both.

Revision ID: 4f2a9c7e1b63
Revises: 95fccf8d1e13
Create Date: 2026-12-07 17:00:00.000000
"""

from alembic import op

revision = "4f2a9c7e1b63"
down_revision = "95fccf8d1e13"
branch_labels = None
depends_on = None

TABLES = ("attendance_answer", "standing_attendance", "vendor_absence")

BUMP_WITH_ATTENDANCE = r"""
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
        ELSIF TG_TABLE_NAME IN ('attendance_answer', 'standing_attendance', 'vendor_absence')
        THEN
            -- who will come: the vendor's city (a vendor deleted in the same transaction is
            -- counted by its own trigger)
            SELECT v.city_id INTO cid FROM vendor v WHERE v.id = r.vendor_id;
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
    IF TG_TABLE_NAME IN ('vendor', 'attendance_answer', 'standing_attendance',
                         'vendor_absence') THEN
        -- names and documents, or who will come: nobody's booth moves (an allocation that
        -- follows the answers writes assignments, which count in the layout)
        minor := true;
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


def upgrade() -> None:
    op.execute(BUMP_WITH_ATTENDANCE)
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
