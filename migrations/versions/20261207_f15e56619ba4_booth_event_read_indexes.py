"""booth: indexes for the two hot reads, an event's booths in id order and its service desks

* ``ix_booth_event_id_id (event_id, id)``: an OGC item page counts an event's booths and takes
  a page of ids in id order. Without it both scan every event's booths (a year of Sunday CFDs
  is some 70,000 rows), with it they read the event's index range only.
* ``ix_booth_service_desks (event_id) WHERE kind = 'service_desk'``: every vendor lookup lists
  the event's MikroDOTS desks (map and nearest landmarks); a handful of rows among thousands.

Revision ID: f15e56619ba4
Revises: e5b2c8d4f610
Create Date: 2026-12-07 11:50:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = 'f15e56619ba4'
down_revision = 'e5b2c8d4f610'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_booth_event_id_id", "booth", ["event_id", "id"])
    op.create_index(
        "ix_booth_service_desks",
        "booth",
        ["event_id"],
        postgresql_where=sa.text("kind = 'service_desk'"),
    )


def downgrade() -> None:
    op.drop_index("ix_booth_service_desks", table_name="booth")
    op.drop_index("ix_booth_event_id_id", table_name="booth")
