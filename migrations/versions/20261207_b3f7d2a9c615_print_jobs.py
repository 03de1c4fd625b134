"""print_job: crew prints made in the background, their progress and the finished PDF

One row per print-out at one change counter (``key``, as the PDF cache); ``updated_at`` is the
renderer's heartbeat. See app/models/print_job.py and app/services/print_jobs.py.

Revision ID: b3f7d2a9c615
Revises: a7c3e9d1f482
Create Date: 2026-12-07 17:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

revision = "b3f7d2a9c615"
down_revision = "a7c3e9d1f482"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("pages_total", sa.Integer(), nullable=False),
        sa.Column("error_id", sa.String(length=500), nullable=True),
        sa.Column("error_en", sa.String(length=500), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "state IN ('running', 'done', 'failed')", name=op.f("ck_print_job_state_known")
        ),
        sa.CheckConstraint(
            "document IN ('layout', 'vendors', 'labels')", name=op.f("ck_print_job_document_known")
        ),
        sa.CheckConstraint(
            "pages_done >= 0 AND pages_total >= 0 AND pages_done <= pages_total",
            name=op.f("ck_print_job_pages_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_print_job_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
        sa.UniqueConstraint("key", name=op.f("uq_print_job_key")),
    )
    op.create_index("ix_print_job_event_variant", "print_job", ["event_id", "variant"])


def downgrade() -> None:
    op.drop_index("ix_print_job_event_variant", table_name="print_job")
    op.drop_table("print_job")
