"""Vendors (no login: an access code) and their assignments to booths."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.gis.rules import VENDOR_CATEGORIES
from app.models.base import Base, Timestamped, in_list
from app.models.event import Booth, Event
from app.models.geo import City

ASSIGNMENT_STATUSES = ("assigned", "checked_in", "no_show", "cancelled")
#: Statuses that hold a booth; a no-show or cancelled assignment frees it for the waitlist.
HOLDING_STATUSES = ("assigned", "checked_in")
_HOLDING_SQL = "status IN ('assigned', 'checked_in')"


class Vendor(Timestamped, Base):
    """A street vendor (PKL) registered with the city."""

    __tablename__ = "vendor"
    __table_args__ = (
        CheckConstraint(in_list("category", VENDOR_CATEGORIES), name="category"),
        CheckConstraint("char_length(access_code) >= 8", name="access_code_length"),
        CheckConstraint(
            "min_booths >= 1 AND max_booths >= min_booths AND max_booths <= 4", name="booth_count"
        ),
        Index(
            "ix_vendor_business_name_trgm",
            "business_name",
            postgresql_using="gin",
            postgresql_ops={"business_name": "gin_trgm_ops"},
        ),
        Index(
            "ix_vendor_owner_name_trgm",
            "owner_name",
            postgresql_using="gin",
            postgresql_ops={"owner_name": "gin_trgm_ops"},
        ),
        Index(
            "uq_vendor_city_nib",
            "city_id",
            "nib",
            unique=True,
            postgresql_where=text("nib IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    owner_name: Mapped[str] = mapped_column(String(160), nullable=False)
    business_name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    nib: Mapped[str | None] = mapped_column(String(20))
    halal_cert_no: Mapped[str | None] = mapped_column(String(60))
    halal_cert_expiry: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    access_code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    needs_electricity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    needs_accessibility: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    registered_on: Mapped[date | None] = mapped_column(Date)
    preferred_sections: Mapped[list[str] | None] = mapped_column(ARRAY(String(40)))
    #: Booths side by side the vendor needs (bigger sellers, service desks: 2) and may take.
    min_booths: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    max_booths: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    needs_cooking: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    #: Booth codes the vendor prefers, best first (before ``preferred_sections``); a fixed holder
    #: moves to the first free run of them.
    preferred_booths: Mapped[list[str] | None] = mapped_column(ARRAY(String(20)))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    city: Mapped[City] = relationship()


class Assignment(Timestamped, Base):
    """A vendor on a booth: for one event, or for a permit period on a permanent PKL spot.

    Double booking is impossible at the database level: partial unique indexes for events and
    exclusion constraints over date ranges for permits, counting only statuses that hold a booth.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint(in_list("status", ASSIGNMENT_STATUSES), name="status"),
        CheckConstraint(
            "(event_id IS NOT NULL AND valid_from IS NULL AND valid_to IS NULL)"
            " OR (event_id IS NULL AND valid_from IS NOT NULL"
            " AND (valid_to IS NULL OR valid_to >= valid_from))",
            name="event_or_permit",
        ),
        ForeignKeyConstraint(
            ["booth_id", "event_id"],
            ["booth.id", "booth.event_id"],
            name="fk_assignment_booth_event",
            ondelete="CASCADE",
        ),
        Index(
            "uq_assignment_event_booth",
            "event_id",
            "booth_id",
            unique=True,
            postgresql_where=text(f"event_id IS NOT NULL AND {_HOLDING_SQL}"),
        ),
        CheckConstraint("part >= 0 AND part < 4", name="part"),
        Index(
            "uq_assignment_event_vendor",
            "event_id",
            "vendor_id",
            "part",
            unique=True,
            postgresql_where=text(f"event_id IS NOT NULL AND {_HOLDING_SQL}"),
        ),
        ExcludeConstraint(
            ("booth_id", "="),
            (text("daterange(valid_from, valid_to, '[]')"), "&&"),
            name="ex_assignment_permit_booth",
            using="gist",
            where=text(f"event_id IS NULL AND {_HOLDING_SQL}"),
        ),
        ExcludeConstraint(
            ("vendor_id", "="),
            (text("daterange(valid_from, valid_to, '[]')"), "&&"),
            name="ex_assignment_permit_vendor",
            using="gist",
            where=text(f"event_id IS NULL AND {_HOLDING_SQL}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="assigned")
    pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Which of the vendor's booths side by side this is (0 = the first; one-booth vendors: 0).
    part: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0, server_default="0")
    #: Why the vendor is here, as a message code with its parameters (:func:`app.messages.to_json`),
    #: rendered in the reader's language (:func:`app.services.reasons.reason_text`).
    explanation: Mapped[Any] = mapped_column(JSONB, nullable=True)
    #: When the vendor confirmed on the vendor page that they will come ("Saya hadir").
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    booth: Mapped[Booth] = relationship(foreign_keys=[booth_id])
    vendor: Mapped[Vendor] = relationship()
    event: Mapped[Event | None] = relationship(foreign_keys=[event_id])

    __mapper_args__ = {"version_id_col": version}


class AllocationRun(Base):
    """One published allocation of an event: its seed, settings and full result.

    Kept so that anyone can re-run the lottery with the published seed and check it, and so that
    the waitlist order survives until the event day (no-show releases walk it).
    """

    __tablename__ = "allocation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    seed: Mapped[int] = mapped_column(Integer, nullable=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    event: Mapped[Event] = relationship()
