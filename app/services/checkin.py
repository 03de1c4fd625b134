"""Check-in on the event day: the crew marks each booth checked in or no-show, and after the
cut-off releases the no-shows' booths to the waitlist.

Two crew members may tap the same booth at the same moment. Each mark locks the assignment row
(``SELECT … FOR UPDATE``) and re-reads it, so the second waits for the first, then writes over it:
the last write wins, both are in the audit log, and the row version (kept for the planner's
edits) is always the current one when written, so no stale-version error can occur. A mark that
would put a vendor back on a booth already offered to someone else is refused with a clear
conflict instead of an integrity error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.models import HOLDING_STATUSES, Assignment, Booth, Event, Vendor
from app.services.allocation import release_vendor, waitlist_context
from app.services.errors import Conflict, NotFound, ServiceError

#: Statuses the crew can set: present, absent, or back to "not yet seen" (a mistaken tap).
MARKABLE = ("checked_in", "no_show", "assigned")


@dataclass(frozen=True)
class CheckinRow:
    """One booth on the crew's list: its current assignment."""

    assignment_id: int
    booth_code: str
    business_name: str
    owner_name: str
    status: str
    confirmed: bool
    booth_id: int = 0

    def matches(self, query: str) -> bool:
        """Search by booth code, business name or the vendor's name (case-insensitive).

        >>> row = CheckinRow(1, "A-012", "Es Teh Manis", "Ani Rahmawati", "assigned", False)
        >>> row.matches("teh"), row.matches("rahma"), row.matches("kopi")
        (True, True, False)
        """
        q = query.strip().casefold()
        return not q or any(
            q in text.casefold() for text in (self.booth_code, self.business_name, self.owner_name)
        )


@dataclass(frozen=True)
class MarkResult:
    """What a mark did: the assignment as now stored and whether its status changed."""

    assignment: Assignment
    previous: str
    changed: bool


@dataclass(frozen=True)
class Released:
    """A no-show's booth released after the cut-off, and who was offered it (or nobody)."""

    booth_code: str
    no_show_assignment_id: int
    offer: Assignment | None


def checkin_rows(session: Session, event: Event, *, query: str = "") -> list[CheckinRow]:
    """The current assignment of every booth (the holding one, else the latest), by booth code."""
    rank = func.row_number().over(
        partition_by=Assignment.booth_id,
        order_by=(Assignment.status.in_(HOLDING_STATUSES).desc(), Assignment.id.desc()),
    )
    ranked = (
        select(Assignment.id, rank.label("rank")).where(Assignment.event_id == event.id).subquery()
    )
    latest = select(ranked.c.id).where(ranked.c.rank == 1)
    rows = session.execute(
        select(
            Assignment.id,
            Booth.code,
            Vendor.business_name,
            Vendor.owner_name,
            Assignment.status,
            Assignment.confirmed_at,
            Booth.id,
        )
        .join(Booth, Booth.id == Assignment.booth_id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.id.in_(latest))
        .order_by(Booth.code)
    ).all()
    out = [
        CheckinRow(aid, code, business, owner, status, confirmed is not None, booth_id)
        for aid, code, business, owner, status, confirmed, booth_id in rows
    ]
    return [r for r in out if r.matches(query)] if query else out


@dataclass(frozen=True)
class MapBooth:
    """One booth of the event on the crew's map: its state and the vendor's stall name."""

    code: str
    state: str
    business_name: str
    geometry: dict[str, Any]


def checkin_map_booths(
    session: Session, event: Event, rows: list[CheckinRow] | None = None
) -> list[MapBooth]:
    """Every booth of the event with its check-in state (:data:`app.styles.CHECKIN_STYLES`).

    A booth with an assignment takes its current status (``rows``: :func:`checkin_rows`, read
    here when not given); a service desk is ``service_desk``; any other booth is ``free``.
    """
    if rows is None:
        rows = checkin_rows(session, event)
    by_booth = {r.booth_id: r for r in rows}
    shapes = session.execute(
        select(Booth.id, Booth.code, Booth.kind, func.ST_AsGeoJSON(Booth.geom, 7))
        .where(Booth.event_id == event.id)
        .order_by(Booth.code)
    ).all()
    out = []
    for booth_id, code, kind, geojson in shapes:
        row = by_booth.get(booth_id)
        if row is not None:
            state, name = row.status, row.business_name
        else:
            state, name = ("service_desk" if kind == "service_desk" else "free"), ""
        out.append(MapBooth(code, state, name, json.loads(geojson)))
    return out


