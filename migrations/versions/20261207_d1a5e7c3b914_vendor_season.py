"""A vendor's season: vendor_application (the /daftar form and its review), attendance_answer,
standing_attendance and vendor_absence (who will attend an event, before allocation),
notice_log (what each vendor was told), and event.registration_deadline

Revision ID: d1a5e7c3b914
Revises: 3b7e2d94c1a8
Create Date: 2026-12-07 13:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "d1a5e7c3b914"
down_revision = "3b7e2d94c1a8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "event", sa.Column("registration_deadline", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "vendor_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.String(length=16), nullable=False),
        sa.Column("owner_name", sa.String(length=160), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("business_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("nib", sa.String(length=20), nullable=True),
        sa.Column("halal_cert_no", sa.String(length=60), nullable=True),
        sa.Column("halal_cert_expiry", sa.Date(), nullable=True),
        sa.Column("photo_path", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_vendor_application_status"),
        ),
        sa.CheckConstraint(
            "category IN ('makanan', 'minuman', 'pakaian', 'kerajinan', 'aksesoris', 'mainan', 'kecantikan', 'hasil_tani')",
            name=op.f("ck_vendor_application_category"),
        ),
        sa.CheckConstraint(
            "status <> 'rejected' OR reject_reason IS NOT NULL",
            name=op.f("ck_vendor_application_rejected_has_reason"),
        ),
        sa.CheckConstraint(
            "status <> 'approved' OR vendor_id IS NOT NULL",
            name=op.f("ck_vendor_application_approved_vendor"),
        ),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["city.id"],
            name=op.f("fk_vendor_application_city_id_city"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_vendor_application_vendor_id_vendor"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["app_user.id"],
            name=op.f("fk_vendor_application_reviewed_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_application")),
        sa.UniqueConstraint("status_code", name=op.f("uq_vendor_application_status_code")),
    )
    op.create_index(
        op.f("ix_vendor_application_city_id"), "vendor_application", ["city_id"], unique=False
    )
    op.create_index(
        op.f("ix_vendor_application_phone"), "vendor_application", ["phone"], unique=False
    )
    op.create_index(op.f("ix_vendor_application_nib"), "vendor_application", ["nib"], unique=False)
    op.create_table(
        "attendance_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("attending", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source IN ('vendor', 'crew', 'planner')", name=op.f("ck_attendance_answer_source")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_attendance_answer_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_attendance_answer_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_attendance_answer_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_answer")),
        sa.UniqueConstraint(
            "event_id", "vendor_id", name=op.f("uq_attendance_answer_event_vendor")
        ),
    )
    op.create_index(
        op.f("ix_attendance_answer_vendor_id"), "attendance_answer", ["vendor_id"], unique=False
    )
    op.create_table(
        "standing_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_standing_attendance_weekday")),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_standing_attendance_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_standing_attendance_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_attendance")),
        sa.UniqueConstraint(
            "vendor_id", "weekday", name=op.f("uq_standing_attendance_vendor_weekday")
        ),
    )
    op.create_table(
        "vendor_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_vendor_absence_period")),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_vendor_absence_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_vendor_absence_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_absence")),
    )
    op.create_index(
        op.f("ix_vendor_absence_vendor_id"), "vendor_absence", ["vendor_id"], unique=False
    )
    op.create_table(
        "notice_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("booth_codes", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("channel", sa.String(length=4), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "sent_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("batch", sa.Integer(), nullable=True),
        sa.CheckConstraint("channel IN ('wa', 'sms', 'csv')", name=op.f("ck_notice_log_channel")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_notice_log_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor.id"],
            name=op.f("fk_notice_log_vendor_id_vendor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notice_log_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_log")),
    )
    op.create_index(
        "ix_notice_log_event_vendor", "notice_log", ["event_id", "vendor_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notice_log_event_vendor", table_name="notice_log")
    op.drop_table("notice_log")
    op.drop_index(op.f("ix_vendor_absence_vendor_id"), table_name="vendor_absence")
    op.drop_table("vendor_absence")
    op.drop_table("standing_attendance")
    op.drop_index(op.f("ix_attendance_answer_vendor_id"), table_name="attendance_answer")
    op.drop_table("attendance_answer")
    op.drop_index(op.f("ix_vendor_application_nib"), table_name="vendor_application")
    op.drop_index(op.f("ix_vendor_application_phone"), table_name="vendor_application")
    op.drop_index(op.f("ix_vendor_application_city_id"), table_name="vendor_application")
    op.drop_table("vendor_application")
    op.drop_column("event", "registration_deadline")
