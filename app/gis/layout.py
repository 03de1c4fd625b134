"""Booth layouts along a closed street (Car Free Day) or a sidewalk vending strip.

A CFD street is closed to traffic for three hours; booths stand in rows along both kerbs, their
fronts facing the walkway, while a central emergency lane stays clear from end to end. Streets
bend, so the booths are rectangles turned to the street's direction at their own place along the
centreline, not cells of an axis-aligned grid (a grid clipped to a bent street loses most of the
kerb and leaves booths askew). Rows *slide* past facilities: each row is walked from the start of
the centreline and every booth goes to the earliest position where it is clear of every facility
by that facility's clearance, inside the corridor, out of the emergency lane and clear of its
neighbours.

How a row is filled
-------------------
1. The row's mid line is the centreline offset to the row's middle (``offset_curve``, so it follows
   the bends); positions along it are its own chainage.
2. Each facility's clearance zone (its geometry grown by the clearance, slightly circumscribed so it
   never under-reaches) is intersected with the row's band and projected onto the mid line; the
   union of these intervals is blocked. So are the parts of the line outside the corridor.
3. Booths are placed greedily in the free intervals, ``booth_width_m + gap_m`` apart. A run of
   booths spans at most ``break_every_m``; then a break of at least ``break_m`` follows. Any gap of
   ``break_m`` or more (a crossing, a bus stop) is a break already, and a shorter gap left by a
   facility is widened into the break when the next stretch would not fit in the current run.
4. Every candidate is checked exactly (the same predicates as :mod:`app.gis.conflicts`, with
   stricter tolerances): covered by the corridor, no area shared with the emergency lane or a
   neighbour, ``shapely.distance(booth, facility) >= clearance`` for every facility. A refused
   candidate slides forward until it passes.

Numbering
---------
Vendor booths are numbered in walking order: the left side first (left of the centreline's
direction; a derived centreline runs west to east, or south to north), from its start to its end,
row 0 (against the kerb) before rows nearer the centre, then the right side the same way:
``AY-001``, ``AY-002`` … (three digits, more when a layout has 1,000 booths or more). Reserved slots
are numbered apart, in the same walking order: service desks ``AY-D01``…, other reservations
``AY-R01``…; they do not shift vendor numbers between themselves but do take a position, so adding a
desk renumbers the vendor booths after it. Same inputs, same layout: the output is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from app.gis.bounds import MIN_BOOTH_DEPTH_M, polygonal, row_bound
from app.gis.bounds import area_bound as _area_bound
from app.gis.centreline import LineMeasure, derive_centreline, interpolate_xy
from app.gis.conflicts import facility_clearances_m
from app.gis.crs import refuse_degrees
from app.gis.shapes import BoothShape, FacilityShape

__all__ = [
    "LayoutReport",
    "LayoutResult",
    "ReservedSlot",
    "derive_centreline",
    "generate_layout",
    "row_bound",
]

Side = Literal["left", "right"]
Mode = Literal["corridor", "sidewalk"]

#: Shared area (m²) the generator tolerates between a booth and a neighbour or the lane; the
#: conflict engine tolerates 0.01 m², so generated layouts pass it with room to spare.
AREA_EPS_M2: Final = 1e-4
#: How far (m) a booth may stick out of the corridor in the generator's check. The conflict engine
#: allows 1 cm; 6 mm covers the rounding of EPSG:4326 coordinates stored with 7 decimals (up to
#: 5.6 mm at the equator), so a booth flush with a stored kerb is not refused for noise.
CONTAIN_TOL_M: Final = 0.006
#: Booths keep this much (m) off the kerb when the row has slack: drawn kerbs are rarely straight to
#: the millimetre (EPSG:4326 coordinates stored with 7 decimals move by up to 6 mm).
KERB_MARGIN_M: Final = 0.02
#: Step (m) by which a refused candidate slides forward when no better estimate is known.
SLIDE_STEP_M: Final = 0.05
#: Quarter-circle segments of clearance buffers; the buffer radius is enlarged so that the polygon
#: circumscribes the true circle instead of being inscribed in it.
_QUAD_SEGS: Final = 16
_CIRCUMSCRIBE: Final = 1.0 / math.cos(math.pi / (4 * _QUAD_SEGS))
_EPS: Final = 1e-9
#: How many preceding booths of the same row each candidate is checked against for overlap.
_NEIGHBOURS: Final = 3


@dataclass(frozen=True)
class ReservedSlot:
    """A booth position kept for a non-vendor use, such as a MikroDOTS service desk.

    Give either ``near`` (a point in the metric CRS: the booth nearest to it is reserved) or
    ``position_m`` (chainage along the centreline, with ``side`` when it matters).

    Examples
    --------
    >>> ReservedSlot("Halal", position_m=120.0, side="left").kind
    'service_desk'
    >>> ReservedSlot("OJK")
    Traceback (most recent call last):
    ...
    ValueError: reserved slot 'OJK' needs a point (near=) or a chainage (position_m=)
    """

    label: str
    kind: str = "service_desk"
    near: Point | None = None
    position_m: float | None = None
    side: Side | None = None

    def __post_init__(self) -> None:
        if self.near is None and self.position_m is None:
            raise ValueError(
                f"reserved slot {self.label!r} needs a point (near=) or a chainage (position_m=)"
            )
        if self.side not in (None, "left", "right"):
            raise ValueError(f"side must be 'left', 'right' or None, not {self.side!r}")


@dataclass(frozen=True)
class LayoutReport:
    """What the generator achieved, what bounded it, and why it fell short.

    ``placed`` counts every booth (vendors and reserved slots). ``area_bound`` is the loose bound
    ``floor(usable area / booth area)``; ``row_bound`` the tighter, independently computed bound of
    :func:`app.gis.bounds.row_bound`. ``rejected`` gives, per reason, the booth positions the rule
    cost: metres of row lost to it divided by ``booth_width_m + gap_m``, rounded (``break`` for
    breaks, ``clearance:<kind>`` per facility kind, ``outside_corridor``, ``emergency_lane`` or
    ``walkway``, ``overlap`` for bends). ``reasons`` are sentences, Indonesian then English.

    Examples
    --------
    >>> r = LayoutReport(placed=0, area_bound=0, row_bound=0, rejected={"break": 0},
    ...                  reasons=("Koridor kosong. / The corridor is empty.",),
    ...                  repaired_geometry=False)
    >>> r.to_dict()["reasons"]
    ['Koridor kosong. / The corridor is empty.']
    """

    placed: int
    area_bound: int
    row_bound: int
    rejected: Mapping[str, int]
    reasons: tuple[str, ...] = ()
    repaired_geometry: bool = False
    booth_depth_m: float | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain values for JSON (the API, the planner's layout panel, the benchmark)."""
        return {
            "placed": self.placed,
            "area_bound": self.area_bound,
            "row_bound": self.row_bound,
            "rejected": {k: self.rejected[k] for k in sorted(self.rejected)},
            "reasons": list(self.reasons),
            "repaired_geometry": self.repaired_geometry,
            "booth_depth_m": self.booth_depth_m,
        }