def cutoff(event: Event, *, minutes: int, tz: str) -> datetime:
    """When the no-shows' booths may be released: ``minutes`` after the event starts."""
    start = datetime.combine(event.date, event.start_time, tzinfo=ZoneInfo(tz))
    return start + timedelta(minutes=minutes)


def _require_open(event: Event) -> None:
    if event.status != "published":
        raise ServiceError(
            "Check-in hanya untuk acara yang sudah diumumkan.",
            "Check-in is only for published events.",
        )


def mark(session: Session, event: Event, assignment_id: int, status: str) -> MarkResult:
    """Set an assignment's check-in status; last write wins. Commits.

    Raises
    ------
    NotFound
        No such assignment in this event.
    Conflict
        The vendor cancelled, or the booth was already given to someone else.
    """
    _require_open(event)
    if status not in MARKABLE:
        raise ServiceError("Status check-in tidak dikenal.", "Unknown check-in status.")
    assignment = session.scalars(
        select(Assignment)
        .where(Assignment.id == assignment_id, Assignment.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if assignment is None:
        raise NotFound("Penempatan tidak ditemukan.", "Assignment not found.")
    previous = assignment.status
    if previous == "cancelled":
        session.rollback()
        raise Conflict(
            "Pedagang ini sudah membatalkan; lapaknya sudah dilepas.",
            "This vendor cancelled; the booth was released.",
        )
    if previous == status:
        session.commit()
        return MarkResult(assignment, previous, False)
    try:
        with session.begin_nested():
            assignment.status = status
            session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "Lapak ini sudah diberikan ke pedagang lain dari daftar tunggu.",
            "This booth was already given to another vendor from the waitlist.",
        ) from exc
    session.commit()
    return MarkResult(assignment, previous, True)


def release_no_shows(
    session: Session, event: Event, *, now: datetime, cutoff_minutes: int, tz: str
) -> list[Released]:
    """After the cut-off, free every no-show's booths and offer them to the waitlist. Commits.

    A vendor on several booths is released whole (every booth they hold), unless one of their
    booths is checked in; the waitlist is offered the freed booths side by side
    (:func:`app.services.allocation.release_vendor`). Booths already given to a waitlisted
    vendor are skipped, so pressing the button twice is harmless; a booth nobody on the waitlist
    fits stays free (and is tried again next time).
    """
    _require_open(event)
    limit = cutoff(event, minutes=cutoff_minutes, tz=tz)
    if now < limit:
        raise ServiceError(
            f"Lapak yang tidak hadir baru dapat dilepas setelah pukul {limit:%H.%M}.",
            f"No-show booths can be released only after {limit:%H:%M}.",
        )
    # The same lock as allocation runs and vendor cancellations: one release at a time.
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    holder = aliased(Assignment)
    retaken = exists().where(
        holder.booth_id == Assignment.booth_id,
        holder.event_id == event.id,
        holder.status.in_(HOLDING_STATUSES),
    )
    no_shows = session.scalars(
        select(Assignment)
        .where(Assignment.event_id == event.id, Assignment.status == "no_show", ~retaken)
        .order_by(Assignment.vendor_id, Assignment.part, Assignment.id)
        .with_for_update(of=Assignment)
        .execution_options(populate_existing=True)
    ).all()
    # A vendor on several booths is one no-show: all their booths go, or none while any of
    # them is checked in (the vendor came; the crew sorts out the other mark).
    by_vendor: dict[int, list[Assignment]] = {}
    for a in no_shows:
        by_vendor.setdefault(a.vendor_id, []).append(a)
    present = set(
        session.scalars(
            select(Assignment.vendor_id).where(
                Assignment.event_id == event.id,
                Assignment.vendor_id.in_(by_vendor),
                Assignment.status == "checked_in",
            )
        )
    )
    released = []
    context = waitlist_context(session, event) if no_shows else None  # once, not per booth
    for vendor_id, group in by_vendor.items():
        if vendor_id in present:
            continue
        release = release_vendor(
            session, group[0], status="no_show", context=context, also=group[1:]
        )
        for a in release.released:
            released.append(Released(a.booth.code, a.id, release.offer_on(a.booth_id)))
    session.commit()
    return released
