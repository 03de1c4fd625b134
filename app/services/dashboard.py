"""The Dinas dashboard's numbers: one city, one date range, six questions.

Every function reads; none writes. Dates are the city's (``timezone``): an event counts on its
day, a street report in the week (Monday to Sunday) of its local filing day, a desk visit on the
local day it was logged.

* occupancy per event: vendor booths, booths held (assigned or checked in), no-shows,
  cancellations, and booths given again from the waitlist (the offers
  :func:`app.services.allocation.release_and_offer` writes, known by their explanation's code);
* conflicts per event: the one conflict engine over each event's stored layout;
* street reports per week, by the zone colour the officer was told and by their status now;
* desk visits per service and outcome;
* vendors holding an NIB or a halal certificate over time: a vendor counts from the day the
  document was issued at a desk, or from their registration when they came with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, select
from sqlalchemy.orm import Session

from app.allocation.explain import OFFERED_FROM_WAITLIST
from app.models import Assignment, Booth, City, DeskVisit, Event, StreetReport, Vendor
from app.services.conflicts import event_conflicts
from app.services.errors import ServiceError

__all__ = [
    "MAX_RANGE_DAYS",
    "WAITLIST_CODE",
    "DateRange",
    "EventRow",
    "conflicts_per_event",
    "desk_outcomes",
    "documents_over_time",
    "events_in_range",
    "parse_range",
    "street_reports_per_week",
]

#: The longest range one page draws (about three years of Sundays).
MAX_RANGE_DAYS = 1100
#: How a booth given again from the waitlist is known (the code of the offer's explanation).
WAITLIST_CODE = OFFERED_FROM_WAITLIST.code


@dataclass(frozen=True)
class DateRange:
    """Both days included."""

    start: date
    end: date


def parse_range(raw_from: str | None, raw_to: str | None, *, today: date) -> DateRange:
    """The range from the page's ``from`` and ``to`` (default: 180 days back, 30 ahead)."""

    def day(raw: str | None, default: date, name_id: str, name_en: str) -> date:
        text = (raw or "").strip()
        if not text:
            return default
        try:
            return date.fromisoformat(text[:10])
        except ValueError as exc:
            raise ServiceError(
                f"Tanggal {name_id} tidak sah (TTTT-BB-HH).",
                f"The {name_en} date is not valid (YYYY-MM-DD).",
            ) from exc

    start = day(raw_from, today - timedelta(days=180), "awal", "start")
    end = day(raw_to, today + timedelta(days=30), "akhir", "end")
    if end < start:
        raise ServiceError(
            "Tanggal akhir harus sesudah tanggal awal.", "The end date must follow the start date."
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise ServiceError(
            f"Rentang paling panjang {MAX_RANGE_DAYS} hari.",
            f"The range may be at most {MAX_RANGE_DAYS} days.",
        )
    return DateRange(start, end)


@dataclass(frozen=True)
class EventRow:
    """One event's booths on its day."""

    event_id: int
    slug: str
    name: str
    on: date
    booths: int
    held: int
    no_shows: int
    cancelled: int
    from_waitlist: int


def events_in_range(session: Session, city: City, span: DateRange) -> list[EventRow]:
    """The city's events in the range, by date, with their booth counts."""
    booths = (
        select(func.count())
        .where(Booth.event_id == Event.id, Booth.kind == "vendor")
        .scalar_subquery()
    )

    def assignments(*where: Any) -> Any:
        return (
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.event_id == Event.id, *where)
            .scalar_subquery()
        )

    rows = session.execute(
        select(
            Event.id,
            Event.slug,
            Event.name,
            Event.date,
            booths,
            assignments(Assignment.status.in_(("assigned", "checked_in"))),
            assignments(Assignment.status == "no_show"),
            assignments(Assignment.status == "cancelled"),
            assignments(Assignment.explanation["code"].astext == WAITLIST_CODE),
        )
        .where(Event.city_id == city.id, Event.date.between(span.start, span.end))
        .order_by(Event.date, Event.id)
    ).all()
    return [EventRow(*(r[:4]), *(int(n or 0) for n in r[4:])) for r in rows]


