"""A vendor's history over the city's events: which booth, and whether they came.

For the vendor's page in the registry: a market manager decides on returning vendors, pins and
no-show warnings from this record. Read only; every event assignment of the vendor, newest event
first, with its booth and its status (placed, checked in, no-show, cancelled).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Assignment, Booth, Event, Vendor

__all__ = ["HistoryRow", "VendorHistory", "vendor_history"]


@dataclass(frozen=True)
class HistoryRow:
    """One event of the vendor's record."""

    event_slug: str
    event_name: str
    on: date
    booth_code: str
    status: str
    pinned: bool
    confirmed: bool
    past: bool


@dataclass(frozen=True)
class VendorHistory:
    """The record and its attendance over past events."""

    rows: list[HistoryRow]
    attended: int
    no_shows: int
    cancelled: int
    past_events: int

    @property
    def attendance_pct(self) -> int | None:
        """Checked-in share of the past events the vendor held a booth for (``None``: none yet).

        >>> VendorHistory([], attended=3, no_shows=1, cancelled=0, past_events=4).attendance_pct
        75
        """
        counted = self.attended + self.no_shows
        return round(100 * self.attended / counted) if counted else None


def vendor_history(session: Session, vendor: Vendor, *, today: date) -> VendorHistory:
    """Every event assignment of ``vendor`` with its booth, newest event first."""
    rows = [
        HistoryRow(
            event_slug=event.slug,
            event_name=event.name,
            on=event.date,
            booth_code=code,
            status=a.status,
            pinned=a.pinned,
            confirmed=a.confirmed_at is not None,
            past=event.date < today,
        )
        for a, code, event in session.execute(
            select(Assignment, Booth.code, Event)
            .join(Booth, Booth.id == Assignment.booth_id)
            .join(Event, Event.id == Assignment.event_id)
            .where(Assignment.vendor_id == vendor.id)
            .order_by(Event.date.desc(), Assignment.id.desc())
        ).all()
    ]
    past = Counter(r.status for r in rows if r.past)
    return VendorHistory(
        rows=rows,
        attended=past["checked_in"],
        no_shows=past["no_show"],
        cancelled=past["cancelled"],
        past_events=len({r.event_slug for r in rows if r.past}),
    )
