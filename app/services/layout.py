"""Booth layouts for events: generate with the engine, keep locked booths, store in one go."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gis import rules
from app.gis.crs import to_metric, to_wgs84
from app.gis.layout import LayoutResult, LayoutSpec, ReservedSlot, generate_layout
from app.gis.shapes import BoothShape, FacilityShape
from app.models import Booth, Event
from app.services.conflicts import checker_for, summary
from app.services.context import SiteContext, booth_shape, load_event
from app.services.errors import ServiceError

#: Locked booths are obstacles for the generator; new booths keep this far from them (metres).
LOCKED_BOOTH_CLEARANCE_M = 0.05
_LOCKED_KIND = "locked_booth"
_CODE = re.compile(r"^(?P<prefix>.+)-(?P<letter>[A-Z]?)(?P<num>\d+)$")


@dataclass(frozen=True)
class LayoutParams:
    """The planner's layout settings (metres), validated before anything is computed."""

    booth_width_m: float = rules.DEFAULT_BOOTH_WIDTH_M
    booth_depth_m: float = rules.DEFAULT_BOOTH_DEPTH_M
    gap_m: float = rules.DEFAULT_GAP_M
    break_m: float = rules.DEFAULT_BREAK_M
    break_every_m: float = rules.DEFAULT_BREAK_EVERY_M
    emergency_lane_m: float = rules.DEFAULT_EMERGENCY_LANE_M
    kerb_setback_m: float = rules.DEFAULT_KERB_SETBACK_M
    prefix: str = "AY"

    def validate(self) -> None:
        """Refuse sizes no street could take, with the field named."""
        limits = {
            "booth_width_m": (1.0, 10.0),
            "booth_depth_m": (1.0, 10.0),
            "gap_m": (0.0, 10.0),
            "break_m": (0.0, 30.0),
            "break_every_m": (6.0, 1000.0),
            "emergency_lane_m": (0.0, 20.0),
            "kerb_setback_m": (0.0, 5.0),
        }
        for name, (lo, hi) in limits.items():
            value = getattr(self, name)
            if not (lo <= value <= hi):
                raise ServiceError(
                    f"{name} harus antara {lo:g} dan {hi:g} m (diberikan {value:g}).",
                    f"{name} must be between {lo:g} and {hi:g} m (got {value:g}).",
                )
        if not re.fullmatch(r"[A-Z]{1,4}", self.prefix):
            raise ServiceError(
                "Awalan kode harus 1–4 huruf kapital (mis. AY).",
                "The code prefix must be 1–4 capital letters (e.g. AY).",
            )


@dataclass
class LayoutOutcome:
    """What a layout run did: the engine's report plus what happened to stored booths."""

    report: dict[str, Any]
    created: int
    kept_locked: int
    removed: int
    conflicts: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the API and the CLI."""
        return asdict(self)


@dataclass(frozen=True)
class DeskRequest:
    """A service desk to reserve near a point (EPSG:4326), e.g. MikroDOTS halal desk."""

    service: str
    label: str
    lon: float
    lat: float


def generate_event_layout(
    session: Session,
    event: Event,
    params: LayoutParams,
    desks: Sequence[DeskRequest] = (),
    *,
    dry_run: bool = False,
) -> LayoutOutcome:
    """Replace the event's unlocked booths by a fresh layout; locked booths stay as they are."""
    params.validate()
    if event.status == "closed":
        raise ServiceError(
            "Acara sudah ditutup; tata letaknya tidak dapat diubah.",
            "The event is closed; its layout cannot change.",
        )
    if not event.corridors:
        raise ServiceError("Acara belum punya koridor.", "The event has no corridor.")
    ctx = load_event(session, event)
    locked = [b for b in ctx.booths if b.properties.get("locked")]
    labels = {d.service: d.label for d in desks}
    desk_slots = [
        ReservedSlot(d.service, near=to_metric(Point(d.lon, d.lat), ctx.epsg)) for d in desks
    ]
    # Locked booths ask the generator to reserve the slot under them (same inputs, same slot:
    # codes stay put); a locked booth moved off the grid becomes an obstacle instead.
    keep_slots = {
        b.code: ReservedSlot(f"{_LOCKED_KIND}:{b.code}", kind="reserved", near=b.geometry.centroid)
        for b in locked
    }
    obstacles: list[FacilityShape] = []
    for _attempt in range(2):
        result = _run_generator(ctx, params, [*desk_slots, *keep_slots.values()], obstacles)
        matched, moved = _match_locked(result.booths, locked, keep_slots)
        if not moved:
            break
        for code in moved:
            del keep_slots[code]
        obstacles = [
            FacilityShape(f"booth:{b.code}", _LOCKED_KIND, b.geometry, b.code)
            for b in locked
            if b.code not in keep_slots
        ]
    generated = [b for b in result.booths if str(b.properties.get("label", "")) not in matched]
    taken = {b.code for b in locked}
    codes = _free_codes([b.code for b in generated], taken)
    unlocked = [row for row in ctx.booth_rows.values() if not row.locked]
    for row in unlocked:  # through the ORM, so that every removed booth is audited
        session.delete(row)
    session.flush()
    removed = len(unlocked)
    power = _power_points(ctx)
    for shape, code in zip(generated, codes, strict=True):
        props = shape.properties
        service = props.get("label") if shape.kind == "service_desk" else None
        session.add(
            Booth(
                event=event,
                code=code,
                kind=shape.kind,
                service=service if service in rules.SERVICE_DESK_KINDS else None,
                label=labels.get(str(service), None) if service else None,
                geom=from_shape(to_wgs84(shape.geometry, ctx.epsg), srid=4326),
                width_m=params.booth_width_m,
                depth_m=params.booth_depth_m,
                side=str(props.get("side")) if props.get("side") else None,
                chainage_m=float(cast(float, props["chainage_m"]))
                if "chainage_m" in props
                else None,
                locked=shape.kind == "service_desk",
                has_electricity=shape.kind == "service_desk" or _near(shape.geometry, power),
                # a CFD booth stands on the closed, level carriageway: reachable without steps
                accessible=True,
            )
        )
    session.flush()
    after = load_event(session, event)
    conflicts = checker_for(after).check_all() if after.booths else []
    outcome = LayoutOutcome(
        report=result.report.to_dict(),
        created=len(generated),
        kept_locked=len(locked),
        removed=removed,
        conflicts=summary(conflicts),
        params=asdict(params),
    )
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return outcome


