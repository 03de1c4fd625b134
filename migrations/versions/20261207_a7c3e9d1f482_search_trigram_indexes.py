"""Staff search: pg_trgm and trigram indexes on the names people type

The staff map's search box finds a vendor by stall or owner name, a street and a landmark by any
part of its name (``ILIKE '%…%'``, ranked by ``similarity``). GIN trigram indexes keep that an
index read however many vendors, roads and landmarks a city has. ``pg_trgm`` ships with
PostgreSQL and is a trusted extension (PostgreSQL 13+): the database owner may create it.

Revision ID: a7c3e9d1f482
Revises: e8c4a1f2b6d7
Create Date: 2026-12-07 14:15:00.000000
"""
from alembic import op

revision = 'a7c3e9d1f482'
down_revision = 'e8c4a1f2b6d7'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_vendor_business_name_trgm", "vendor", "business_name"),
    ("ix_vendor_owner_name_trgm", "vendor", "owner_name"),
    ("ix_basemap_road_name_trgm", "basemap_road", "name"),
    ("ix_landmark_name_trgm", "landmark", "name"),
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    for name, _table, _column in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
