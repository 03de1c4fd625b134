"""MikroDOTS desk visits: a vendor's place in a desk's queue on the day, and what the desk did."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.desk_services import DESK_OUTCOMES, DESK_SERVICES
from app.models.base import Base, Timestamped, in_list
from app.models.event import Booth, Event
from app.models.vendor import Vendor

#: A visit's status: waiting in the queue, called to the desk ("Berikutnya"), logged, or gone.
VISIT_STATUSES = ("menunggu", "dilayani", "selesai", "batal")


class DeskVisit(Timestamped, Base):
    """One vendor's visit to one service desk of an event: queue number, then the log.

    A visitor not in the registry is logged by name and phone (``vendor_id`` empty) and linked to
    their vendor record when they register.
    """

    __tablename__ = "desk_visit"
    __table_args__ = (
        CheckConstraint(in_list("status", VISIT_STATUSES), name="status"),
        CheckConstraint(
            "service IS NULL OR " + in_list("service", tuple(DESK_SERVICES)), name="service"
        ),
        CheckConstraint(
            "outcome IS NULL OR " + in_list("outcome", tuple(DESK_OUTCOMES)), name="outcome"
        ),
        CheckConstraint("vendor_id IS NOT NULL OR visitor_name IS NOT NULL", name="who"),
        CheckConstraint(
            "status <> 'selesai' OR (service IS NOT NULL AND outcome IS NOT NULL)",
            name="logged_has_outcome",
        ),
        CheckConstraint("follow_up_due IS NULL OR follow_up IS NOT NULL", name="due_has_follow_up"),
        UniqueConstraint("booth_id", "queue_no", name="uq_desk_visit_booth_queue_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: The service desk (a booth of the event with kind ``service_desk``).
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    queue_no: Mapped[int] = mapped_column(Integer, nullable=False)
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor.id", ondelete="SET NULL"), index=True
    )
    visitor_name: Mapped[str | None] = mapped_column(String(160))
    #: Normalised (``08…``): how an unregistered visitor is matched to a vendor later.
    visitor_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="menunggu")
    service: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    #: The number of the document an issued outcome wrote (an NIB, a halal certificate).
    document_no: Mapped[str | None] = mapped_column(String(60))
    document_expiry: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_due: Mapped[date | None] = mapped_column(Date, index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    logged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    event: Mapped[Event] = relationship()
    booth: Mapped[Booth] = relationship()
    vendor: Mapped[Vendor | None] = relationship()


__all__ = ["VISIT_STATUSES", "DeskVisit"]
