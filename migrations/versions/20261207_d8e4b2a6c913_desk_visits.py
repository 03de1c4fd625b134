"""desk_visit: MikroDOTS desk queues and visit logs; the ``petugas_layanan`` role (desk officer)
in app_user's role, widened to 20 characters, with its CHECK kept to the registered roles

Revision ID: d8e4b2a6c913
Revises: d1a5e7c3b914
Create Date: 2026-12-07 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = 'd8e4b2a6c913'
down_revision = 'd1a5e7c3b914'
branch_labels = None
depends_on = None

SERVICES = "'nib', 'halal', 'kur', 'ojk', 'edukasi_hukum', 'pemasaran_digital'"
OUTCOMES = "'informasi', 'berkas_kurang', 'diajukan', 'terbit', 'dirujuk', 'cair', 'ikut_kelas'"


def upgrade() -> None:
    op.alter_column('app_user', 'role', type_=sa.String(length=20), existing_nullable=False)
    op.drop_constraint(op.f('ck_app_user_role'), 'app_user', type_='check')
    op.create_check_constraint(
        op.f('ck_app_user_role'),
        'app_user',
        "role IN ('admin', 'planner', 'crew', 'petugas', 'petugas_layanan')",
    )
    op.create_table(
        'desk_visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('booth_id', sa.Integer(), nullable=False),
        sa.Column('queue_no', sa.Integer(), nullable=False),
        sa.Column('vendor_id', sa.Integer(), nullable=True),
        sa.Column('visitor_name', sa.String(length=160), nullable=True),
        sa.Column('visitor_phone', sa.String(length=20), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('service', sa.String(length=20), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('document_no', sa.String(length=60), nullable=True),
        sa.Column('document_expiry', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('follow_up', sa.Text(), nullable=True),
        sa.Column('follow_up_due', sa.Date(), nullable=True),
        sa.Column('officer_id', sa.Integer(), nullable=True),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('logged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.CheckConstraint("status IN ('menunggu', 'dilayani', 'selesai', 'batal')", name=op.f('ck_desk_visit_status')),
        sa.CheckConstraint(f"service IS NULL OR service IN ({SERVICES})", name=op.f('ck_desk_visit_service')),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f('ck_desk_visit_outcome')),
        sa.CheckConstraint('vendor_id IS NOT NULL OR visitor_name IS NOT NULL', name=op.f('ck_desk_visit_who')),
        sa.CheckConstraint("status <> 'selesai' OR (service IS NOT NULL AND outcome IS NOT NULL)", name=op.f('ck_desk_visit_logged_has_outcome')),
        sa.CheckConstraint('follow_up_due IS NULL OR follow_up IS NOT NULL', name=op.f('ck_desk_visit_due_has_follow_up')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_desk_visit_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['booth_id'], ['booth.id'], name=op.f('fk_desk_visit_booth_id_booth'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_desk_visit_vendor_id_vendor'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['officer_id'], ['app_user.id'], name=op.f('fk_desk_visit_officer_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_visit')),
        sa.UniqueConstraint('booth_id', 'queue_no', name='uq_desk_visit_booth_queue_no'),
    )
    op.create_index(op.f('ix_desk_visit_event_id'), 'desk_visit', ['event_id'], unique=False)
    op.create_index(op.f('ix_desk_visit_booth_id'), 'desk_visit', ['booth_id'], unique=False)
    op.create_index(op.f('ix_desk_visit_vendor_id'), 'desk_visit', ['vendor_id'], unique=False)
    op.create_index(op.f('ix_desk_visit_visitor_phone'), 'desk_visit', ['visitor_phone'], unique=False)
    op.create_index(op.f('ix_desk_visit_follow_up_due'), 'desk_visit', ['follow_up_due'], unique=False)
    op.create_index(op.f('ix_desk_visit_logged_at'), 'desk_visit', ['logged_at'], unique=False)


def downgrade() -> None:
    op.drop_table('desk_visit')
    op.execute("DELETE FROM app_user WHERE role = 'petugas_layanan'")
    op.drop_constraint(op.f('ck_app_user_role'), 'app_user', type_='check')
    op.create_check_constraint(
        op.f('ck_app_user_role'), 'app_user', "role IN ('admin', 'planner', 'crew', 'petugas')"
    )
    op.alter_column('app_user', 'role', type_=sa.String(length=10), existing_nullable=False)
