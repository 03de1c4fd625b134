"""data_version: a bulk write of booths is counted once by the app, not once per row

A generated layout replaces thousands of booths in two statements. The deferred row trigger on
``booth`` queued one call per row (10,000 for a 5,000-booth event), each looking up the event's
city at commit only to find the counter already bumped. Now:

- ``petalapak_count_city(cid)`` bumps a city's ``version`` and ``layout_version`` once per commit,
  under the same token rule as ``petalapak_bump_data_version`` (the app's per-commit
  ``petalapak.dv_epoch``, else the transaction id): a later row trigger of the same commit for
  that city finds it counted and adds nothing, so the counters still move exactly once.
- The booth trigger gets a ``WHEN`` condition: while the transaction-local setting
  ``petalapak.counted_by_app`` is ``on``, its rows are not queued at all (a constraint trigger's
  ``WHEN`` is evaluated when the row is written, not at commit). The app turns it on only around
  its own bulk statements and calls ``petalapak_count_city`` for their city in the same commit
  (``app.services.data_version``). Every other write (the ORM, psql, a GIS client) is counted
  by the trigger as before.

Revision ID: c1c5a924ec5b
Revises: b3f7d2a9c615
Create Date: 2026-12-07 17:10:00.000000
"""
from alembic import op

revision = 'c1c5a924ec5b'
down_revision = 'b3f7d2a9c615'
branch_labels = None
depends_on = None

COUNT_CITY = r"""
CREATE OR REPLACE FUNCTION petalapak_count_city(cid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    token text := coalesce(nullif(current_setting('petalapak.dv_epoch', true), ''),
                           txid_current()::text);
BEGIN
    IF current_setting('petalapak.dv_' || cid, true) IS DISTINCT FROM token THEN
        INSERT INTO data_version AS dv (city_id, version, layout_version) VALUES (cid, 1, 0)
            ON CONFLICT (city_id) DO UPDATE SET version = dv.version + 1;
        PERFORM set_config('petalapak.dv_' || cid, token, true);
    END IF;
    IF current_setting('petalapak.dvl_' || cid, true) IS DISTINCT FROM token THEN
        UPDATE data_version SET layout_version = layout_version + 1 WHERE city_id = cid;
        PERFORM set_config('petalapak.dvl_' || cid, token, true);
    END IF;
END
$$;
"""

_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER data_version_booth "
    "AFTER INSERT OR UPDATE OR DELETE ON booth "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when}"
    "EXECUTE FUNCTION petalapak_bump_data_version()"
)


def upgrade() -> None:
    op.execute(COUNT_CITY)
    op.execute("DROP TRIGGER data_version_booth ON booth")
    op.execute(
        _TRIGGER.format(
            when="WHEN (current_setting('petalapak.counted_by_app', true) "
            "IS DISTINCT FROM 'on') "
        )
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER data_version_booth ON booth")
    op.execute(_TRIGGER.format(when=""))
    op.execute("DROP FUNCTION IF EXISTS petalapak_count_city(integer)")