def conflicts_per_event(session: Session, events: list[EventRow]) -> dict[int, Counter[str]]:
    """Per event id: conflicts by severity (``blocking``, ``warning``)."""
    out: dict[int, Counter[str]] = {}
    for row in events:
        event = session.get(Event, row.event_id)
        assert event is not None
        out[row.event_id] = Counter(c.severity for c in event_conflicts(session, event))
    return out


def _local_day(column: Any, timezone: str) -> Any:
    return cast(func.timezone(timezone, column), Date)


def street_reports_per_week(
    session: Session, city: City, span: DateRange, *, timezone: str
) -> tuple[list[date], Counter[tuple[date, str]], Counter[tuple[date, str]]]:
    """Mondays of the range's weeks, and report counts per (week, zone colour) and per
    (week, status); a report outside every zone has the colour ``none``."""
    day = _local_day(StreetReport.reported_at, timezone)
    week = cast(func.date_trunc("week", day), Date)
    where = and_(StreetReport.city_id == city.id, day.between(span.start, span.end))
    colour = func.coalesce(StreetReport.zone_colour, "none")
    by_colour = Counter(
        {
            (w, c): int(n)
            for w, c, n in session.execute(
                select(week, colour, func.count()).where(where).group_by(week, colour)
            )
        }
    )
    by_status = Counter(
        {
            (w, s): int(n)
            for w, s, n in session.execute(
                select(week, StreetReport.status, func.count())
                .where(where)
                .group_by(week, StreetReport.status)
            )
        }
    )
    first = span.start - timedelta(days=span.start.weekday())
    weeks = []
    monday = first
    while monday <= span.end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks, by_colour, by_status


def desk_outcomes(
    session: Session, city: City, span: DateRange, *, timezone: str
) -> Counter[tuple[str, str]]:
    """Logged desk visits per (service, outcome) in the range."""
    day = _local_day(DeskVisit.logged_at, timezone)
    rows = session.execute(
        select(DeskVisit.service, DeskVisit.outcome, func.count())
        .join(Event, Event.id == DeskVisit.event_id)
        .where(
            Event.city_id == city.id,
            DeskVisit.status == "selesai",
            day.between(span.start, span.end),
        )
        .group_by(DeskVisit.service, DeskVisit.outcome)
    ).all()
    return Counter({(s or "", o or ""): int(n) for s, o, n in rows})


def _points(span: DateRange) -> list[date]:
    """Month ends inside the range, and its last day."""
    out = []
    month = date(span.start.year, span.start.month, 1)
    while True:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        if end >= span.end:
            break
        if end >= span.start:
            out.append(end)
        month = nxt
    out.append(span.end)
    return out


def documents_over_time(
    session: Session, city: City, span: DateRange, *, timezone: str
) -> list[tuple[date, int, int]]:
    """(day, vendors with an NIB, vendors with a halal certificate) at each month end."""
    logged = _local_day(DeskVisit.logged_at, timezone)

    def issued(service: str) -> Any:
        return (
            select(func.min(logged))
            .where(
                DeskVisit.vendor_id == Vendor.id,
                DeskVisit.service == service,
                DeskVisit.outcome == "terbit",
            )
            .scalar_subquery()
        )

    joined = func.coalesce(Vendor.registered_on, _local_day(Vendor.created_at, timezone))
    # with a desk's issue date the vendor counts from then; otherwise from registration
    nib_since = case((Vendor.nib.is_(None), None), else_=func.coalesce(issued("nib"), joined))
    halal_since = case(
        (Vendor.halal_cert_no.is_(None), None), else_=func.coalesce(issued("halal"), joined)
    )
    rows = session.execute(
        select(nib_since, halal_since).where(Vendor.city_id == city.id, Vendor.active.is_(True))
    ).all()
    out = []
    for point in _points(span):
        out.append(
            (
                point,
                sum(1 for nib, _h in rows if nib is not None and nib <= point),
                sum(1 for _n, halal in rows if halal is not None and halal <= point),
            )
        )
    return out
