"""street_report.relocation_booth_id: an index for the booths' ON DELETE SET NULL

Regenerating a layout deletes every unlocked booth of the event (5,088 in the bench event). For
each deleted booth PostgreSQL runs the foreign key's ``UPDATE street_report SET
relocation_booth_id = NULL WHERE relocation_booth_id = $1``; without an index that is a scan of
every street report per booth, which grows with the city's years of reports. The other tables
that point at booths (assignment, desk_visit) are indexed already.

Revision ID: 95fccf8d1e13
Revises: c1c5a924ec5b
Create Date: 2026-12-07 18:00:00.000000
"""
from alembic import op

revision = '95fccf8d1e13'
down_revision = 'c1c5a924ec5b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f('ix_street_report_relocation_booth_id'),
        'street_report',
        ['relocation_booth_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_street_report_relocation_booth_id'), table_name='street_report')
