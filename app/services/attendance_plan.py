"""Who will attend an event, decided before allocation.

A vendor of the event's city attends when they said yes for this event (an
:class:`~app.models.AttendanceAnswer`, from ``/lapak`` or given by crew or a planner), or, when
they gave no answer for it, when they have standing attendance for the event's weekday (a
regular: every CFD Sunday) and no absence period covers the event's date. An explicit answer
always wins: a "no" overrides standing attendance, a "yes" overrides an absence period. Only
active vendors attend.

Vendors change their own answer until the event's registration deadline
(``event.registration_deadline``, or ``ATTENDANCE_DEADLINE_DAYS`` before the start when the
planner set none); crew and planners may answer on their behalf until the event is closed.
One transaction per write; every write is audited (:mod:`app.services.audit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Exists, and_, exists, select
from sqlalchemy.orm import Session

from app.models import (
    AttendanceAnswer,
    Event,
    StandingAttendance,
    Vendor,
    VendorAbsence,
)
from app.services.errors import NotFound, ServiceError

__all__ = [
    "ATTENDANCE_STATES",
    "AttendanceRow",
    "add_absence",
    "attendance_overview",
    "attending_vendor_ids",
    "deadline_passed",
    "registration_deadline",
    "remove_absence",
    "set_answer",
    "set_standing",
]

#: A vendor's state for one event, in the order the event page lists them: said yes, comes as a
#: regular, said no, away for a period, has not answered.
ATTENDANCE_STATES = ("registered", "standing", "declined", "absent", "unanswered")


def _absence_covers(on: date) -> Exists:
    return exists().where(
        VendorAbsence.vendor_id == Vendor.id,
        VendorAbsence.starts_on <= on,
        VendorAbsence.ends_on >= on,
    )


def attending_vendor_ids(session: Session, event: Event) -> set[int]:
    """The ids of the vendors who will attend ``event`` (see the module's rules). One query."""
    answer = select(AttendanceAnswer.attending).where(
        AttendanceAnswer.event_id == event.id, AttendanceAnswer.vendor_id == Vendor.id
    )
    standing = exists().where(
        StandingAttendance.vendor_id == Vendor.id,
        StandingAttendance.weekday == event.date.weekday(),
    )
    said_yes = answer.scalar_subquery().is_(True)
    no_answer = ~answer.exists()
    stmt = select(Vendor.id).where(
        Vendor.city_id == event.city_id,
        Vendor.active.is_(True),
        said_yes | and_(no_answer, standing, ~_absence_covers(event.date)),
    )
    return set(session.scalars(stmt))


def registration_deadline(event: Event, *, default_days: int, tz: tzinfo) -> datetime:
    """When vendors stop answering for ``event`` themselves.

    The planner's ``event.registration_deadline``, or ``default_days`` before the event's start
    in the city's time zone.
    """
    if event.registration_deadline is not None:
        return event.registration_deadline
    start = datetime.combine(event.date, event.start_time, tzinfo=tz)
    return start - timedelta(days=default_days)


def deadline_passed(event: Event, *, now: datetime, default_days: int, tz: tzinfo) -> bool:
    """Whether vendors may no longer change their answer for ``event`` themselves."""
    return now >= registration_deadline(event, default_days=default_days, tz=tz)


def set_answer(
    session: Session,
    event: Event,
    vendor: Vendor,
    *,
    attending: bool,
    source: str,
    user_id: int | None,
    now: datetime,
    default_days: int,
    tz: tzinfo,
) -> AttendanceAnswer:
    """Record ``vendor``'s yes or no for ``event``; replaces an earlier answer. Commits.

    ``source`` is ``"vendor"`` (refused after the registration deadline), ``"crew"`` or
    ``"planner"`` (until the event is closed).
    """
    if vendor.city_id != event.city_id or not vendor.active:
        raise NotFound("Pedagang tidak ditemukan.", "Vendor not found.")
    if event.status == "closed" or event.date < now.astimezone(tz).date():
        raise ServiceError(
            "Acara ini sudah lewat atau ditutup; kehadiran tidak dapat diubah.",
            "This event is over or closed; attendance can no longer be changed.",
        )
    if source == "vendor" and deadline_passed(event, now=now, default_days=default_days, tz=tz):
        raise ServiceError(
            "Batas waktu pendaftaran kehadiran sudah lewat. Hubungi petugas bila ada perubahan.",
            "The attendance registration deadline has passed. Please contact the crew about any "
            "change.",
        )
    answer = session.scalars(
        select(AttendanceAnswer)
        .where(AttendanceAnswer.event_id == event.id, AttendanceAnswer.vendor_id == vendor.id)
        .with_for_update()
    ).one_or_none()
    if answer is None:
        answer = AttendanceAnswer(event_id=event.id, vendor_id=vendor.id)
        session.add(answer)
    answer.attending = attending
    answer.source = source
    answer.user_id = user_id
    session.commit()
    return answer


def set_standing(
    session: Session, vendor: Vendor, *, weekday: int, on: bool, user_id: int | None
) -> None:
    """Turn ``vendor``'s standing attendance for ``weekday`` (0 Monday … 6 Sunday) on or off.

    Commits; setting what is already set changes nothing.
    """
    if not 0 <= weekday <= 6:
        raise ServiceError("Hari tidak dikenal.", "Unknown weekday.")
    row = session.scalars(
        select(StandingAttendance).where(
            StandingAttendance.vendor_id == vendor.id, StandingAttendance.weekday == weekday
        )
    ).one_or_none()
    if on and row is None:
        session.add(StandingAttendance(vendor_id=vendor.id, weekday=weekday, user_id=user_id))
    elif not on and row is not None:
        session.delete(row)
    session.commit()


def add_absence(
    session: Session,
    vendor: Vendor,
    *,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    user_id: int | None,
) -> VendorAbsence:
    """A period ``vendor`` is away (both days included). Commits."""
    if ends_on < starts_on:
        raise ServiceError(
            "Tanggal selesai tidak boleh sebelum tanggal mulai.",
            "The end date cannot be before the start date.",
        )
    absence = VendorAbsence(
        vendor_id=vendor.id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=(reason or "").strip()[:500] or None,
        user_id=user_id,
    )
    session.add(absence)
    session.commit()
    return absence


def remove_absence(session: Session, vendor: Vendor, absence_id: int) -> None:
    """Delete one of ``vendor``'s absence periods. Commits."""
    absence = session.get(VendorAbsence, absence_id)
    if absence is None or absence.vendor_id != vendor.id:
        raise NotFound("Masa absen tidak ditemukan.", "Absence period not found.")
    session.delete(absence)
    session.commit()


@dataclass(frozen=True)
class AttendanceRow:
    """One active vendor's attendance state for an event (see :data:`ATTENDANCE_STATES`)."""

    vendor_id: int
    business_name: str
    owner_name: str
    state: str
    source: str | None


def attendance_overview(session: Session, event: Event) -> list[AttendanceRow]:
    """Every active vendor of the event's city with their state, grouped by state then name."""
    answers = {
        a.vendor_id: a
        for a in session.scalars(
            select(AttendanceAnswer).where(AttendanceAnswer.event_id == event.id)
        )
    }
    standing = set(
        session.scalars(
            select(StandingAttendance.vendor_id).where(
                StandingAttendance.weekday == event.date.weekday()
            )
        )
    )
    absent = set(
        session.scalars(
            select(VendorAbsence.vendor_id).where(
                VendorAbsence.starts_on <= event.date, VendorAbsence.ends_on >= event.date
            )
        )
    )
    vendors: Iterable[Vendor] = session.scalars(
        select(Vendor)
        .where(Vendor.city_id == event.city_id, Vendor.active.is_(True))
        .order_by(Vendor.business_name, Vendor.id)
    )
    rows = []
    for vendor in vendors:
        answer = answers.get(vendor.id)
        if answer is not None:
            state = "registered" if answer.attending else "declined"
        elif vendor.id in absent:
            state = "absent"
        elif vendor.id in standing:
            state = "standing"
        else:
            state = "unanswered"
        rows.append(
            AttendanceRow(
                vendor.id,
                vendor.business_name,
                vendor.owner_name,
                state,
                answer.source if answer is not None else None,
            )
        )
    order = {s: i for i, s in enumerate(ATTENDANCE_STATES)}
    rows.sort(key=lambda r: order[r.state])
    return rows
