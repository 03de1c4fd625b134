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
import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.allocation import AllocationResult, BoothIn, VendorIn, Weights, allocate, offer_released
from app.allocation.explain import OFFERED_FROM_WAITLIST
from app.gis.adjacency import booth_adjacency
from app.gis.conflicts import facility_clearances_m
from app.gis.crs import to_metric, to_wgs84
from app.gis.rules import VENDOR_CATEGORIES
from app.kinds import FACILITY_KIND_REGISTRY
from app.messages import define, to_json
from app.models import (
    AllocationRun,
    Assignment,
    AttendanceAnswer,
    Booth,
    Event,
    Facility,
    StandingAttendance,
    Vendor,
)
from app.models.vendor import HOLDING_STATUSES
from app.services.attendance_plan import attending_vendor_ids
from app.services.audit import row_values
from app.services.cities import clearances_for
from app.services.conflicts import booth_states, event_conflicts
from app.services.errors import ServiceError
from app.services.history import record_step, stub
from app.services.params import INT4_MAX, bounded_float, bounded_int

#: Booths are grouped in blocks of this length along the corridor for preferences and caps.
SECTION_LENGTH_M = 250.0


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


def _booth_inputs(
    session: Session, event: Event, *, held: frozenset[str] = frozenset()
) -> tuple[list[BoothIn], dict[str, Booth]]:
    """The event's vendor booths as the engine sees them; ``held`` booths (a pinned vendor's
    further booths) are left out, so nobody else is given them."""
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
    footprints = [to_metric(to_shape(b.geom), epsg) for b in booths]
    centres = np.array([f.centroid.coords[0] for f in footprints]) if booths else np.zeros((0, 2))
    desk_xy = (
        np.array([to_metric(to_shape(d.geom).centroid, epsg).coords[0] for d in desks])
        if desks
        else np.zeros((0, 2))
    )
    quality = _quality(centres, desk_xy)
    neighbours = _neighbours(session, event, booths, footprints)
    out = [
        BoothIn(
            b.code,
            section_name(b.chainage_m),
            allowed_categories=allowed,
            has_electricity=b.has_electricity,
            accessible=b.accessible,
            cooking_allowed=b.cooking_allowed,
            reserved_category=b.reserved_category,
            blocked=states.get(b.code) == "blocking",
            quality=float(quality[i]),
            neighbours=tuple(neighbours[i]),
        )
        for i, b in enumerate(booths)
        if b.code not in held
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


def _neighbours(
    session: Session, event: Event, booths: Sequence[Booth], footprints: Sequence[Polygon]
) -> list[list[str]]:
    """Booths side by side (:func:`app.gis.adjacency.booth_adjacency`): same side of the street,
    consecutive by chainage, a gap of at most 0.6 m, and no crossing, obstacle or blocking
    facility's clearance area between them."""
    result: list[list[str]] = [[] for _ in booths]
    if len(booths) < 2:
        return result
    barriers = _barriers(session, event, footprints)
    pairs = booth_adjacency(
        footprints,
        [b.side for b in booths],
        order=[b.chainage_m for b in booths],
        barriers=barriers,
    )
    for i, j in pairs:
        result[i].append(booths[j].code)
        result[j].append(booths[i].code)
    return result


def booth_links(session: Session, event: Event, booths: Sequence[Booth]) -> dict[str, list[str]]:
    """Each of ``booths``' neighbours side by side (by code), by the same geometry rules as the
    allocation (:func:`_neighbours`). Pass whole rows: a booth left out breaks a run."""
    epsg = event.city.metric_epsg
    footprints = [to_metric(to_shape(b.geom), epsg) for b in booths]
    found = _neighbours(session, event, booths, footprints)
    return {b.code: found[i] for i, b in enumerate(booths)}


def _barriers(session: Session, event: Event, footprints: Sequence[Polygon]) -> list[BaseGeometry]:
    """Blocking facilities near the booths, grown by their clearance, in the metric CRS."""
    city = event.city
    epsg = city.metric_epsg
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(footprints, dtype=object))
    envelope = to_wgs84(shapely.box(minx - 50, miny - 50, maxx + 50, maxy + 50), epsg)
    blocking = [k.code for k in FACILITY_KIND_REGISTRY.values() if k.blocking]
    rows = session.scalars(
        select(Facility).where(
            Facility.city_id == city.id,
            Facility.kind.in_(blocking),
            func.ST_Intersects(Facility.geom, func.ST_GeomFromText(envelope.wkt, 4326)),
        )
    ).all()
    clearances = clearances_for(city)
    return [
        to_metric(to_shape(f.geom), epsg).buffer(
            facility_clearances_m([f.kind], clearances_m=clearances)[0]
        )
        for f in rows
    ]


