"""Conflict reports for stored layouts: the one engine, fed from the database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from app.gis.conflicts import Conflict
from app.models import Booth, Event
from app.services.context import booth_shape, checker_for
from app.services.context_cache import ContextCache, event_checker

__all__ = ["booth_conflicts", "booth_states", "checker_for", "event_conflicts", "summary"]


def event_conflicts(
    session: Session, event: Event, *, cache: ContextCache | None = None
) -> list[Conflict]:
    """Every conflict of every booth of the event (from ``cache`` when it holds it warm)."""
    with event_checker(session, event, cache) as (checker, _epsg, booths):
        return checker.check_all() if booths else []


def booth_conflicts(
    session: Session, booth: Booth, *, cache: ContextCache | None = None
) -> list[Conflict]:
    """The conflicts of one booth (after an edit), checked against its event's ground.

    With a ``cache`` the event's ground stays in memory between saves: a save this session just
    committed is applied to it instead of reloading the event (same answer, see
    :mod:`app.services.context_cache`).
    """
    assert booth.event is not None
    with event_checker(session, booth.event, cache) as (checker, epsg, _booths):
        return checker.check_booth(booth_shape(booth, epsg))


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
