"""facility_kind: a lookup table mirroring app/kinds.py replaces the two CHECKs on kind codes

Why a lookup table with foreign keys rather than a CHECK generated from the registry:

* adding a facility kind becomes a row, not a constraint swap. A new CHECK takes an ACCESS
  EXCLUSIVE lock on ``facility`` and re-reads every row to validate it; an INSERT into
  ``facility_kind`` locks nothing the app uses;
* the rows are written from the registry (app/kinds.py) after every migration run that reaches
  the head (``app.migrate.sync_facility_kinds``, called from migrations/env.py), so adding a kind
  is one registry entry and no migration at all, and the database can never lag the code;
* removing a kind that facilities or clearance rules still use is refused, by name, instead of a
  constraint silently no longer matching the data;
* GIS clients (QGIS) can join the kinds' Indonesian and English names.

This migration seeds the table from the registry too, because the foreign keys need every used
code present before they are created (the old CHECKs guarantee the used codes are registered).

Revision ID: b290f5582585
Revises: c4e1a7b9d203
Create Date: 2026-12-07 11:20:00.000000
"""
from alembic import op
import sqlalchemy as sa

from app.migrate import facility_kind_rows

revision = 'b290f5582585'
down_revision = 'c4e1a7b9d203'
branch_labels = None
depends_on = None

#: The kinds the two CHECK constraints allowed (for the downgrade).
_CHECKED_KINDS = ('hydrant', 'bus_stop', 'crossing', 'intersection', 'ramp', 'driveway',
                  'building_entrance', 'tree', 'pole', 'drainage_inlet', 'manhole', 'bench',
                  'other')
_COLUMNS = ('code', 'label_id', 'label_en', 'blocking')


def upgrade() -> None:
    kinds = op.create_table(
        'facility_kind',
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('label_id', sa.String(length=80), nullable=False),
        sa.Column('label_en', sa.String(length=80), nullable=False),
        sa.Column('blocking', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_facility_kind')),
    )
    op.bulk_insert(kinds, [{c: row[c] for c in _COLUMNS} for row in facility_kind_rows()])
    op.drop_constraint(op.f('ck_facility_kind'), 'facility', type_='check')
    op.drop_constraint(
        op.f('ck_clearance_rule_facility_kind'), 'clearance_rule', type_='check'
    )
    op.create_foreign_key(
        op.f('fk_facility_kind_facility_kind'), 'facility', 'facility_kind',
        ['kind'], ['code'], onupdate='CASCADE',
    )
    op.create_foreign_key(
        op.f('fk_clearance_rule_facility_kind_facility_kind'), 'clearance_rule',
        'facility_kind', ['facility_kind'], ['code'], onupdate='CASCADE',
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f('fk_clearance_rule_facility_kind_facility_kind'), 'clearance_rule',
        type_='foreignkey',
    )
    op.drop_constraint(op.f('fk_facility_kind_facility_kind'), 'facility', type_='foreignkey')
    allowed = ', '.join(f"'{k}'" for k in _CHECKED_KINDS)
    op.create_check_constraint(
        op.f('ck_clearance_rule_facility_kind'), 'clearance_rule',
        f'facility_kind IN ({allowed})',
    )
    op.create_check_constraint(op.f('ck_facility_kind'), 'facility', f'kind IN ({allowed})')
    op.drop_table('facility_kind')
