"""Allocation of an event's booths to vendors: inputs from the database, one run per lock.

The engine (:mod:`app.allocation`) is pure; this service decides what the engine sees — sections,
booth desirability, neighbours, pins, returning vendors, blocked booths — and stores the result:
assignments with their explanations, and an :class:`AllocationRun` holding the seed, settings,
unplaced reasons and the waitlist order used for no-show releases on the day.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.allocation import AllocationResult, BoothIn, VendorIn, Weights, allocate
from app.allocation import next_from_waitlist as engine_next
from app.gis.crs import to_metric
from app.gis.rules import VENDOR_CATEGORIES
from app.models import AllocationRun, Assignment, Booth, Event, Vendor
from app.services.conflicts import booth_states, event_conflicts
from app.services.errors import ServiceError
from app.services.params import INT4_MAX, bounded_float, bounded_int

#: Booths are grouped in blocks of this length along the corridor for preferences and caps.
SECTION_LENGTH_M = 250.0
#: Booths beside the same row closer than this (centre to centre, metres) share a side wall.
NEIGHBOUR_SLACK_M = 0.6


def section_name(chainage_m: float | None) -> str:
    """Block letter for a distance along the corridor: A for 0–250 m, B for 250–500 m…

    >>> section_name(10.0), section_name(260.0), section_name(None)
    ('A', 'B', 'A')
    """
    i = int((chainage_m or 0.0) // SECTION_LENGTH_M)
    letters = string.ascii_uppercase
    return letters[i] if i < len(letters) else f"Z{i}"


@dataclass(frozen=True)
class AllocationSettings:
    """What the planner chose: seed, weights and category caps."""

    seed: int
    weights: Weights = field(default_factory=Weights)
    caps: Mapping[tuple[str | None, str], int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON form stored with the run."""
        return {
            "seed": self.seed,
            "weights": asdict(self.weights),
            "caps": [{"section": s, "category": c, "max": n} for (s, c), n in self.caps.items()],
        }


#: Bounds of what a planner may type (form or CLI). The seed is stored in an ``integer`` column;
#: a neighbour weight beyond ±100 would drown every other goal (they weigh about 1 each); a cap
#: is a count of booths.
SEED_MAX = INT4_MAX
NEIGHBOUR_WEIGHT_LIMIT = 100.0
CAP_MAX = 100_000


def parse_caps(items: Iterable[str]) -> dict[tuple[str | None, str], int]:
    """``makanan=45`` (whole event) or ``B:makanan=10`` (block B) → caps mapping.

    >>> parse_caps(["makanan=45", "B:minuman=10"])
    {(None, 'makanan'): 45, ('B', 'minuman'): 10}
    """
    caps: dict[tuple[str | None, str], int] = {}
    for raw in items:
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        section, _colon, category = key.strip().rpartition(":")
        category, section = category.strip(), section.strip()
        shown = item if len(item) <= 40 else item[:36] + "…"
        if not sep or not category or category not in VENDOR_CATEGORIES:
            raise ServiceError(
                f"Batas '{shown}' tidak sah: tulis KATEGORI=N atau BLOK:KATEGORI=N "
                f"(mis. makanan=45); kategori: {', '.join(VENDOR_CATEGORIES)}.",
                f"Cap '{shown}' is invalid: write CATEGORY=N or BLOCK:CATEGORY=N "
                f"(e.g. makanan=45); categories: {', '.join(VENDOR_CATEGORIES)}.",
            )
        caps[(section or None, category)] = bounded_int(
            value, field=f"cap {key.strip()[:40]}", minimum=0, maximum=CAP_MAX
        )
    return caps


def allocation_settings(
    *, seed: object, neighbour_weight: object = None, caps: Iterable[str] = ()
) -> AllocationSettings:
    """Settings from what a planner typed (form fields or CLI options), each value checked.

    ``nan``, ``inf``, negative seeds and numbers out of range are refused with the field named,
    before the engine or the database sees them.

    >>> allocation_settings(seed="2025", neighbour_weight="-0.5").weights.neighbour_same_category
    -0.5
    """
    return AllocationSettings(
        seed=bounded_int(seed, field="seed", minimum=0, maximum=SEED_MAX),
        caps=parse_caps(caps),
        weights=Weights(
            neighbour_same_category=bounded_float(
                neighbour_weight,
                field="neighbour_weight",
                minimum=-NEIGHBOUR_WEIGHT_LIMIT,
                maximum=NEIGHBOUR_WEIGHT_LIMIT,
                default=1.0,
            )
        ),
    )


@dataclass
class AllocationOutcome:
    """A stored (or dry-run) allocation, with names for the report."""

    result: AllocationResult
    run_id: int | None
    booths: dict[str, Booth]
    vendors: dict[int, Vendor]
    kept_pins: int

    def to_dict(self) -> dict[str, Any]:
        """Every placement with its explanation and every unplaced vendor with its reason."""
        data = self.result.to_dict()
        placements = cast("list[dict[str, Any]]", data["placements"])
        unplaced = cast("list[dict[str, Any]]", data["unplaced"])
        for p in placements:
            p["business_name"] = self.vendors[p["vendor_id"]].business_name
        for u in unplaced:
            u["business_name"] = self.vendors[u["vendor_id"]].business_name
        data["run_id"] = self.run_id
        data["kept_pins"] = self.kept_pins
        return data


