"""Per city, the booth properties a new layout gives: power reach, step-free, cooking

``city.booth_defaults`` (JSONB, NULL = the defaults in ``app.services.cities.BOOTH_DEFAULTS``)
holds what the city's rules page sets: how far a street-light pole powers a booth (15 m by
default), and whether new booths are step-free (yes) and may cook (no). It is versioned and
audited with the rest of the city's rules (``rules_version``, audit entity ``city_rules``).

Revision ID: c6e28f4b1d57
Revises: b5d17e3a9c42
Create Date: 2026-12-07 17:10:00.000000
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'c6e28f4b1d57'
down_revision = 'b5d17e3a9c42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "city", sa.Column("booth_defaults", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("city", "booth_defaults")