@dataclass(frozen=True)
class LayoutResult:
    """Booths in walking order, the emergency lane kept clear (corridor mode), and the report.

    In sidewalk mode ``emergency_lane`` is ``None`` and ``walkway`` is the strip kept clear for
    pedestrians (and the tactile guiding strip).
    """

    booths: tuple[BoothShape, ...]
    emergency_lane: Polygon | MultiPolygon | None
    report: LayoutReport
    walkway: Polygon | MultiPolygon | None = field(default=None)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def generate_layout(
    corridor: Polygon | MultiPolygon,
    *,
    facilities: Sequence[FacilityShape],
    clearances_m: Mapping[str, float],
    centreline: LineString | None = None,
    booth_width_m: float = 3.0,
    booth_depth_m: float = 3.0,
    gap_m: float = 0.0,
    break_m: float = 3.0,
    break_every_m: float = 60.0,
    emergency_lane_m: float = 4.3,
    kerb_setback_m: float = 0.0,
    prefix: str = "AY",
    reserved_slots: Sequence[ReservedSlot] = (),
    mode: Mode = "corridor",
    walkway_m: float = 2.0,
    kerb_side: Side = "left",
) -> LayoutResult:
    """Lay out booths along a closed street or a sidewalk vending strip.

    Parameters
    ----------
    corridor : Polygon or MultiPolygon
        The closed carriageway (``mode="corridor"``) or the vending strip (``mode="sidewalk"``),
        in a metric CRS. Invalid geometry is repaired with ``shapely.make_valid`` and reported.
    facilities : sequence of FacilityShape
        Hydrants, halte, crossings, intersections, trees… in the same CRS. Booths keep
        ``clearances_m[kind]`` from each (missing kinds use ``"other"``, then 0 m).
    clearances_m : mapping of str to float
        Clearance per facility kind, in metres (e.g. :data:`app.gis.rules.DEFAULT_CLEARANCES_M`).
    centreline : LineString, optional
        The street's centreline, in walking direction. Derived with :func:`derive_centreline`
        when omitted (then it runs west to east, or south to north).
    booth_width_m, booth_depth_m : float
        Booth footprint: width along the street, depth from kerb toward the centre.
    gap_m : float
        Space between neighbouring booths of a run (0: shared side walls).
    break_m, break_every_m : float
        A break of at least ``break_m`` after at most ``break_every_m`` of booths (0: no breaks).
    emergency_lane_m : float
        Width of the central lane kept clear (corridor mode).
    kerb_setback_m : float
        Space kept between the kerb and the back of the booths.
    prefix : str
        Corridor code at the start of every booth code (``AY-001``).
    reserved_slots : sequence of ReservedSlot
        Positions kept for service desks and other non-vendor uses; the placed booth nearest to
        each request is given to it.
    mode : {"corridor", "sidewalk"}
        ``"corridor"``: rows along both kerbs and a central emergency lane. ``"sidewalk"``: one
        row along the kerb edge (``kerb_side`` of the centreline) and a ``walkway_m`` strip kept
        clear along the other edge; booths shrink (down to 0.6 m) when the strip cannot hold both.
    walkway_m : float
        Clear walkway in sidewalk mode (Permen PUPR 03/2014 keeps the pedestrian way and the tactile
        guiding strip free).
    kerb_side : {"left", "right"}
        Sidewalk mode: which edge of the strip, seen along the centreline, is the kerb.

    Returns
    -------
    LayoutResult
        Booths (``properties``: ``side``, ``row``, ``chainage_m`` along the centreline,
        ``facing_deg`` grid bearing of the front, ``label`` for reserved slots), the emergency lane,
        and the report. An empty or too narrow corridor gives no booths and a reason, never an
        exception.

    Raises
    ------
    app.gis.crs.CRSError
        When the corridor, centreline, a facility or a reserved point is still in degrees.
    ValueError
        When a size is negative or not a number, or the mode is unknown.

    Examples
    --------
    A straight 120 m × 10.5 m street: one row of 3 m booths on each side of the 4.3 m lane, a
    3 m break after every 60 m of booths.

    >>> from shapely import box
    >>> street = box(500_000, 9_000_000, 500_120, 9_000_010.5)
    >>> result = generate_layout(street, facilities=[], clearances_m={})
    >>> result.report.placed, result.report.row_bound
    (78, 78)
    >>> [b.code for b in result.booths[:2]], result.booths[0].properties["side"]
    (['AY-001', 'AY-002'], 'left')
    >>> result.booths[-1].code, result.booths[-1].properties["side"]
    ('AY-078', 'right')

    Too narrow for the lane and a row of booths:

    >>> narrow = generate_layout(box(500_000, 9_000_000, 500_120, 9_000_008),
    ...                          facilities=[], clearances_m={})
    >>> narrow.report.placed, narrow.report.reasons[0][:24]
    (0, 'Koridor terlalu sempit: ')
    """
    _check_sizes(
        booth_width_m=booth_width_m,
        booth_depth_m=booth_depth_m,
        gap_m=gap_m,
        break_m=break_m,
        break_every_m=break_every_m,
        emergency_lane_m=emergency_lane_m,
        kerb_setback_m=kerb_setback_m,
        walkway_m=walkway_m,
    )
    if mode not in ("corridor", "sidewalk"):
        raise ValueError(f"mode must be 'corridor' or 'sidewalk', not {mode!r}")
    if kerb_side not in ("left", "right"):
        raise ValueError(f"kerb_side must be 'left' or 'right', not {kerb_side!r}")
    refuse_degrees(corridor, "corridor")
    if centreline is not None:
        refuse_degrees(centreline, "centreline")
    for f in facilities:
        refuse_degrees(f.geometry, f"facility {f.id}")
    for slot in reserved_slots:
        if slot.near is not None:
            refuse_degrees(slot.near, f"reserved slot {slot.label!r}")

    area, repaired = polygonal(corridor)
    reasons: list[str] = []
    lane_key = "emergency_lane" if mode == "corridor" else "walkway"

    def empty(
        *why: str, lane: Polygon | MultiPolygon | None = None, depth: float | None = None
    ) -> LayoutResult:
        loose = 0
        if not area.is_empty:
            loose = _area_bound(
                area, keep_clear=lane, booth_width_m=booth_width_m, booth_depth_m=booth_depth_m
            )
        report = LayoutReport(
            placed=0,
            area_bound=loose,
            row_bound=0,
            rejected=MappingProxyType({lane_key: 0}),
            reasons=tuple([*reasons, *why]),
            repaired_geometry=repaired,
            booth_depth_m=depth,
        )
        return LayoutResult(booths=(), emergency_lane=lane, report=report)

    if repaired:
        reasons.append(
            _say(
                "Geometri koridor tidak sah dan telah diperbaiki (make_valid).",
                "The corridor geometry was invalid and has been repaired (make_valid).",
            )
        )
    if area.is_empty or area.area <= 0:
        return empty(
            _say(
                "Koridor kosong: tidak ada poligon untuk ditata.",
                "The corridor is empty: there is no polygon to lay out.",
            )
        )
    line = centreline if centreline is not None else derive_centreline(area)
    if line.is_empty or line.length < booth_width_m:
        return empty(
            _say(
                f"Koridor terlalu pendek: garis tengah {_m(line.length, 'id')} m, "
                f"lapak selebar {_m(booth_width_m, 'id')} m tidak muat.",
                f"Corridor too short: its centreline is {_m(line.length, 'en')} m, "
                f"a {_m(booth_width_m, 'en')} m booth does not fit.",
            )
        )

    half_left, half_right = _half_widths(area, line)
    width = half_left + half_right
    plan = _plan_rows(
        half_left=half_left,
        half_right=half_right,
        booth_depth_m=booth_depth_m,
        emergency_lane_m=emergency_lane_m,
        kerb_setback_m=kerb_setback_m,
        mode=mode,
        walkway_m=walkway_m,
        kerb_side=kerb_side,
    )
    reasons.extend(plan.notes)
    keep_clear = _keep_clear_polygon(area, line, plan)
    if not plan.rows:
        if mode == "corridor":
            need = emergency_lane_m + 2 * (booth_depth_m + kerb_setback_m)
            why = _say(
                f"Koridor terlalu sempit: lebar {_m(width, 'id')} m tidak cukup untuk jalur "
                f"darurat {_m(emergency_lane_m, 'id')} m dan satu baris lapak sedalam "
                f"{_m(booth_depth_m, 'id')} m di kedua sisi (perlu {_m(need, 'id')} m).",
                f"Corridor too narrow: {_m(width, 'en')} m cannot hold the "
                f"{_m(emergency_lane_m, 'en')} m emergency lane and a row of "
                f"{_m(booth_depth_m, 'en')} m deep booths on each side "
                f"({_m(need, 'en')} m needed).",
            )
        else:
            need = walkway_m + MIN_BOOTH_DEPTH_M + kerb_setback_m
            why = _say(
                f"Lajur terlalu sempit: lebar {_m(width, 'id')} m tidak cukup untuk jalur pejalan "
                f"kaki {_m(walkway_m, 'id')} m dan lapak sedalam minimal "
                f"{_m(MIN_BOOTH_DEPTH_M, 'id')} m (perlu {_m(need, 'id')} m).",
                f"Strip too narrow: {_m(width, 'en')} m cannot hold the {_m(walkway_m, 'en')} m "
                f"walkway and booths at least {_m(MIN_BOOTH_DEPTH_M, 'en')} m deep "
                f"({_m(need, 'en')} m needed).",
            )
        lane = keep_clear if mode == "corridor" else None
        return empty(why, lane=lane)

    ctx = _Context.build(
        area=area,
        centreline=line,
        facilities=facilities,
        clearances_m=clearances_m,
        keep_clear=keep_clear,
        keep_clear_key=lane_key,
        booth_width_m=booth_width_m,
        booth_depth_m=plan.depth_m,
        gap_m=gap_m,
        break_m=break_m,
        break_every_m=break_every_m,
    )
    placed: list[_Placed] = []
    for row in plan.rows:
        placed.extend(_place_row(ctx, row, previous=placed))

    booths, slot_notes = _number(placed, line, prefix=prefix, reserved_slots=reserved_slots)
    reasons.extend(slot_notes)
    if not booths:
        reasons.append(
            _say(
                "Tidak ada lapak yang muat: semua posisi terhalang jarak aman fasilitas, jeda, "
                "atau batas koridor.",
                "No booth fits: every position is blocked by facility clearances, breaks or the "
                "corridor's edge.",
            )
        )
    pitch = booth_width_m + gap_m
    rejected = {k: int(round(v / pitch)) for k, v in sorted(ctx.lost_m.items())}
    rejected.setdefault(lane_key, 0)
    rejected.setdefault("break", 0)
    bound = row_bound(
        area,
        facilities=facilities,
        clearances_m=clearances_m,
        centreline=line,
        booth_width_m=booth_width_m,
        booth_depth_m=booth_depth_m,
        gap_m=gap_m,
        break_m=break_m,
        break_every_m=break_every_m,
        emergency_lane_m=emergency_lane_m,
        kerb_setback_m=kerb_setback_m,
        mode=mode,
        walkway_m=walkway_m,
        kerb_side=kerb_side,
    )
    report = LayoutReport(
        placed=len(booths),
        area_bound=_area_bound(
            area, keep_clear=keep_clear, booth_width_m=booth_width_m, booth_depth_m=plan.depth_m
        ),
        row_bound=bound,
        rejected=MappingProxyType(rejected),
        reasons=tuple(reasons),
        repaired_geometry=repaired,
        booth_depth_m=plan.depth_m,
    )
    return LayoutResult(
        booths=tuple(booths),
        emergency_lane=keep_clear if mode == "corridor" else None,
        report=report,
        walkway=keep_clear if mode == "sidewalk" else None,
    )


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def _check_sizes(**sizes_m: float) -> None:
    for name, value in sizes_m.items():
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number of metres ≥ 0, not {value!r}")
    for name in ("booth_width_m", "booth_depth_m"):
        if sizes_m[name] <= 0:
            raise ValueError(f"{name} must be greater than 0 m")