def _lock_event(session: Session, event: Event) -> None:
    """Serialise allocations of one event: a second planner waits, then sees the first's result."""
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _booth_inputs(session: Session, event: Event) -> tuple[list[BoothIn], dict[str, Booth]]:
    booths = session.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "vendor").order_by(Booth.code)
    ).all()
    states = booth_states(event_conflicts(session, event))
    epsg = event.city.metric_epsg
    allowed: frozenset[str] | None = None
    for corridor in event.corridors:
        if corridor.allowed_categories:
            cats = frozenset(corridor.allowed_categories)
            allowed = cats if allowed is None else allowed | cats
    desks = session.scalars(
        select(Booth).where(Booth.event_id == event.id, Booth.kind == "service_desk")
    ).all()
    centres = (
        np.array([to_metric(to_shape(b.geom).centroid, epsg).coords[0] for b in booths])
        if booths
        else np.zeros((0, 2))
    )
    desk_xy = (
        np.array([to_metric(to_shape(d.geom).centroid, epsg).coords[0] for d in desks])
        if desks
        else np.zeros((0, 2))
    )
    quality = _quality(centres, desk_xy)
    neighbours = _neighbours(booths, centres)
    out = [
        BoothIn(
            b.code,
            section_name(b.chainage_m),
            allowed_categories=allowed,
            has_electricity=b.has_electricity,
            accessible=b.accessible,
            blocked=states.get(b.code) == "blocking",
            quality=float(quality[i]),
            neighbours=tuple(neighbours[i]),
        )
        for i, b in enumerate(booths)
    ]
    return out, {b.code: b for b in booths}


def _quality(centres: np.ndarray, desks: np.ndarray) -> np.ndarray:
    """Desirability 0..1: footfall is highest by the MikroDOTS desks and fades over ~600 m."""
    if len(centres) == 0:
        return np.zeros(0)
    if len(desks) == 0:
        return np.full(len(centres), 0.5)
    d = np.sqrt(((centres[:, None, :] - desks[None, :, :]) ** 2).sum(-1)).min(axis=1)
    quality: np.ndarray = np.round(np.clip(1.0 - d / 600.0, 0.05, 1.0), 3)
    return quality


def _neighbours(booths: Sequence[Booth], centres: np.ndarray) -> list[list[str]]:
    """Booths next to each other in the same row (same side, consecutive along the corridor)."""
    result: list[list[str]] = [[] for _ in booths]
    by_side: dict[str | None, list[int]] = {}
    for i, b in enumerate(booths):
        by_side.setdefault(b.side, []).append(i)
    for idx in by_side.values():
        idx.sort(key=lambda i: booths[i].chainage_m or 0.0)
        for here, after in zip(idx, idx[1:], strict=False):
            limit = max(booths[here].width_m, booths[after].width_m) + NEIGHBOUR_SLACK_M
            if float(np.hypot(*(centres[here] - centres[after]))) <= limit:
                result[here].append(booths[after].code)
                result[after].append(booths[here].code)
    return result


def _previous_event(session: Session, event: Event) -> Event | None:
    if event.copied_from_id:
        return session.get(Event, event.copied_from_id)
    return session.scalars(
        select(Event)
        .where(Event.city_id == event.city_id, Event.date < event.date)
        .order_by(Event.date.desc())
        .limit(1)
    ).one_or_none()


def _vendor_inputs(
    session: Session, event: Event, booth_quality: dict[str, float], pins: dict[int, str]
) -> tuple[list[VendorIn], dict[int, Vendor]]:
    vendors = session.scalars(
        select(Vendor)
        .where(Vendor.city_id == event.city_id, Vendor.active)
        .order_by(Vendor.registered_on.nulls_last(), Vendor.id)
    ).all()
    previous: dict[int, str] = {}
    prev_event = _previous_event(session, event)
    if prev_event is not None:
        rows = session.execute(
            select(Assignment.vendor_id, Booth.code)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(
                Assignment.event_id == prev_event.id,
                Assignment.status.in_(("assigned", "checked_in")),
            )
        ).all()
        previous = {vid: code for vid, code in rows}
    out = []
    for rank, v in enumerate(vendors):
        prev = previous.get(v.id)
        out.append(
            VendorIn(
                v.id,
                v.category,
                needs_electricity=v.needs_electricity,
                needs_accessibility=v.needs_accessibility,
                priority_rank=rank,
                previous_booth=prev,
                pinned_booth=pins.get(v.id),
                preferred_sections=tuple(v.preferred_sections or ()),
                last_quality=booth_quality.get(prev) if prev else None,
            )
        )
    return out, {v.id: v for v in vendors}