def _previous_event(session: Session, event: Event) -> Event | None:
    if event.copied_from_id:
        return session.get(Event, event.copied_from_id)
    return session.scalars(
        select(Event)
        .where(Event.city_id == event.city_id, Event.date < event.date)
        .order_by(Event.date.desc())
        .limit(1)
    ).one_or_none()


def _fixed_holders(session: Session, event: Event) -> dict[int, list[str]]:
    """Vendors with a permanent permit valid on the event's date on a permanent booth (a PKL
    spot, e.g. Pasar Tengah) that the event's booth lies on: their booth codes in this event."""
    permit = aliased(Booth)
    rows = session.execute(
        select(Assignment.vendor_id, Booth.code)
        .join(permit, permit.id == Assignment.booth_id)
        .join(
            Booth,
            (Booth.event_id == event.id)
            & (Booth.kind == "vendor")
            & func.ST_Contains(permit.geom, func.ST_Centroid(Booth.geom)),
        )
        .where(
            Assignment.event_id.is_(None),
            Assignment.status.in_(HOLDING_STATUSES),
            Assignment.valid_from <= event.date,
            Assignment.valid_to.is_(None) | (Assignment.valid_to >= event.date),
        )
        .order_by(Assignment.vendor_id, Booth.code)
    ).all()
    fixed: dict[int, list[str]] = {}
    for vendor_id, code in rows:
        fixed.setdefault(vendor_id, []).append(code)
    return fixed


def attendance_taken(session: Session, event: Event) -> bool:
    """Whether attendance is taken for the event: someone answered for it, or a vendor of the
    city has standing attendance. Until then every active vendor is allocated, as before."""
    answered = select(AttendanceAnswer.id).where(AttendanceAnswer.event_id == event.id).exists()
    standing = (
        select(StandingAttendance.id)
        .join(Vendor, Vendor.id == StandingAttendance.vendor_id)
        .where(Vendor.city_id == event.city_id)
        .exists()
    )
    return bool(session.scalar(select(answered | standing)))


