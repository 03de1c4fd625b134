"""Events (CFD Sundays) and the booths laid out for them or in permanent PKL zones."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.gis.rules import BOOTH_KINDS, VENDOR_CATEGORIES
from app.models.base import Base, Timestamped, in_list
from app.models.geo import City, Zone

EVENT_STATUSES = ("draft", "published", "closed")

event_corridor = Table(
    "event_corridor",
    Base.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("zone.id", ondelete="RESTRICT"), primary_key=True),
)


class Event(Timestamped, Base):
    """One day of trading on one or more corridors, e.g. the MikroDOTS CFD of 23 Nov 2025."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("city_id", "slug", name="uq_event_city_slug"),
        CheckConstraint(in_list("status", EVENT_STATUSES), name="status"),
        CheckConstraint("end_time > start_time", name="hours"),
        CheckConstraint(
            "layout_safety_margin_m >= 0 AND layout_safety_margin_m <= 1",
            name="layout_safety_margin",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    start_time: Mapped[time] = mapped_column(Time, nullable=False)
    end_time: Mapped[time] = mapped_column(Time, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    #: Metres the layout keeps beyond every clearance and edge (app.gis.layout_spec).
    layout_safety_margin_m: Mapped[float] = mapped_column(
        Float, nullable=False, default=0.05, server_default="0.05"
    )
    #: After this moment vendors cannot change their attendance answer themselves (crew and
    #: planners still can). None: ``ATTENDANCE_DEADLINE_DAYS`` before the start (see
    #: :func:`app.services.attendance_plan.registration_deadline`).
    registration_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    #: The planner's layout settings for this event (booth size, gap, breaks, emergency lane;
    #: the names of :class:`app.services.layout.LayoutParams`), the layout form's defaults.
    layout_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    city: Mapped[City] = relationship()
    corridors: Mapped[list[Zone]] = relationship(secondary=event_corridor, order_by=Zone.id)
    booths: Mapped[list[Booth]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Booth.code"
    )


class Booth(Timestamped, Base):
    """A booth footprint: of an event (CFD), or a permanent spot in a PKL zone."""

    __tablename__ = "booth"
    __table_args__ = (
        CheckConstraint(in_list("kind", BOOTH_KINDS), name="kind"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint("(event_id IS NULL) <> (zone_id IS NULL)", name="event_or_zone"),
        CheckConstraint("width_m > 0 AND depth_m > 0", name="size"),
        CheckConstraint(
            "reserved_category IS NULL OR " + in_list("reserved_category", VENDOR_CATEGORIES),
            name="reserved_category",
        ),
        # An assignment references (booth, event) so that a booth can only be given out in its
        # own event; this unique pair is what that foreign key points at.
        UniqueConstraint("id", "event_id", name="uq_booth_id_event"),
        Index(
            "uq_booth_event_code",
            "event_id",
            "code",
            unique=True,
            postgresql_where=text("event_id IS NOT NULL"),
        ),
        Index(
            "uq_booth_zone_code",
            "zone_id",
            "code",
            unique=True,
            postgresql_where=text("zone_id IS NOT NULL"),
        ),
        # The hot reads: an OGC item page (count, ids in order) and the vendor lookup's desks.
        Index("ix_booth_event_id_id", "event_id", "id"),
        Index(
            "ix_booth_service_desks",
            "event_id",
            postgresql_where=text("kind = 'service_desk'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="vendor")
    service: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(160))
    geom: Mapped[WKBElement] = mapped_column(Geometry("POLYGON", srid=4326), nullable=False)
    width_m: Mapped[float] = mapped_column(Float, nullable=False, default=3.0)
    depth_m: Mapped[float] = mapped_column(Float, nullable=False, default=3.0)
    side: Mapped[str | None] = mapped_column(String(10))
    chainage_m: Mapped[float | None] = mapped_column(Float)
    has_electricity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    accessible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cooking_allowed: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    #: Kept for vendors of this goods category while any of them is still to be placed.
    reserved_category: Mapped[str | None] = mapped_column(String(40))
    locked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    event: Mapped[Event | None] = relationship(back_populates="booths")
    zone: Mapped[Zone | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