def run_allocation(
    session: Session,
    event: Event,
    settings: AllocationSettings,
    *,
    user_id: int | None = None,
    dry_run: bool = False,
) -> AllocationOutcome:
    """Allocate the event's vendor booths, keeping pinned assignments; one transaction."""
    if event.status == "closed":
        raise ServiceError(
            "Acara sudah ditutup; alokasi tidak dapat diubah.",
            "The event is closed; its allocation cannot change.",
        )
    if settings.seed < 0:
        raise ServiceError("Seed undian harus bilangan bulat ≥ 0.", "The seed must be ≥ 0.")
    _lock_event(session, event)
    current = session.scalars(
        select(Assignment).where(
            Assignment.event_id == event.id, Assignment.status.in_(("assigned", "checked_in"))
        )
    ).all()
    pins = {a.vendor_id: a.booth.code for a in current if a.pinned or a.status == "checked_in"}
    booth_in, booths = _booth_inputs(session, event)
    quality = {b.code: b.quality for b in booth_in}
    vendor_in, vendors = _vendor_inputs(session, event, quality, pins)
    result = allocate(
        vendor_in,
        booth_in,
        seed=settings.seed,
        weights=settings.weights,
        caps=dict(settings.caps) or None,
    )
    for a in current:
        if a.vendor_id not in pins:
            session.delete(a)
    session.flush()
    kept = {a.vendor_id for a in current if a.vendor_id in pins}
    for p in result.placements:
        if p.vendor_id in kept:
            continue
        session.add(
            Assignment(
                event=event,
                booth=booths[p.booth_code],
                vendor_id=p.vendor_id,
                status="assigned",
                explanation=p.explanation_id,
            )
        )
    session.flush()
    run = AllocationRun(
        event=event,
        seed=settings.seed,
        settings=settings.to_json(),
        result=result.to_dict(),
        user_id=user_id,
    )
    session.add(run)
    session.flush()
    outcome = AllocationOutcome(result, None if dry_run else run.id, booths, vendors, len(kept))
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return outcome


def latest_run(session: Session, event: Event) -> AllocationRun | None:
    """The allocation whose waitlist is in force for the event."""
    return session.scalars(
        select(AllocationRun)
        .where(AllocationRun.event_id == event.id)
        .order_by(AllocationRun.id.desc())
        .limit(1)
    ).one_or_none()


@dataclass(frozen=True)
class WaitlistContext:
    """What a release needs about the event, computed once: the waitlist, booths as the engine
    sees them (the conflict check is the costly part) and the waitlisted vendors."""

    waitlist: list[int]
    booths: dict[str, BoothIn]
    vendors: dict[int, VendorIn]


def waitlist_context(session: Session, event: Event) -> WaitlistContext | None:
    """The event's waitlist context, or ``None`` when it was never allocated."""
    run = latest_run(session, event)
    if run is None:
        return None
    waitlist = [int(v) for v in run.result.get("waitlist", [])]
    booth_in, _ = _booth_inputs(session, event)
    vendor_in, _vendors = _vendor_inputs(session, event, {}, {})
    return WaitlistContext(
        waitlist, {b.code: b for b in booth_in}, {v.id: v for v in vendor_in if v.id in waitlist}
    )


def release_and_offer(
    session: Session,
    assignment: Assignment,
    *,
    status: str,
    today: date | None = None,
    context: WaitlistContext | None = None,
) -> Assignment | None:
    """Free a booth (no-show, or the vendor cancelled) for the next eligible waitlisted vendor.

    Returns the new assignment, or ``None`` when nobody on the waitlist fits. The caller commits.
    Releasing many booths at once (the crew's cut-off) passes one :func:`waitlist_context`.
    """
    if status not in ("no_show", "cancelled"):
        raise ServiceError("Status pelepasan tidak dikenal.", "Unknown release status.")
    assignment.status = status
    session.flush()
    event = assignment.event
    if event is None:
        return None
    context = context or waitlist_context(session, event)
    if context is None:
        return None
    holding = set(
        session.scalars(
            select(Assignment.vendor_id).where(
                Assignment.event_id == event.id, Assignment.status.in_(("assigned", "checked_in"))
            )
        )
    )
    released = set(
        session.scalars(
            select(Assignment.vendor_id).where(
                Assignment.event_id == event.id, Assignment.status.in_(("no_show", "cancelled"))
            )
        )
    )
    free = context.booths.get(assignment.booth.code)
    if free is None:
        return None
    chosen = engine_next(context.waitlist, free, context.vendors, skip=holding | released)
    if chosen is None:
        return None
    offer = Assignment(
        event=event,
        booth=assignment.booth,
        vendor_id=chosen,
        status="assigned",
        explanation=(
            f"Ditawarkan dari daftar tunggu (posisi "
            f"{context.waitlist.index(chosen) + 1}) karena lapak dilepas."
        ),
    )
    session.add(offer)
    session.flush()
    return offer
