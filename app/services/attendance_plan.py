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
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import Exists, and_, exists, select
from sqlalchemy.orm import Session

from app.models import (
    Assignment,
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
    "add_own_absence",
    "remove_own_absence",
    "OWN_ABSENCE_MAX_DAYS",
    "attendance_overview",
    "attending_vendor_ids",
    "deadline_passed",
    "registration_deadline",
    "remove_absence",
    "set_answer",
    "set_registration_deadline",
    "set_standing",
    "UpcomingAnswer",
    "absences_of",
    "answer_for_event",
    "standing_weekdays",
    "upcoming_for_vendor",
]

#: The weekday of CFD Sundays (Monday is 0), the standing attendance a vendor sets on /lapak.
SUNDAY = 6
#: How many coming events /lapak asks about.
UPCOMING_LIMIT = 4

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


def answer_for_event(
    session: Session,
    event_id: int,
    vendor: Vendor,
    *,
    attending: bool,
    now: datetime,
    default_days: int,
    tz: tzinfo,
) -> AttendanceAnswer:
    """The vendor's own answer from /lapak for the event ``event_id`` (see :func:`set_answer`)."""
    event = session.get(Event, event_id)
    if event is None or event.city_id != vendor.city_id:
        raise NotFound("Acara tidak ditemukan.", "Event not found.")
    return set_answer(
        session,
        event,
        vendor,
        attending=attending,
        source="vendor",
        user_id=None,
        now=now,
        default_days=default_days,
        tz=tz,
    )


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


#: The longest absence period a vendor enters themselves (longer ones go through the office).
OWN_ABSENCE_MAX_DAYS = 180


def _closed_events_in(
    session: Session,
    vendor: Vendor,
    starts_on: date,
    ends_on: date,
    *,
    now: datetime,
    default_days: int,
    tz: tzinfo,
) -> list[Event]:
    """The vendor's city's open events in the period whose registration deadline has passed:
    their attendance is settled, so the vendor may no longer change it through an absence."""
    events = session.scalars(
        select(Event)
        .where(
            Event.city_id == vendor.city_id,
            Event.status != "closed",
            Event.date >= starts_on,
            Event.date <= ends_on,
        )
        .order_by(Event.date, Event.id)
    ).all()
    return [e for e in events if deadline_passed(e, now=now, default_days=default_days, tz=tz)]


def _settled_error(event: Event) -> ServiceError:
    day = event.date.isoformat()
    return ServiceError(
        f"Masa ini mencakup {event.name} ({day}) yang batas pendaftarannya sudah lewat. "
        "Hubungi petugas bila ada perubahan.",
        f"This period covers {event.name} ({day}), whose registration deadline has passed. "
        "Please contact the crew about any change.",
    )


def add_own_absence(
    session: Session,
    vendor: Vendor,
    *,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    now: datetime,
    default_days: int,
    tz: tzinfo,
) -> VendorAbsence:
    """A regular enters a period they are away, on /lapak (both days included). Commits.

    Refused with the reason, nothing saved: for a vendor without standing attendance (there is
    nothing to be away from: they answer per event), an end before the start, a start in the
    past, a period longer than :data:`OWN_ABSENCE_MAX_DAYS`, one overlapping a period already
    entered, and one covering an event whose registration deadline has passed.
    """
    if not standing_weekdays(session, vendor.id):
        raise ServiceError(
            "Masa absen hanya untuk pedagang rutin. Jawab per acara di atas.",
            "Absence periods are for regulars only. Answer for each event above.",
        )
    today = now.astimezone(tz).date()
    if ends_on < starts_on:
        raise ServiceError(
            "Tanggal selesai tidak boleh sebelum tanggal mulai.",
            "The end date cannot be before the start date.",
        )
    if starts_on < today:
        raise ServiceError(
            f"Tanggal mulai tidak boleh sebelum hari ini ({today.isoformat()}).",
            f"The start date cannot be before today ({today.isoformat()}).",
        )
    days = (ends_on - starts_on).days + 1
    if days > OWN_ABSENCE_MAX_DAYS:
        raise ServiceError(
            f"Masa absen paling lama {OWN_ABSENCE_MAX_DAYS} hari (ini {days} hari). "
            "Untuk masa lebih lama, hubungi petugas.",
            f"An absence period is at most {OWN_ABSENCE_MAX_DAYS} days (this one is {days}). "
            "For a longer one, please contact the crew.",
        )
    overlap = session.scalars(
        select(VendorAbsence)
        .where(
            VendorAbsence.vendor_id == vendor.id,
            VendorAbsence.starts_on <= ends_on,
            VendorAbsence.ends_on >= starts_on,
        )
        .order_by(VendorAbsence.starts_on)
        .limit(1)
    ).first()
    if overlap is not None:
        span = f"{overlap.starts_on.isoformat()} – {overlap.ends_on.isoformat()}"
        raise ServiceError(
            f"Masa ini bertumpang tindih dengan masa absen {span} yang sudah tercatat.",
            f"This period overlaps the absence period {span} already entered.",
        )
    settled = _closed_events_in(
        session, vendor, starts_on, ends_on, now=now, default_days=default_days, tz=tz
    )
    if settled:
        raise _settled_error(settled[0])
    return add_absence(
        session, vendor, starts_on=starts_on, ends_on=ends_on, reason=reason, user_id=None
    )