def _say(text_id: str, text_en: str) -> str:
    return f"{text_id} / {text_en}"


def _m(value: float, lang: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "id" else text


def _half_widths(area: Polygon | MultiPolygon, line: LineString) -> tuple[float, float]:
    """Median distance from the centreline to the kerb on its left and on its right.

    Rays are cast square to the centreline every few metres; the nearest boundary hit on each
    side is the local half-width. The median ignores side streets and the corridor's ends.
    """
    length = line.length
    step = min(5.0, max(length / 400.0, 0.5))
    along = np.arange(step / 2.0, length, step)
    if len(along) == 0:
        along = np.array([length / 2.0])
    before = interpolate_xy(line, along - 0.5)
    after = interpolate_xy(line, along + 0.5)
    centre = interpolate_xy(line, along)
    tangent = after - before
    norm = np.hypot(tangent[:, 0], tangent[:, 1])
    ok = norm > 1e-9
    centre, tangent, norm = centre[ok], tangent[ok], norm[ok]
    left = np.column_stack([-tangent[:, 1], tangent[:, 0]]) / norm[:, None]
    minx, miny, maxx, maxy = area.bounds
    reach = math.hypot(maxx - minx, maxy - miny) + 1.0
    inside = shapely.contains_xy(area, centre[:, 0], centre[:, 1])
    boundary = area.boundary
    shapely.prepare(boundary)
    result: list[float] = []
    for sign in (1.0, -1.0):
        ends = centre + sign * left * min(reach, 200.0)
        rays = shapely.linestrings(np.stack([centre, ends], axis=1))
        hits = shapely.intersection(rays, boundary)
        dist = shapely.distance(shapely.points(centre), hits)
        good = inside & np.isfinite(dist) & ~shapely.is_empty(hits)
        result.append(float(np.median(dist[good])) if good.any() else 0.0)
    return result[0], result[1]


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowPlan:
    side: Side
    index: int  # 0: against the kerb
    inner_m: float  # unsigned offset of the booth fronts from the centreline
    outer_m: float  # unsigned offset of the booth backs

    @property
    def sign(self) -> float:
        return 1.0 if self.side == "left" else -1.0


@dataclass(frozen=True)
class _Plan:
    rows: tuple[_RowPlan, ...]
    depth_m: float
    notes: tuple[str, ...]
    lane_m: tuple[float, float] | None  # signed offsets of the strip kept clear (lo, hi)


def _plan_rows(
    *,
    half_left: float,
    half_right: float,
    booth_depth_m: float,
    emergency_lane_m: float,
    kerb_setback_m: float,
    mode: Mode,
    walkway_m: float,
    kerb_side: Side,
) -> _Plan:
    """Decide the rows: how many fit on each side, at which offsets from the centreline."""
    if mode == "sidewalk":
        width = half_left + half_right
        kerb_half = half_left if kerb_side == "left" else half_right
        room = width - walkway_m - kerb_setback_m
        depth = min(booth_depth_m, math.floor(room * 100.0 + 1e-6) / 100.0)
        notes: list[str] = []
        if depth < MIN_BOOTH_DEPTH_M:
            return _Plan((), booth_depth_m, (), None)
        if depth < booth_depth_m:
            notes.append(
                _say(
                    f"Kedalaman lapak dikurangi menjadi {_m(depth, 'id')} m agar jalur pejalan "
                    f"kaki {_m(walkway_m, 'id')} m tetap bebas (lebar lajur "
                    f"{_m(width, 'id')} m).",
                    f"Booth depth reduced to {_m(depth, 'en')} m to keep the "
                    f"{_m(walkway_m, 'en')} m walkway clear (strip {_m(width, 'en')} m wide).",
                )
            )
        slack = room - depth
        outer = kerb_half - kerb_setback_m - min(KERB_MARGIN_M, slack / 2.0)
        row = _RowPlan(kerb_side, 0, outer - depth, outer)
        sign = row.sign
        far = -sign * (half_right if kerb_side == "left" else half_left)
        inner_signed = sign * row.inner_m
        lo, hi = sorted((far, inner_signed))
        return _Plan((row,), depth, tuple(notes), (lo, hi))

    rows: list[_RowPlan] = []
    half_lane = emergency_lane_m / 2.0
    for side, half in (("left", half_left), ("right", half_right)):
        space = half - kerb_setback_m - half_lane
        n = int(math.floor(space / booth_depth_m + 1e-9)) if space > 0 else 0
        if n <= 0:
            continue
        slack = max(0.0, space - n * booth_depth_m)
        outer = half - kerb_setback_m - min(KERB_MARGIN_M, slack / 2.0)
        for r in range(n):
            back = outer - r * booth_depth_m
            rows.append(_RowPlan(cast(Side, side), r, back - booth_depth_m, back))
    lane = (-half_lane, half_lane) if emergency_lane_m > 0 else None
    return _Plan(tuple(rows), booth_depth_m, (), lane)


def _keep_clear_polygon(
    area: Polygon | MultiPolygon, line: LineString, plan: _Plan
) -> Polygon | MultiPolygon | None:
    """The emergency lane (corridor mode) or walkway (sidewalk mode), clipped to the corridor.

    A corridor cut in parts (a ``MultiPolygon``) gets a lane in every part.
    """
    if plan.lane_m is None:
        return None
    lo, hi = plan.lane_m
    if hi - lo <= 0:
        return None
    mid = (lo + hi) / 2.0
    axis = line if abs(mid) < 1e-12 else shapely.offset_curve(line, mid, quad_segs=8)
    strip = shapely.buffer(axis, (hi - lo) / 2.0, cap_style="flat", quad_segs=8)
    clipped = shapely.intersection(strip, area)
    polys = [p for p in shapely.get_parts(clipped) if isinstance(p, Polygon) and p.area > 0]
    if not polys:
        return None
    merged = shapely.union_all(polys) if len(polys) > 1 else polys[0]
    if isinstance(merged, Polygon | MultiPolygon):
        return merged
    parts = [p for p in shapely.get_parts(merged) if isinstance(p, Polygon)]
    return MultiPolygon(parts) if parts else None


# --------------------------------------------------------------------------------------------
# Placement
# --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    """Everything the row filler needs, prepared once per layout."""

    area: Polygon | MultiPolygon
    cover: BaseGeometry
    centreline: LineString
    keep_clear: Polygon | MultiPolygon | None
    keep_clear_key: str
    fac_geoms: NDArray[np.object_]
    fac_kinds: tuple[str, ...]
    fac_clear: NDArray[np.float64]
    fac_tree: shapely.STRtree
    max_clear: float
    width: float
    depth: float
    gap: float
    break_m: float
    break_every_m: float
    lost_m: dict[str, float]

    @classmethod
    def build(
        cls,
        *,
        area: Polygon | MultiPolygon,
        centreline: LineString,
        facilities: Sequence[FacilityShape],
        clearances_m: Mapping[str, float],
        keep_clear: Polygon | MultiPolygon | None,
        keep_clear_key: str,
        booth_width_m: float,
        booth_depth_m: float,
        gap_m: float,
        break_m: float,
        break_every_m: float,
    ) -> _Context:
        clear_all = facility_clearances_m([f.kind for f in facilities], clearances_m=clearances_m)
        keep = [i for i, f in enumerate(facilities) if clear_all[i] > 0 and not f.geometry.is_empty]
        active = [facilities[i] for i in keep]
        geoms = np.empty(len(active), dtype=object)
        geoms[:] = [f.geometry for f in active]
        clear = clear_all[keep]
        cover = shapely.buffer(area, CONTAIN_TOL_M)
        shapely.prepare(cover)
        shapely.prepare(area)
        if keep_clear is not None:
            shapely.prepare(keep_clear)
        return cls(
            area=area,
            cover=cover,
            centreline=centreline,
            keep_clear=keep_clear,
            keep_clear_key=keep_clear_key,
            fac_geoms=geoms,
            fac_kinds=tuple(f.kind for f in active),
            fac_clear=clear,
            fac_tree=shapely.STRtree(geoms),
            max_clear=float(clear.max()) if len(clear) else 0.0,
            width=booth_width_m,
            depth=booth_depth_m,
            gap=gap_m,
            break_m=break_m,
            break_every_m=break_every_m,
            lost_m={},
        )

    @property
    def breaks(self) -> bool:
        return self.break_m > 0 and self.break_every_m > 0

    def lose(self, reason: str, metres: float) -> None:
        if metres > 0:
            self.lost_m[reason] = self.lost_m.get(reason, 0.0) + metres


@dataclass(frozen=True)
class _Placed:
    geometry: Polygon
    side: Side
    row: int
    facing_deg: float
    centre: tuple[float, float]


def _row_parts(ctx: _Context, row: _RowPlan) -> list[LineString]:
    """The row's mid line, in the centreline's direction, split where the offset breaks up."""
    offset = row.sign * (row.inner_m + row.outer_m) / 2.0
    mid = shapely.offset_curve(ctx.centreline, offset, quad_segs=8, join_style="round")
    parts = [p for p in shapely.get_parts(mid) if isinstance(p, LineString) and p.length > 0]
    keyed: list[tuple[float, LineString]] = []
    for p in parts:
        a = ctx.centreline.project(Point(p.coords[0]))
        b = ctx.centreline.project(Point(p.coords[-1]))
        if b < a:
            p, a = p.reverse(), b
        keyed.append((a, p))
    keyed.sort(key=lambda item: item[0])
    return [p for _, p in keyed]


def _inside_intervals(ctx: _Context, line: LineString) -> list[tuple[float, float]]:
    """Chainage intervals of ``line`` that lie inside the corridor."""
    length = line.length
    if ctx.area.contains(line):
        return [(0.0, length)]
    pieces = shapely.get_parts(shapely.intersection(line, ctx.area))
    spans: list[tuple[float, float]] = []
    for piece in pieces:
        if not isinstance(piece, LineString) or piece.length <= 0:
            continue
        a = line.project(Point(piece.coords[0]))
        b = line.project(Point(piece.coords[-1]))
        spans.append((min(a, b), max(a, b)))
    merged = _union(spans)
    ctx.lose("outside_corridor", length - sum(b - a for a, b in merged))
    return merged


def _blocked_intervals(ctx: _Context, line: LineString) -> list[tuple[float, float, str]]:
    """Chainage intervals of ``line`` where a booth would come too close to a facility."""
    if not len(ctx.fac_geoms):
        return []
    half = ctx.depth / 2.0
    reach = ctx.max_clear * _CIRCUMSCRIBE + half + 0.01
    idx = np.sort(cast("NDArray[np.intp]", ctx.fac_tree.query(line, "dwithin", reach)))
    if not len(idx):
        return []
    near = shapely.distance(ctx.fac_geoms[idx], line) < ctx.fac_clear[idx] * _CIRCUMSCRIBE + half
    idx = idx[near]
    if not len(idx):
        return []
    band = shapely.buffer(line, half + 0.005, cap_style="flat", quad_segs=8)
    zones = shapely.buffer(
        ctx.fac_geoms[idx], ctx.fac_clear[idx] * _CIRCUMSCRIBE + 0.001, quad_segs=_QUAD_SEGS
    )
    regions = shapely.intersection(zones, band)
    coords, which = shapely.get_coordinates(regions, return_index=True)
    if not len(coords):
        return []
    along = shapely.line_locate_point(line, shapely.points(coords))
    out: list[tuple[float, float, str]] = []
    for k in np.unique(which):
        sel = along[which == k]
        out.append((float(sel.min()), float(sel.max()), ctx.fac_kinds[int(idx[k])]))
    return out


def _union(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1] + 1e-9:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _subtract(
    spans: list[tuple[float, float]], cuts: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    cuts = _union(cuts)
    for a, b in spans:
        cur = a
        for c, d in cuts:
            if d <= cur or c >= b:
                continue
            if c > cur:
                out.append((cur, c))
            cur = max(cur, d)
        if cur < b:
            out.append((cur, b))
    return out


def _charge_blocked(
    ctx: _Context, inside: list[tuple[float, float]], blocked: list[tuple[float, float, str]]
) -> None:
    """Book the row length blocked by clearances to the facility kinds (first kind by name wins)."""
    if not blocked:
        return
    edges = sorted({x for a, b, _ in blocked for x in (a, b)})
    for lo, hi in zip(edges, edges[1:], strict=False):
        kinds = sorted(k for a, b, k in blocked if a <= lo and hi <= b)
        if not kinds:
            continue
        length = sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in inside)
        ctx.lose(f"clearance:{kinds[0]}", length)


@dataclass(frozen=True)
class _Checked:
    """Candidate booths and, per candidate, why it was refused ("" when it passed)."""

    geoms: list[Polygon]
    facing: NDArray[np.float64]
    centres: NDArray[np.float64]
    reasons: list[str]
    shortfall: NDArray[np.float64]  # metres missing to the nearest violated clearance


@dataclass
class _RunState:
    last_end: float | None = None
    run_start: float = 0.0
    recent: tuple[Polygon, ...] = ()  # the last few booths placed in this row


def _place_row(ctx: _Context, row: _RowPlan, *, previous: Sequence[_Placed]) -> list[_Placed]:
    """Fill one row greedily, sliding past whatever refuses a booth."""
    others = [p.geometry for p in previous]
    other_tree = shapely.STRtree(np.array(others, dtype=object)) if others else None
    out: list[_Placed] = []
    for line in _row_parts(ctx, row):
        if line.length < ctx.width:
            ctx.lose("outside_corridor", line.length)
            continue
        inside = _inside_intervals(ctx, line)
        blocked = _blocked_intervals(ctx, line)
        _charge_blocked(ctx, inside, blocked)
        free = _subtract(inside, [(a, b) for a, b, _ in blocked])
        # the blocked intervals are conservative (circumscribed clearance buffers); let the exact
        # check have the last millimetres on either side of them
        margin = ctx.max_clear * (_CIRCUMSCRIBE - 1.0) + 0.002
        edges = {x for pair in inside for x in pair}
        state = _RunState()
        filler = _RowFiller(ctx, row, line, other_tree, np.array(others, dtype=object))
        for a, b in free:
            a2 = a if a in edges else a - margin
            b2 = b if b in edges else b + margin
            if b2 - a2 < ctx.width - _EPS:
                continue
            out.extend(filler.fill(a2, b2, state))
    return out


#: Candidate positions checked together (vectorised); long rows take several batches.
_BATCH: Final = 256


class _RowFiller:
    """Places booths along one mid line; holds the line and the checks for its candidates."""

    def __init__(
        self,
        ctx: _Context,
        row: _RowPlan,
        line: LineString,
        other_tree: shapely.STRtree | None,
        others: NDArray[np.object_],
    ) -> None:
        self.ctx = ctx
        self.row = row
        self.line = line
        self.length = line.length
        self.other_tree = other_tree
        self.others = others
        self.measure = LineMeasure(line)

    # -- run rules ----------------------------------------------------------------------------

    def _start(
        self, s: float, last_end: float | None, run_start: float
    ) -> tuple[float, bool, float]:
        """Apply the gap and break rules to a candidate start.

        Returns the start, whether it opens a new run, and the metres a forced break cost.
        """
        ctx = self.ctx
        if last_end is None:
            return s, True, 0.0
        s = max(s, last_end + ctx.gap)
        if not ctx.breaks:
            return s, False, 0.0
        if s - last_end >= ctx.break_m - _EPS:
            return s, True, 0.0
        if s + ctx.width - run_start <= ctx.break_every_m + _EPS:
            return s, False, 0.0
        forced = last_end + ctx.break_m
        return forced, True, forced - s

    def fill(self, a: float, b: float, state: _RunState) -> list[_Placed]:
        ctx = self.ctx
        out: list[_Placed] = []
        cursor = a
        if (
            ctx.breaks
            and state.last_end is not None
            and a - state.last_end < ctx.break_m - _EPS
            and state.run_start + ctx.break_every_m < b - _EPS
        ):
            # the run cannot take this whole stretch: widen the short gap before it into a break
            forced = state.last_end + ctx.break_m
            ctx.lose("break", forced - max(a, state.last_end + ctx.gap))
            cursor = max(a, forced)
            state.run_start = cursor
            state.last_end = cursor - ctx.break_m  # the gap now counts as a break
        while True:
            starts, new_runs, costs = self._nominal(cursor, b, state)
            if not len(starts):
                return out
            checked = self._check(starts, state.recent)
            geoms, facing, centres, reasons = (
                checked.geoms,
                checked.facing,
                checked.centres,
                checked.reasons,
            )
            bad = [i for i, r in enumerate(reasons) if r]
            stop = bad[0] if bad else len(starts)
            for i in range(stop):
                ctx.lose("break", costs[i])
                if new_runs[i]:
                    state.run_start = float(starts[i])
                state.last_end = float(starts[i]) + ctx.width
                state.recent = (*state.recent[-(_NEIGHBOURS - 1) :], geoms[i])
                out.append(self._placed(geoms[i], facing[i], centres[i]))
            if not bad:
                if len(starts) < _BATCH:
                    return out
                # a full batch fitted: go on past it (the batch set last_end)
                cursor = float(starts[-1]) + ctx.width + ctx.gap
                continue
            slid = self._slide(
                float(starts[stop]), reasons[stop], float(checked.shortfall[stop]), b, state
            )
            if slid is None:
                return out
            cursor = slid

    def _nominal(
        self, cursor: float, b: float, state: _RunState
    ) -> tuple[NDArray[np.float64], list[bool], list[float]]:
        """Positions the row would take from ``cursor`` on if nothing refused them."""
        ctx = self.ctx
        starts: list[float] = []
        new_runs: list[bool] = []
        costs: list[float] = []
        last_end, run_start = state.last_end, state.run_start
        s = cursor
        while len(starts) < _BATCH:
            s, new_run, cost = self._start(s, last_end, run_start)
            if s + ctx.width > b + _EPS:
                break
            starts.append(s)
            new_runs.append(new_run)
            costs.append(cost)
            if new_run:
                run_start = s
            last_end = s + ctx.width
            s = last_end + ctx.gap
        return np.asarray(starts, dtype=float), new_runs, costs

    def _slide(
        self, s: float, reason: str, shortfall: float, b: float, state: _RunState
    ) -> float | None:
        """Move a refused candidate forward until it passes; None when the stretch runs out."""
        ctx = self.ctx
        origin = s
        step = max(shortfall, 0.001) if reason.startswith("clearance:") else SLIDE_STEP_M
        for _ in range(100_000):
            s, _, _ = self._start(s + step, state.last_end, state.run_start)
            if s + ctx.width > b + _EPS:
                ctx.lose(reason, b - origin)
                return None
            checked = self._check(np.array([s]), state.recent)
            if not checked.reasons[0]:
                ctx.lose(reason, s - origin)
                return s
            # a booth moving along the row gets at most as much farther from a facility as it
            # moves, so the shortfall is the smallest step that can clear it
            short = float(checked.shortfall[0])
            step = (
                max(short, 0.001) if checked.reasons[0].startswith("clearance:") else SLIDE_STEP_M
            )
        return None  # pragma: no cover - the loop always reaches ``b``

    # -- geometry and checks ------------------------------------------------------------------

    def _check(self, starts: NDArray[np.float64], recent: tuple[Polygon, ...]) -> _Checked:
        ctx = self.ctx
        w, d = ctx.width, ctx.depth
        p0 = self.measure.xy(starts)
        p1 = self.measure.xy(starts + w)
        centre = self.measure.xy(starts + w / 2.0)
        chord = p1 - p0
        chord_len = np.hypot(chord[:, 0], chord[:, 1])
        degenerate = chord_len < 0.5 * w
        t = chord / np.where(chord_len > 0, chord_len, 1.0)[:, None]
        normal_left = np.column_stack([-t[:, 1], t[:, 0]])
        front = -normal_left if self.row.side == "left" else normal_left
        hw, hd = (t * (w / 2.0)), (front * (d / 2.0))
        if self.row.side == "left":
            ring = [centre + hd - hw, centre + hd + hw, centre - hd + hw, centre - hd - hw]
        else:
            ring = [centre + hd + hw, centre + hd - hw, centre - hd - hw, centre - hd + hw]
        corners = np.stack(ring, axis=1)
        geoms_arr = shapely.polygons(corners)
        n = len(starts)
        reasons = ["" for _ in range(n)]

        outside = ~shapely.covers(ctx.cover, geoms_arr)
        lane_hit = np.zeros(n, dtype=bool)
        if ctx.keep_clear is not None:
            touch = shapely.intersects(ctx.keep_clear, geoms_arr)
            if touch.any():
                areas = shapely.area(shapely.intersection(geoms_arr[touch], ctx.keep_clear))
                lane_hit[np.flatnonzero(touch)[areas > AREA_EPS_M2]] = True
        clear_kind: dict[int, str] = {}
        clear_kind_index: dict[int, int] = {}
        shortfall = np.zeros(n, dtype=float)
        if len(ctx.fac_geoms):
            pairs = cast(
                "NDArray[np.intp]",
                ctx.fac_tree.query(geoms_arr, "dwithin", ctx.max_clear + 1e-6),
            )
            if pairs.shape[1]:
                qi, fi = pairs[0], pairs[1]
                dist = shapely.distance(geoms_arr[qi], ctx.fac_geoms[fi])
                too_close = dist < ctx.fac_clear[fi] + 1e-7
                np.maximum.at(
                    shortfall, qi[too_close], ctx.fac_clear[fi[too_close]] + 1e-6 - dist[too_close]
                )
                for q, f in zip(qi[too_close].tolist(), fi[too_close].tolist(), strict=True):
                    if q not in clear_kind or f < clear_kind_index[q]:
                        clear_kind[q] = ctx.fac_kinds[f]
                        clear_kind_index[q] = f
        # neighbours in the row: on a sharp bend a booth can reach past the one before it
        overlap = np.zeros(n, dtype=bool)
        chain = np.concatenate([np.array(recent, dtype=object), geoms_arr]) if recent else geoms_arr
        first = len(recent)
        for k in range(1, _NEIGHBOURS + 1):
            if len(chain) <= k:
                break
            shared = shapely.area(shapely.intersection(chain[k:], chain[:-k]))
            hit = np.flatnonzero(shared > AREA_EPS_M2) + k - first
            overlap[hit[hit >= 0]] = True
        if self.other_tree is not None:
            opairs = cast(
                "NDArray[np.intp]", self.other_tree.query(geoms_arr, predicate="intersects")
            )
            if opairs.shape[1]:
                shared = shapely.area(
                    shapely.intersection(geoms_arr[opairs[0]], self.others[opairs[1]])
                )
                overlap[opairs[0][shared > AREA_EPS_M2]] = True
        for i in range(n):
            if degenerate[i] or outside[i]:
                reasons[i] = "outside_corridor"
            elif lane_hit[i]:
                reasons[i] = ctx.keep_clear_key
            elif i in clear_kind:
                reasons[i] = f"clearance:{clear_kind[i]}"
            elif overlap[i]:
                reasons[i] = "overlap"
        facing = np.degrees(np.arctan2(front[:, 0], front[:, 1])) % 360.0
        return _Checked(list(geoms_arr), facing, centre, reasons, shortfall)

    def _placed(self, geom: Polygon, facing: float, centre: NDArray[np.float64]) -> _Placed:
        return _Placed(
            geometry=geom,
            side=self.row.side,
            row=self.row.index,
            facing_deg=float(facing),
            centre=(float(centre[0]), float(centre[1])),
        )


# --------------------------------------------------------------------------------------------
# Numbering and reserved slots
# --------------------------------------------------------------------------------------------


def _number(
    placed: Sequence[_Placed],
    centreline: LineString,
    *,
    prefix: str,
    reserved_slots: Sequence[ReservedSlot],
) -> tuple[list[BoothShape], list[str]]:
    """Give codes in walking order; hand the booths nearest to each request to reserved slots."""
    notes: list[str] = []
    if not placed:
        for slot in reserved_slots:
            notes.append(_unplaced(slot))
        return [], notes
    centres = np.array([p.centre for p in placed], dtype=float)
    chainage = shapely.line_locate_point(centreline, shapely.points(centres))
    taken: dict[int, ReservedSlot] = {}
    geoms = np.empty(len(placed), dtype=object)
    geoms[:] = [p.geometry for p in placed]
    for slot in reserved_slots:
        free = np.array(
            [
                i not in taken and (slot.side is None or placed[i].side == slot.side)
                for i in range(len(placed))
            ]
        )
        if not free.any():
            notes.append(_unplaced(slot))
            continue
        order = np.arange(len(placed))
        if slot.near is not None:
            gap = shapely.distance(geoms, slot.near)
            centre_gap = np.hypot(centres[:, 0] - slot.near.x, centres[:, 1] - slot.near.y)
            keys = np.lexsort((order, centre_gap, gap))
        else:
            position = float(cast(float, slot.position_m))
            keys = np.lexsort((order, np.abs(chainage - position)))
        pick = next(int(i) for i in keys if free[i])
        taken[pick] = slot

    width = max(3, len(str(len(placed) - len(taken))))
    counters: dict[str, int] = {}
    vendor = 0
    booths: list[BoothShape] = []
    for i, p in enumerate(placed):
        props: dict[str, object] = {
            "side": p.side,
            "row": p.row,
            "chainage_m": round(float(chainage[i]), 3),
            "facing_deg": round(p.facing_deg, 1),
        }
        reserved = taken.get(i)
        if reserved is None:
            vendor += 1
            code = f"{prefix}-{vendor:0{width}d}"
            kind = "vendor"
        else:
            letter = "D" if reserved.kind == "service_desk" else "R"
            counters[letter] = counters.get(letter, 0) + 1
            code = f"{prefix}-{letter}{counters[letter]:02d}"
            kind = reserved.kind
            props["label"] = reserved.label
        booths.append(BoothShape(code=code, geometry=p.geometry, kind=kind, properties=props))
    return booths, notes


def _unplaced(slot: ReservedSlot) -> str:
    return _say(
        f"Slot '{slot.label}' tidak dapat ditempatkan: "
        "tidak ada lapak tersisa di sisi yang diminta.",
        f"Slot '{slot.label}' could not be placed: no booth left on the requested side.",
    )