#: Booths this close to a street-light pole can draw power from it (PLN temporary supply).
POWER_REACH_M = 15.0


def _power_points(ctx: SiteContext) -> list[Any]:
    return [f.geometry for f in ctx.facilities if f.kind == "pole"]


def _near(geometry: Any, points: list[Any]) -> bool:
    return any(geometry.distance(p) <= POWER_REACH_M for p in points)


def _run_generator(
    ctx: SiteContext,
    params: LayoutParams,
    slots: list[ReservedSlot],
    obstacles: list[FacilityShape],
) -> LayoutResult:
    clearances = dict(ctx.clearances_m)
    clearances[_LOCKED_KIND] = LOCKED_BOOTH_CLEARANCE_M
    return generate_layout(
        ctx.area if len(ctx.areas) > 1 else ctx.areas[0],
        facilities=[*ctx.facilities, *obstacles],
        clearances_m=clearances,
        spec=LayoutSpec(
            booth_width_m=params.booth_width_m,
            booth_depth_m=params.booth_depth_m,
            gap_m=params.gap_m,
            break_m=params.break_m,
            break_every_m=params.break_every_m,
            emergency_lane_m=params.emergency_lane_m,
            kerb_setback_m=params.kerb_setback_m,
            prefix=params.prefix,
        ),
        reserved_slots=slots,
    )


def _match_locked(
    booths: Sequence[BoothShape],
    locked: Sequence[BoothShape],
    slots: dict[str, ReservedSlot],
) -> tuple[set[str], list[str]]:
    """Which reserved slots sit under their locked booth (labels), and which booths moved away.

    A slot matches when it covers ≥ 90 % of the locked booth: the booth is then kept and the
    generated slot dropped.
    """
    by_label = {str(b.properties.get("label", "")): b for b in booths if b.kind == "reserved"}
    matched: set[str] = set()
    moved: list[str] = []
    for booth in locked:
        slot = slots.get(booth.code)
        if slot is None:
            continue
        generated = by_label.get(slot.label)
        if generated is not None and (
            generated.geometry.intersection(booth.geometry).area >= 0.9 * booth.geometry.area
        ):
            matched.add(slot.label)
        else:
            moved.append(booth.code)
    return matched, moved


def _free_codes(codes: list[str], taken: set[str]) -> list[str]:
    """Renumber generated codes in walking order, skipping numbers that locked booths hold.

    A locked booth usually stands where the previous run put it, so skipping its number keeps
    every other booth's code what it was before: vendors' printed codes stay true.

    >>> _free_codes(["AY-001", "AY-002", "AY-003", "AY-D01"], {"AY-002", "AY-D01"})
    ['AY-001', 'AY-003', 'AY-004', 'AY-D02']
    """
    out: list[str] = []
    counters: dict[tuple[str, str], int] = {}
    widths: dict[tuple[str, str], int] = {}
    for code in codes:
        m = _CODE.match(code)
        if m is None:
            out.append(code)
            continue
        key = (m["prefix"], m["letter"])
        widths.setdefault(key, len(m["num"]))
        n = counters.get(key, 0)
        while True:
            n += 1
            candidate = f"{key[0]}-{key[1]}{n:0{widths[key]}d}"
            if candidate not in taken:
                break
        counters[key] = n
        out.append(candidate)
    return out


def locked_codes(session: Session, event: Event) -> list[str]:
    """Codes of the event's locked booths (kept by every regeneration)."""
    return list(
        session.scalars(select(Booth.code).where(Booth.event_id == event.id, Booth.locked)).all()
    )


__all__ = [
    "DeskRequest",
    "LayoutOutcome",
    "LayoutParams",
    "booth_shape",
    "generate_event_layout",
    "locked_codes",
]
