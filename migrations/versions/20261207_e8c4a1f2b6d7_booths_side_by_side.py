"""Vendors on several booths and booths with properties: vendor.min_booths, max_booths,
needs_cooking, preferred_booths; booth.cooking_allowed, reserved_category; city.grow_at_turn;
assignment.part: a vendor may hold several booths of one event (side by side)

Revision ID: e8c4a1f2b6d7
Revises: d8a4c2e6f931
Create Date: 2026-12-07 14:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "e8c4a1f2b6d7"
down_revision = "d8a4c2e6f931"
branch_labels = None
depends_on = None

_CATEGORIES = (
    "'makanan', 'minuman', 'pakaian', 'kerajinan', 'aksesoris', 'mainan', 'kecantikan', "
    "'hasil_tani'"
)
_HOLDING = "status IN ('assigned', 'checked_in')"


def upgrade() -> None:
    op.add_column(
        "vendor", sa.Column("min_booths", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "vendor", sa.Column("max_booths", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "vendor", sa.Column("needs_cooking", sa.Boolean(), server_default="false", nullable=False)
    )
    op.add_column(
        "vendor", sa.Column("preferred_booths", postgresql.ARRAY(sa.String(20)), nullable=True)
    )
    op.create_check_constraint(
        "booth_count", "vendor", "min_booths >= 1 AND max_booths >= min_booths AND max_booths <= 4"
    )
    op.add_column(
        "booth",
        sa.Column("cooking_allowed", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column("booth", sa.Column("reserved_category", sa.String(40), nullable=True))
    op.create_check_constraint(
        "reserved_category",
        "booth",
        f"reserved_category IS NULL OR reserved_category IN ({_CATEGORIES})",
    )
    op.add_column(
        "city", sa.Column("grow_at_turn", sa.Boolean(), server_default="false", nullable=False)
    )
    # a vendor on two or three booths side by side holds one assignment per booth, numbered by
    # ``part`` (0 = the first booth); still at most one of each part per vendor and event
    op.add_column(
        "assignment", sa.Column("part", sa.SmallInteger(), server_default="0", nullable=False)
    )
    op.create_check_constraint("part", "assignment", "part >= 0 AND part < 4")
    op.drop_index("uq_assignment_event_vendor", table_name="assignment")
    op.create_index(
        "uq_assignment_event_vendor",
        "assignment",
        ["event_id", "vendor_id", "part"],
        unique=True,
        postgresql_where=sa.text(f"event_id IS NOT NULL AND {_HOLDING}"),
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM assignment WHERE part > 0 AND event_id IS NOT NULL AND {_HOLDING}")
    op.drop_index("uq_assignment_event_vendor", table_name="assignment")
    op.drop_constraint("ck_assignment_part", "assignment", type_="check")
    op.drop_column("assignment", "part")
    op.create_index(
        "uq_assignment_event_vendor",
        "assignment",
        ["event_id", "vendor_id"],
        unique=True,
        postgresql_where=sa.text(f"event_id IS NOT NULL AND {_HOLDING}"),
    )
    op.drop_column("city", "grow_at_turn")
    op.drop_constraint("ck_booth_reserved_category", "booth", type_="check")
    op.drop_column("booth", "reserved_category")
    op.drop_column("booth", "cooking_allowed")
    op.drop_constraint("ck_vendor_booth_count", "vendor", type_="check")
    op.drop_column("vendor", "preferred_booths")
    op.drop_column("vendor", "needs_cooking")
    op.drop_column("vendor", "max_booths")
    op.drop_column("vendor", "min_booths")
