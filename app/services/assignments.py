"""Manual changes to an event's assignments: move a vendor, pin or unpin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.messages import Msg
from app.models import Assignment, Booth, Event
from app.services.audit import row_values
from app.services.errors import Conflict, NotFound, ServiceError
from app.services.history import MOVE, PIN, UNPIN, record_step


def _assignment(session: Session, event: Event, ident: int) -> Assignment:
    a = session.get(Assignment, ident)
    if a is None or a.event_id != event.id:
        raise NotFound("Penempatan tidak ditemukan.", "Assignment not found.")
    if event.status == "closed":
        raise ServiceError("Acara sudah ditutup.", "The event is closed.")
    return a


def move(
    session: Session, event: Event, ident: int, booth_code: str, *, pin: bool = True
) -> Assignment:
    """Move a vendor to a free vendor booth of the same event (pinned by default: a planner's
    decision should survive the next allocation run)."""
    a = _assignment(session, event, ident)
    booth = session.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.code == booth_code.strip().upper())
    ).first()
    if booth is None:
        raise NotFound(
            f"Lapak {booth_code} tidak ada di acara ini.",
            f"Booth {booth_code} is not in this event.",
        )
    if booth.kind != "vendor":
        raise ServiceError(
            f"Lapak {booth.code} bukan lapak pedagang.",
            f"Booth {booth.code} is not a vendor booth.",
        )
    for corridor in event.corridors:
        if corridor.allowed_categories and a.vendor.category not in corridor.allowed_categories:
            raise ServiceError(
                "Kategori pedagang tidak diizinkan di koridor ini.",
                "The vendor's category is not allowed in this corridor.",
            )
    before, old_code = row_values(a), a.booth.code
    a.booth = booth
    a.pinned = pin
    a.explanation = f"Dipindahkan perencana ke lapak {booth.code}."
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"Lapak {booth.code} sudah terisi.", f"Booth {booth.code} is taken."
        ) from exc
    _step(session, event, a, before, MOVE(old=old_code, new=booth.code))
    session.commit()
    return a


def set_pin(session: Session, event: Event, ident: int, pinned: bool) -> Assignment:
    """Pin (kept by every re-run) or unpin an assignment."""
    a = _assignment(session, event, ident)
    if a.pinned == pinned:
        return a
    before = row_values(a)
    a.pinned = pinned
    session.flush()
    _step(session, event, a, before, (PIN if pinned else UNPIN)(code=a.booth.code))
    session.commit()
    return a


def _step(
    session: Session, event: Event, a: Assignment, before: dict[str, Any], label: Msg
) -> None:
    """The change as a named step of the event's undo stack (same transaction)."""
    change = {"entity": "assignment", "id": a.id, "before": before, "after": row_values(a)}
    record_step(session, city_id=event.city_id, event_id=event.id, label=label, changes=[change])