def remove_own_absence(
    session: Session,
    vendor: Vendor,
    absence_id: int,
    *,
    now: datetime,
    default_days: int,
    tz: tzinfo,
) -> VendorAbsence:
    """A vendor takes back one of their absence periods on /lapak. Commits; returns the removed
    period. Refused (nothing removed) when it covers an event whose registration deadline has
    passed, or when it is not the vendor's."""
    absence = session.get(VendorAbsence, absence_id)
    if absence is None or absence.vendor_id != vendor.id:
        raise NotFound("Masa absen tidak ditemukan.", "Absence period not found.")
    today = now.astimezone(tz).date()
    settled = _closed_events_in(
        session,
        vendor,
        max(absence.starts_on, today),
        absence.ends_on,
        now=now,
        default_days=default_days,
        tz=tz,
    )
    if settled:
        raise _settled_error(settled[0])
    remove_absence(session, vendor, absence_id)
    return absence


def events_in_absence(
    session: Session, vendor: Vendor, absence: VendorAbsence, *, today: date
) -> list[Event]:
    """The coming events of the vendor's city in ``absence`` (what removing it changes)."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.city_id == vendor.city_id,
                Event.status != "closed",
                Event.date >= max(absence.starts_on, today),
                Event.date <= absence.ends_on,
            )
            .order_by(Event.date, Event.id)
        )
    )


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
        state = _state(
            answer.attending if answer is not None else None,
            standing=vendor.id in standing,
            absent=vendor.id in absent,
        )
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


def _state(answer: bool | None, *, standing: bool, absent: bool) -> str:
    if answer is not None:
        return "registered" if answer else "declined"
    if absent:
        return "absent"
    return "standing" if standing else "unanswered"


@dataclass(frozen=True)
class UpcomingAnswer:
    """A coming event as /lapak asks about it: the vendor's state and until when they may answer."""

    event_id: int
    event_name: str
    event_date: date
    start_time: time
    end_time: time
    state: str
    deadline: datetime
    can_change: bool

    @property
    def attending(self) -> bool:
        """Whether the vendor will attend as things stand."""
        return self.state in ("registered", "standing")


def standing_weekdays(session: Session, vendor_id: int) -> set[int]:
    """The weekdays ``vendor_id`` comes every week."""
    return set(
        session.scalars(
            select(StandingAttendance.weekday).where(StandingAttendance.vendor_id == vendor_id)
        )
    )


def absences_of(session: Session, vendor_id: int, *, today: date) -> list[VendorAbsence]:
    """``vendor_id``'s absence periods that have not ended before ``today``, in date order."""
    return list(
        session.scalars(
            select(VendorAbsence)
            .where(VendorAbsence.vendor_id == vendor_id, VendorAbsence.ends_on >= today)
            .order_by(VendorAbsence.starts_on, VendorAbsence.id)
        )
    )


def upcoming_for_vendor(
    session: Session,
    vendor: Vendor,
    *,
    now: datetime,
    default_days: int,
    tz: tzinfo,
    limit: int = UPCOMING_LIMIT,
) -> list[UpcomingAnswer]:
    """The next events of the vendor's city (not closed, no booking of theirs yet) with the
    vendor's state for each."""
    today = now.astimezone(tz).date()
    booked = exists().where(Assignment.event_id == Event.id, Assignment.vendor_id == vendor.id)
    events = session.scalars(
        select(Event)
        .where(
            Event.city_id == vendor.city_id,
            Event.status != "closed",
            Event.date >= today,
            ~booked,  # a booking has its own answers ("Saya hadir", "Tidak bisa hadir")
        )
        .order_by(Event.date, Event.start_time, Event.id)
        .limit(limit)
    ).all()
    if not events:
        return []
    answers = {
        a.event_id: a.attending
        for a in session.scalars(
            select(AttendanceAnswer).where(
                AttendanceAnswer.vendor_id == vendor.id,
                AttendanceAnswer.event_id.in_([e.id for e in events]),
            )
        )
    }
    weekdays = standing_weekdays(session, vendor.id)
    absences = absences_of(session, vendor.id, today=today)
    out = []
    for e in events:
        deadline = registration_deadline(e, default_days=default_days, tz=tz)
        out.append(
            UpcomingAnswer(
                event_id=e.id,
                event_name=e.name,
                event_date=e.date,
                start_time=e.start_time,
                end_time=e.end_time,
                state=_state(
                    answers.get(e.id),
                    standing=e.date.weekday() in weekdays,
                    absent=any(a.starts_on <= e.date <= a.ends_on for a in absences),
                ),
                deadline=deadline,
                can_change=now < deadline,
            )
        )
    return out


def set_registration_deadline(
    session: Session, event: Event, deadline: datetime | None, *, tz: tzinfo
) -> Event:
    """Set ``event``'s registration deadline (None: the default rule). Commits.

    The deadline may not be after the event's start.
    """
    if deadline is not None:
        start = datetime.combine(event.date, event.start_time, tzinfo=tz)
        if deadline > start:
            raise ServiceError(
                "Batas pendaftaran tidak boleh sesudah acara dimulai.",
                "The registration deadline cannot be after the event starts.",
            )
    event.registration_deadline = deadline
    session.commit()
    return event
