"""A vendor's two answers on "Cek Lapak Saya": they will come, or they cannot.

A vendor may confirm they will come (``confirmed_at``) or say they cannot; the latter releases
the booth to the next eligible vendor on the waitlist. The route wraps both in
``acting_as(None, f"vendor:{id}")`` so the audit log names the vendor. One transaction each.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, Assignment, Event, Vendor
from app.services.allocation import release_and_offer
from app.services.errors import Conflict, NotFound, ServiceError

__all__ = ["cancel_attendance", "confirm_attendance"]


def _own_assignment(
    session: Session, vendor: Vendor, assignment_id: int, *, today: date
) -> Assignment:
    """The vendor's assignment in a coming published event, locked for this transaction."""
    assignment = session.scalars(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    event = assignment.event if assignment is not None else None
    if (
        assignment is None
        or assignment.vendor_id != vendor.id
        or event is None
        or event.status != "published"
        or event.date < today
    ):
        raise NotFound("Lapak tidak ditemukan.", "Booth not found.")
    return assignment


def confirm_attendance(
    session: Session, vendor: Vendor, assignment_id: int, *, today: date, now: datetime
) -> Assignment:
    """Record "Saya hadir" (once; a second confirmation changes nothing). Commits."""
    assignment = _own_assignment(session, vendor, assignment_id, today=today)
    if assignment.status not in HOLDING_STATUSES:
        raise Conflict(
            "Lapak ini sudah dilepas; konfirmasi tidak dapat dicatat.",
            "This booth was released; the confirmation cannot be recorded.",
        )
    if assignment.confirmed_at is None:
        assignment.confirmed_at = now
    session.commit()
    return assignment


def cancel_attendance(
    session: Session, vendor: Vendor, assignment_id: int, *, today: date
) -> Assignment | None:
    """The vendor cannot come: release the booth and offer it to the waitlist. Commits.

    Returns the new assignment of the waitlisted vendor who was offered the booth, or None.
    """
    # Serialise with the crew's no-show release and other cancellations of this event, so a
    # booth is never offered twice (same lock as allocation runs).
    target = session.get(Assignment, assignment_id)
    if target is None or target.event_id is None:
        raise NotFound("Lapak tidak ditemukan.", "Booth not found.")
    session.execute(select(Event.id).where(Event.id == target.event_id).with_for_update())
    assignment = _own_assignment(session, vendor, assignment_id, today=today)
    if assignment.status == "checked_in":
        raise ServiceError(
            "Anda sudah tercatat hadir; hubungi petugas untuk membatalkan.",
            "You are already checked in; ask the crew to cancel.",
        )
    if assignment.status != "assigned":
        raise Conflict("Lapak ini sudah dilepas.", "This booth was already released.")
    # every booth the vendor holds in the event goes, each offered to the waitlist side by side
    offer = release_and_offer(session, assignment, status="cancelled", today=today)
    session.commit()
    return offer
