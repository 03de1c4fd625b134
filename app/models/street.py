"""Street reports by enforcement officers (Satpol PP) and the steps each report went through."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Timestamped, in_list

#: What an officer found on the street.
REPORT_KINDS = ("stall", "cart", "tent")

#: A report's status, in the order of the flow: baru → ditinjau → ditertibkan or direlokasi →
#: selesai (see :data:`app.services.street_reports.NEXT_STATUSES`).
REPORT_STATUSES = ("baru", "ditinjau", "ditertibkan", "direlokasi", "selesai")


class StreetReport(Timestamped, Base):
    """Stalls, carts or tents an officer found at one spot, and what the office did about them."""

    __tablename__ = "street_report"
    __table_args__ = (
        CheckConstraint(in_list("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(in_list("status", REPORT_STATUSES), name="status"),
        CheckConstraint("count BETWEEN 1 AND 500", name="count"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint(
            "status <> 'direlokasi' OR relocation_zone_id IS NOT NULL", name="relocated_has_zone"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    note: Mapped[str | None] = mapped_column(Text)
    #: A file name under the instance folder's ``street_photos`` (never a web path).
    photo_path: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="baru")
    relocation_zone_id: Mapped[int | None] = mapped_column(
        ForeignKey("zone.id", ondelete="SET NULL")
    )
    #: Indexed: every deleted booth (thousands when a layout is regenerated) has PostgreSQL
    #: look its reports up to set this to NULL.
    relocation_booth_id: Mapped[int | None] = mapped_column(
        ForeignKey("booth.id", ondelete="SET NULL"), index=True
    )
    #: What the officer was told at filing: the zone's colour (green, yellow, red; none outside
    #: every zone) and the kinds of facilities closer than their clearance.
    zone_colour: Mapped[str | None] = mapped_column(String(10))
    facility_kinds: Mapped[list[str] | None] = mapped_column(ARRAY(String(30)))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    #: When the officer saw it (the device's clock is not trusted: the server's time of filing).
    reported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )

    steps: Mapped[list[StreetReportStep]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="StreetReportStep.id"
    )


class StreetReportStep(Base):
    """One step of a report's status flow: who moved it, when, to which status, and why."""

    __tablename__ = "street_report_step"
    __table_args__ = (CheckConstraint(in_list("status", REPORT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("street_report.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    report: Mapped[StreetReport] = relationship(back_populates="steps")
