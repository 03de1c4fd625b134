"""Conflict reports for stored layouts: the one engine, fed from the database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from app.gis.conflicts import Conflict, ConflictChecker
from app.gis.shapes import BoothShape
from app.models import Booth, Event
from app.services.context import SiteContext, booth_shape, load_event


def checker_for(ctx: SiteContext) -> ConflictChecker:
    """A warm checker over the context's booths, facilities, rule zones and corridors."""
    return ConflictChecker(
        booths=ctx.booths,
        facilities=ctx.facilities,
        zones=ctx.zones,
        clearances_m=ctx.clearances_m,
        areas=ctx.areas,
        event_window=ctx.event_window,
    )


def event_conflicts(session: Session, event: Event) -> list[Conflict]:
    """Every conflict of every booth of the event."""
    ctx = load_event(session, event)
    if not ctx.booths:
        return []
    return checker_for(ctx).check_all()


def booth_conflicts(session: Session, booth: Booth) -> list[Conflict]:
    """The conflicts of one booth (after an edit), checked against its event's ground."""
    assert booth.event is not None
    ctx = load_event(session, booth.event)
    moved: BoothShape = booth_shape(booth, ctx.epsg)
    return checker_for(ctx).move_booth(moved)


def booth_states(conflicts: list[Conflict]) -> dict[str, str]:
    """Worst severity per booth code ("blocking" beats "warning"); missing codes are clear."""
    states: dict[str, str] = {}
    for c in conflicts:
        if states.get(c.booth_code) != "blocking":
            states[c.booth_code] = c.severity
    return states


def summary(conflicts: list[Conflict]) -> dict[str, Any]:
    """Counts by rule and severity, for the report header."""
    return {
        "total": len(conflicts),
        "booths": len({c.booth_code for c in conflicts}),
        "by_rule": dict(Counter(c.rule for c in conflicts)),
        "by_severity": dict(Counter(c.severity for c in conflicts)),
    }
