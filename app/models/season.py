"""A vendor's season: applications to trade, attendance answers before allocation, notices sent.

* :class:`VendorApplication`: someone who wants to trade applies at ``/daftar`` without an
  account; a planner approves (a :class:`~app.models.Vendor` is created) or rejects with a reason
  the applicant reads with their status code.
* :class:`AttendanceAnswer`: a vendor's yes or no for one event (from ``/lapak``, or crew or a
  planner on their behalf). :class:`StandingAttendance` is a regular's "every Sunday";
  :class:`VendorAbsence` a period they are away. :mod:`app.services.attendance_plan` combines
  them into who will attend.
* :class:`NoticeLog`: what a vendor was told about an event (their booth codes at that moment),
  so the next notice list can show only what changed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.gis.rules import VENDOR_CATEGORIES
from app.models.base import Base, Timestamped, in_list
from app.models.event import Event
from app.models.geo import City
from app.models.vendor import Vendor

#: An application's status: waiting for review, approved (a vendor exists), rejected (a reason).
APPLICATION_STATUSES = ("pending", "approved", "rejected")
#: Who gave an attendance answer.
ANSWER_SOURCES = ("vendor", "crew", "planner")
#: How a notice went out: a WhatsApp link opened, an SMS text copied, a CSV for a gateway.
NOTICE_CHANNELS = ("wa", "sms", "csv")


class VendorApplication(Timestamped, Base):
    """An application to trade, filed at ``/daftar`` by someone without an account."""

    __tablename__ = "vendor_application"
    __table_args__ = (
        CheckConstraint(in_list("status", APPLICATION_STATUSES), name="status"),
        CheckConstraint(in_list("category", VENDOR_CATEGORIES), name="category"),
        CheckConstraint(
            "status <> 'rejected' OR reject_reason IS NOT NULL", name="rejected_has_reason"
        ),
        CheckConstraint("status <> 'approved' OR vendor_id IS NOT NULL", name="approved_vendor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    #: What the applicant keeps to check their status (random, shown once on the answer page).
    status_code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    owner_name: Mapped[str] = mapped_column(String(160), nullable=False)
    phone: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    business_name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    nib: Mapped[str | None] = mapped_column(String(20), index=True)
    halal_cert_no: Mapped[str | None] = mapped_column(String(60))
    halal_cert_expiry: Mapped[date | None] = mapped_column(Date)
    #: A file name under the instance folder's ``application_photos`` (never a web path).
    photo_path: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    reject_reason: Mapped[str | None] = mapped_column(Text)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendor.id", ondelete="SET NULL"))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    city: Mapped[City] = relationship()
    vendor: Mapped[Vendor | None] = relationship()


class AttendanceAnswer(Timestamped, Base):
    """A vendor's answer for one event: they will come (``attending``) or they will not."""

    __tablename__ = "attendance_answer"
    __table_args__ = (
        UniqueConstraint("event_id", "vendor_id", name="uq_attendance_answer_event_vendor"),
        CheckConstraint(in_list("source", ANSWER_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    attending: Mapped[bool] = mapped_column(Boolean, nullable=False)
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    vendor: Mapped[Vendor] = relationship()


class StandingAttendance(Base):
    """A regular who comes every week on one weekday (0 Monday … 6 Sunday: every CFD Sunday)."""

    __tablename__ = "standing_attendance"
    __table_args__ = (
        UniqueConstraint("vendor_id", "weekday", name="uq_standing_attendance_vendor_weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class VendorAbsence(Base):
    """A period a vendor is away (both days included): standing attendance does not apply."""

    __tablename__ = "vendor_absence"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class NoticeLog(Base):
    """One notice to one vendor about one event, with the booth codes it told them."""

    __tablename__ = "notice_log"
    __table_args__ = (
        CheckConstraint(in_list("channel", NOTICE_CHANNELS), name="channel"),
        Index("ix_notice_log_event_vendor", "event_id", "vendor_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    #: The booth codes the notice named, in order (empty: told they have no booth).
    booth_codes: Mapped[list[str]] = mapped_column(ARRAY(String(20)), nullable=False)
    channel: Mapped[str] = mapped_column(String(4), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    #: Several notices sent together (one CSV export) share a batch number.
    batch: Mapped[int | None] = mapped_column(Integer)
