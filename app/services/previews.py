"""What a destructive action on an event would do, computed before the planner confirms it.

Regenerating a layout: how many vendors lose their booth and how many locked booths stay.
Re-allocating a published event: who moves where. Both read only; the action itself runs the
usual service afterwards, in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import HOLDING_STATUSES, Assignment, Booth, Event, Vendor
from app.services.allocation import AllocationSettings, run_allocation
from app.services.layout import LayoutParams, generate_event_layout


@dataclass(frozen=True)
class LayoutPreview:
    """A layout run computed and rolled back: what it would make and what it would cost."""

    created: int
    removed: int
    kept_locked: int
    vendors_losing_booth: int
    conflicts: int


def layout_preview(session: Session, event: Event, params: LayoutParams) -> LayoutPreview:
    """Vendors on unlocked booths lose them (their booths are replaced); locked booths stay."""
    losing = int(
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(
                Assignment.event_id == event.id,
                Assignment.status.in_(HOLDING_STATUSES),
                Booth.locked.is_(False),
            )
        )
        or 0
    )
    outcome = generate_event_layout(session, event, params, dry_run=True)
    return LayoutPreview(
        created=outcome.created,
        removed=outcome.removed,
        kept_locked=outcome.kept_locked,
        vendors_losing_booth=losing,
        conflicts=int(outcome.conflicts.get("total", 0)),
    )


@dataclass(frozen=True)
class Move:
    """One vendor whose booth a re-allocation changes (None: no booth)."""

    vendor_id: int
    business_name: str
    old: str | None
    new: str | None


def allocation_moves(session: Session, event: Event, settings: AllocationSettings) -> list[Move]:
    """Every vendor a re-allocation would move, place or leave without a booth, by name."""
    current = dict(
        session.execute(
            select(Assignment.vendor_id, Booth.code)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.event_id == event.id, Assignment.status.in_(HOLDING_STATUSES))
        ).all()
    )
    outcome = run_allocation(session, event, settings, dry_run=True)
    after = {p.vendor_id: p.booth_code for p in outcome.result.placements}
    ids = set(current) | set(after)
    names = dict(
        session.execute(select(Vendor.id, Vendor.business_name).where(Vendor.id.in_(ids))).all()
    )
    moves = [
        Move(v, names.get(v, "?"), current.get(v), after.get(v))
        for v in ids
        if current.get(v) != after.get(v)
    ]
    return sorted(moves, key=lambda m: (m.old or "~", m.new or "~", m.business_name))