def _vendor_inputs(
    session: Session,
    event: Event,
    booth_quality: dict[str, float],
    pins: dict[int, str],
    *,
    attendance: bool = False,
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
                Assignment.part == 0,
            )
        ).all()
        previous = {vid: code for vid, code in rows}
    attending = attending_vendor_ids(session, event) if attendance else {v.id for v in vendors}
    fixed = _fixed_holders(session, event)
    # Seniority: earlier registration first; vendors registered on the same day share a rank and
    # the published draw orders them (not their id).
    ranks: dict[date | None, int] = {}
    for v in vendors:
        ranks.setdefault(v.registered_on, len(ranks))
    out = []
    for v in vendors:
        prev = previous.get(v.id)
        out.append(
            VendorIn(
                v.id,
                v.category,
                needs_electricity=v.needs_electricity,
                needs_accessibility=v.needs_accessibility,
                needs_cooking=v.needs_cooking,
                priority_rank=ranks[v.registered_on],
                previous_booth=prev,
                pinned_booth=pins.get(v.id),
                preferred_sections=tuple(v.preferred_sections or ()),
                preferred_booths=tuple(v.preferred_booths or ()),
                last_quality=booth_quality.get(prev) if prev else None,
                min_booths=v.min_booths,
                max_booths=v.max_booths,
                fixed_booths=tuple(fixed.get(v.id, ())) if v.id not in pins else (),
                attending=v.id in attending or v.id in pins,
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
    kept_rows = sorted(
        (a for a in current if a.pinned or a.status == "checked_in"),
        key=lambda a: (a.vendor_id, a.part, a.id),
    )
    pins: dict[int, str] = {}
    held: set[str] = set()
    for a in kept_rows:
        if a.vendor_id in pins:
            held.add(a.booth.code)  # a pinned vendor's further booths stay theirs
        else:
            pins[a.vendor_id] = a.booth.code
    booth_in, booths = _booth_inputs(session, event, held=frozenset(held))
    quality = {b.code: b.quality for b in booth_in}
    vendor_in, vendors = _vendor_inputs(
        session, event, quality, pins, attendance=attendance_taken(session, event)
    )
    result = allocate(
        vendor_in,
        booth_in,
        seed=settings.seed,
        weights=settings.weights,
        caps=dict(settings.caps) or None,
        grow_at_turn=event.city.grow_at_turn,
    )
    # the rows the run replaces, in full, for its undo (one step of the event's history)
    changes: list[dict[str, Any]] = []
    for a in current:
        if a.vendor_id not in pins:
            if not dry_run:
                changes.append({"entity": "assignment", "id": a.id, "before": row_values(a)})
            session.delete(a)
    session.flush()
    kept = {a.vendor_id for a in current if a.vendor_id in pins}
    made: list[Assignment] = []
    for p in result.placements:
        if p.vendor_id in kept:
            continue
        for part, code in enumerate(p.codes):
            made.append(
                Assignment(
                    event=event,
                    booth=booths[code],
                    vendor_id=p.vendor_id,
                    part=part,
                    status="assigned",
                    explanation=to_json(p.explanation),
                )
            )
    session.add_all(made)
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
        changes = [c | {"after": None} for c in changes]
        changes += [_made("assignment", a) for a in made] + [_made("allocation_run", run)]
        record_step(
            session,
            city_id=event.city_id,
            event_id=event.id,
            label=_RUN_STEP(seed=settings.seed, placed=len(result.placements)),
            changes=changes,
        )
        session.commit()
    return outcome


_RUN_STEP = define(
    "history.allocation",
    id="Alokasi (seed {seed}): {placed} pedagang ditempatkan",
    en="Allocation (seed {seed}): {placed} vendors placed",
)


def _made(entity: str, obj: Any) -> dict[str, Any]:
    """A row the step made: nothing before, and after its id and version."""
    return {"entity": entity, "id": obj.id, "before": None, "after": stub(obj)}


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
    sees them (the conflict check is the costly part), the waitlisted vendors and the caps of
    the allocation in force."""

    waitlist: list[int]
    booths: dict[str, BoothIn]
    vendors: dict[int, VendorIn]
    caps: dict[tuple[str | None, str], int] = field(default_factory=dict)


def _run_caps(run: AllocationRun) -> dict[tuple[str | None, str], int]:
    """The caps an allocation run was made with (as :meth:`AllocationSettings.to_json` wrote)."""
    caps: dict[tuple[str | None, str], int] = {}
    for item in (run.settings or {}).get("caps", []) or []:
        try:
            caps[(item.get("section"), str(item["category"]))] = int(item["max"])
        except (KeyError, TypeError, ValueError):
            continue  # an unreadable entry of an old run limits nothing
    return caps


def waitlist_context(session: Session, event: Event) -> WaitlistContext | None:
    """The event's waitlist context, or ``None`` when it was never allocated."""
    run = latest_run(session, event)
    if run is None:
        return None
    waitlist = [int(v) for v in run.result.get("waitlist", [])]
    booth_in, _ = _booth_inputs(session, event)
    vendor_in, _vendors = _vendor_inputs(session, event, {}, {})
    return WaitlistContext(
        waitlist,
        {b.code: b for b in booth_in},
        {v.id: v for v in vendor_in if v.id in waitlist},
        _run_caps(run),
    )


@dataclass(frozen=True)
class Release:
    """One vendor's booths released on the day and what the waitlist was offered.

    ``released`` are the vendor's assignments now no-show or cancelled (every booth they held
    in the event); ``offers`` the new assignments of waitlisted vendors, a vendor's booths side
    by side; ``passed_over`` the waitlisted vendors a freed booth suited but who could not get
    their minimum of adjacent booths (``min_not_available``) or hit a cap (``cap_reached``).
    """

    released: list[Assignment]
    offers: list[Assignment]
    passed_over: dict[int, str] = field(default_factory=dict)

    def offer_on(self, booth_id: int) -> Assignment | None:
        """The offer made on the booth ``booth_id``, if any."""
        return next((o for o in self.offers if o.booth_id == booth_id), None)


def release_vendor(
    session: Session,
    assignment: Assignment,
    *,
    status: str,
    context: WaitlistContext | None = None,
    also: Sequence[Assignment] = (),
) -> Release:
    """Free every booth the vendor of ``assignment`` holds in its event (a no-show, or the vendor
    cancelled) and offer them to the waitlist, each waitlisted vendor as many adjacent booths as
    their minimum (:func:`app.allocation.offer_released`). The caller commits.

    Releasing many vendors at once (the crew's cut-off) passes one :func:`waitlist_context`.
    ``also`` are more of the vendor's assignments already released whose booths nobody took yet
    (the crew marked several of the vendor's booths no-show); they are offered again too.
    """
    if status not in ("no_show", "cancelled"):
        raise ServiceError("Status pelepasan tidak dikenal.", "Unknown release status.")
    event = assignment.event
    siblings: list[Assignment] = [assignment, *(a for a in also if a is not assignment)]
    if event is not None:
        siblings += [
            a
            for a in session.scalars(
                select(Assignment)
                .where(
                    Assignment.event_id == event.id,
                    Assignment.vendor_id == assignment.vendor_id,
                    Assignment.status.in_(HOLDING_STATUSES),
                    Assignment.id.not_in([a.id for a in siblings]),
                )
                .order_by(Assignment.part, Assignment.id)
                .with_for_update()
            )
        ]
    for a in siblings:
        a.status = status
    session.flush()
    if event is None:
        return Release(siblings, [])
    context = context or waitlist_context(session, event)
    if context is None:
        return Release(siblings, [])
    rows = session.execute(
        select(Assignment.vendor_id, Assignment.status, Booth.code, Vendor.category)
        .join(Booth, Booth.id == Assignment.booth_id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.event_id == event.id)
    ).all()
    held = {code: (vid, cat) for vid, st, code, cat in rows if st in HOLDING_STATUSES}
    seen = {vid for vid, _st, _code, _cat in rows}  # holding, released or cancelled today
    free = {code: b for code, b in context.booths.items() if code not in held}
    placed = [
        (context.booths[code].section, cat) for code, (_v, cat) in held.items()
        if code in context.booths
    ]  # fmt: skip
    booths_by_code = {a.booth.code: a.booth for a in siblings}
    decided = offer_released(
        context.waitlist,
        [a.booth.code for a in siblings],
        free,
        context.vendors,
        caps=context.caps or None,
        placed=placed,
        skip=seen,
    )
    other_codes = {c for _vid, codes in decided.offers for c in codes} - set(booths_by_code)
    if other_codes:
        booths_by_code.update(
            {
                b.code: b
                for b in session.scalars(
                    select(Booth).where(Booth.event_id == event.id, Booth.code.in_(other_codes))
                )
            }
        )
    offers = []
    for vendor_id, codes in decided.offers:
        position = context.waitlist.index(vendor_id) + 1
        for part, code in enumerate(codes):
            offer = Assignment(
                event=event,
                booth=booths_by_code[code],
                vendor_id=vendor_id,
                part=part,
                status="assigned",
                explanation=to_json(OFFERED_FROM_WAITLIST(position=position)),
            )
            session.add(offer)
            offers.append(offer)
    session.flush()
    return Release(siblings, offers, dict(decided.passed_over))


def release_and_offer(
    session: Session,
    assignment: Assignment,
    *,
    status: str,
    today: date | None = None,
    context: WaitlistContext | None = None,
) -> Assignment | None:
    """Free the vendor's booths (:func:`release_vendor`) and return the offer made on the booth
    of ``assignment``, or ``None`` when nobody on the waitlist took it. The caller commits."""
    return release_vendor(session, assignment, status=status, context=context).offer_on(
        assignment.booth_id
    )
