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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from shapely.geometry import LineString, MultiPolygon, Polygon

from app.gis.bounds import MIN_BOOTH_DEPTH_M, polygonal, row_bound
from app.gis.bounds import area_bound as _area_bound
from app.gis.centreline import derive_centreline
from app.gis.crs import refuse_degrees
from app.gis.layout_number import number_booths
from app.gis.layout_place import Placed, PlacementContext, place_row
from app.gis.layout_rows import half_widths, keep_clear_polygon, plan_rows
from app.gis.layout_spec import LayoutSpec, Mode, ReservedSlot, Side
from app.gis.shapes import BoothShape, FacilityShape
from app.messages import Msg, bilingual, define, render

__all__ = [
    "LayoutReport",
    "LayoutResult",
    "LayoutSpec",
    "Mode",
    "ReservedSlot",
    "Side",
    "derive_centreline",
    "PlacedLayout",
    "generate_layout",
    "place_layout",
    "row_bound",
]

DEFAULT_SPEC = LayoutSpec()

REPAIRED = define(
    "layout.repaired",
    id="Geometri koridor tidak sah dan telah diperbaiki (make_valid).",
    en="The corridor geometry was invalid and has been repaired (make_valid).",
)
EMPTY_CORRIDOR = define(
    "layout.empty",
    id="Koridor kosong: tidak ada poligon untuk ditata.",
    en="The corridor is empty: there is no polygon to lay out.",
)
TOO_SHORT = define(
    "layout.too_short",
    id="Koridor terlalu pendek: garis tengah {length:m} m, lapak selebar {width:m} m tidak muat.",
    en="Corridor too short: its centreline is {length:m} m, a {width:m} m booth does not fit.",
)
TOO_NARROW = define(
    "layout.too_narrow",
    id="Koridor terlalu sempit: lebar {width:m} m tidak cukup untuk jalur darurat {lane:m} m dan "
    "satu baris lapak sedalam {depth:m} m di kedua sisi (perlu {need:m} m).",
    en="Corridor too narrow: {width:m} m cannot hold the {lane:m} m emergency lane and a row of "
    "{depth:m} m deep booths on each side ({need:m} m needed).",
)
STRIP_TOO_NARROW = define(
    "layout.strip_too_narrow",
    id="Lajur terlalu sempit: lebar {width:m} m tidak cukup untuk jalur pejalan kaki {walkway:m} m "
    "dan lapak sedalam minimal {depth:m} m (perlu {need:m} m).",
    en="Strip too narrow: {width:m} m cannot hold the {walkway:m} m walkway and booths at least "
    "{depth:m} m deep ({need:m} m needed).",
)
NO_BOOTH_FITS = define(
    "layout.no_booth_fits",
    id="Tidak ada lapak yang muat: semua posisi terhalang jarak aman fasilitas, jeda, atau batas "
    "koridor.",
    en="No booth fits: every position is blocked by facility clearances, breaks or the "
    "corridor's edge.",
)


@dataclass(frozen=True)
class LayoutReport:
    """What the generator achieved, what bounded it, and why it fell short.

    ``placed`` counts every booth (vendors and reserved slots). ``area_bound`` is the loose bound
    ``floor(usable area / booth area)``; ``row_bound`` the tighter, independently computed bound of
    :func:`app.gis.bounds.row_bound`. ``rejected`` gives, per reason, the booth positions the rule
    cost: metres of row lost to it divided by ``booth_width_m + gap_m``, rounded (``break`` for
    breaks, ``clearance:<kind>`` per facility kind, ``outside_corridor``, ``emergency_lane`` or
    ``walkway``, ``overlap`` for bends). ``reasons`` are :class:`app.messages.Msg` values,
    rendered in the reader's language by :meth:`to_dict` (both languages when none is given).

    Examples
    --------
    >>> r = LayoutReport(placed=0, area_bound=0, row_bound=0, rejected={"break": 0},
    ...                  reasons=(EMPTY_CORRIDOR(),), repaired_geometry=False)
    >>> r.to_dict("en")["reasons"]
    ['The corridor is empty: there is no polygon to lay out.']
    >>> for text in r.to_dict()["reasons"][0].split(" / "):
    ...     print(text)
    Koridor kosong: tidak ada poligon untuk ditata.
    The corridor is empty: there is no polygon to lay out.
    """

    placed: int
    area_bound: int
    row_bound: int
    rejected: Mapping[str, int]
    reasons: tuple[Msg, ...] = ()
    repaired_geometry: bool = False
    booth_depth_m: float | None = None
    safety_margin_m: float = 0.0

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        """Plain values for JSON (the API, the planner's layout panel, the benchmark).

        ``reasons`` are rendered in ``lang``; with no language, in both ("… / …").
        """
        return {
            "placed": self.placed,
            "area_bound": self.area_bound,
            "row_bound": self.row_bound,
            "rejected": {k: self.rejected[k] for k in sorted(self.rejected)},
            "reasons": [bilingual(m) if lang is None else render(m, lang) for m in self.reasons],
            "repaired_geometry": self.repaired_geometry,
            "booth_depth_m": self.booth_depth_m,
            "safety_margin_m": self.safety_margin_m,
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


def generate_layout(
    corridor: Polygon | MultiPolygon,
    *,
    facilities: Sequence[FacilityShape],
    clearances_m: Mapping[str, float],
    centreline: LineString | None = None,
    spec: LayoutSpec = DEFAULT_SPEC,
    reserved_slots: Sequence[ReservedSlot] = (),
) -> LayoutResult:
    """Lay out booths along a closed street or a sidewalk vending strip.

    Three phases: plan the rows (:func:`app.gis.layout_rows.plan_rows`), place booths along each
    row (:func:`app.gis.layout_place.place_row`), number them in walking order and hand out the
    reserved slots (:func:`app.gis.layout_number.number_booths`).

    Parameters
    ----------
    corridor : Polygon or MultiPolygon
        The closed carriageway (``spec.mode="corridor"``) or the vending strip
        (``spec.mode="sidewalk"``), in a metric CRS. Invalid geometry is repaired with
        ``shapely.make_valid`` and reported.
    facilities : sequence of FacilityShape
        Hydrants, halte, crossings, intersections, trees… in the same CRS. Booths keep
        ``clearances_m[kind]`` from each (missing kinds use ``"other"``, then 0 m).
    clearances_m : mapping of str to float
        Clearance per facility kind, in metres (e.g. :data:`app.gis.rules.DEFAULT_CLEARANCES_M`).
    centreline : LineString, optional
        The street's centreline, in walking direction. Derived with :func:`derive_centreline`
        when omitted (then it runs west to east, or south to north).
    spec : LayoutSpec
        Booth sizes, gaps and breaks, the lane or walkway kept clear, the code prefix and the
        mode (see :class:`app.gis.layout_spec.LayoutSpec`; sizes are validated when it is made).
    reserved_slots : sequence of ReservedSlot
        Positions kept for service desks and other non-vendor uses; the placed booth nearest to
        each request is given to it.

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
    >>> narrow.report.placed, narrow.report.reasons[0].code
    (0, 'layout.too_narrow')
    >>> narrow.report.reasons[0].render("en")[:44]
    'Corridor too narrow: 8 m cannot hold the 4.3'
    >>> narrow.report.reasons[0].render("id")[:44]
    'Koridor terlalu sempit: lebar 8 m tidak cuku'

    Other settings come in a :class:`LayoutSpec`:

    >>> wide = generate_layout(street, facilities=[], clearances_m={},
    ...                        spec=LayoutSpec(break_m=0.0, prefix="PT"))
    >>> wide.report.placed, wide.booths[0].code
    (80, 'PT-001')
    """
    return place_layout(
        corridor,
        facilities=facilities,
        clearances_m=clearances_m,
        centreline=centreline,
        spec=spec,
        reserved_slots=reserved_slots,
    ).finish()


@dataclass(frozen=True)
class PlacedLayout:
    """A layout's booths, placed and numbered, before its report is complete.

    :func:`generate_layout` is :func:`place_layout` then :meth:`finish`. Most of the time goes
    into the report's row bound (the most booths each row could hold), which the booths do not
    depend on: a caller can store the booths while :meth:`finish` measures the bound.
    """

    booths: tuple[BoothShape, ...]
    _finish: Callable[[], LayoutResult] = field(repr=False)

    def finish(self) -> LayoutResult:
        """The whole result: these booths, the lane kept clear and the report with its bounds."""
        return self._finish()


def place_layout(
    corridor: Polygon | MultiPolygon,
    *,
    facilities: Sequence[FacilityShape],
    clearances_m: Mapping[str, float],
    centreline: LineString | None = None,
    spec: LayoutSpec = DEFAULT_SPEC,
    reserved_slots: Sequence[ReservedSlot] = (),
) -> PlacedLayout:
    """The first part of :func:`generate_layout` (same parameters): rows placed and numbered.

    The report (row bound, area bound, what was rejected) is computed by
    :meth:`PlacedLayout.finish`; the booths are final here.
    """
    refuse_degrees(corridor, "corridor")
    if centreline is not None:
        refuse_degrees(centreline, "centreline")
    for f in facilities:
        refuse_degrees(f.geometry, f"facility {f.id}")
    for slot in reserved_slots:
        if slot.near is not None:
            refuse_degrees(slot.near, f"reserved slot {slot.label!r}")

    area, repaired = polygonal(corridor)
    reasons: list[Msg] = []
    if repaired:
        reasons.append(REPAIRED())

    def empty(*why: Msg, lane: Polygon | MultiPolygon | None = None) -> LayoutResult:
        return _empty_result(area, spec, [*reasons, *why], repaired=repaired, lane=lane)

    if area.is_empty or area.area <= 0:
        return _ready(empty(EMPTY_CORRIDOR()))
    line = centreline if centreline is not None else derive_centreline(area)
    if line.is_empty or line.length < spec.booth_width_m:
        return _ready(empty(TOO_SHORT(length=line.length, width=spec.booth_width_m)))

    half_left, half_right = half_widths(area, line)
    plan = plan_rows(half_left=half_left, half_right=half_right, spec=spec)
    reasons.extend(plan.notes)
    keep_clear = keep_clear_polygon(area, line, plan)
    if not plan.rows:
        lane = keep_clear if spec.mode == "corridor" else None
        return _ready(empty(_too_narrow(half_left + half_right, spec), lane=lane))

    ctx = PlacementContext.build(
        area=area,
        centreline=line,
        facilities=facilities,
        clearances_m=clearances_m,
        keep_clear=keep_clear,
        spec=spec,
        booth_depth_m=plan.depth_m,
    )
    placed: list[Placed] = []
    for row in plan.rows:
        placed.extend(place_row(ctx, row, previous=placed))

    booths, slot_notes = number_booths(
        placed, line, prefix=spec.prefix, reserved_slots=reserved_slots
    )
    reasons.extend(slot_notes)
    if not booths:
        reasons.append(NO_BOOTH_FITS())
    numbered = tuple(booths)

    def finish() -> LayoutResult:
        rejected = {k: int(round(v / spec.pitch_m)) for k, v in sorted(ctx.lost_m.items())}
        rejected.setdefault(spec.keep_clear_key, 0)
        rejected.setdefault("break", 0)
        margin = spec.safety_margin_m  # the bound keeps the same hard limits: clearances + margin
        bound = row_bound(
            area,
            facilities=facilities,
            clearances_m={k: v + margin if v > 0 else v for k, v in clearances_m.items()},
            centreline=line,
            booth_width_m=spec.booth_width_m,
            booth_depth_m=spec.booth_depth_m,
            gap_m=spec.gap_m,
            break_m=spec.break_m,
            break_every_m=spec.break_every_m,
            emergency_lane_m=spec.emergency_lane_m,
            kerb_setback_m=spec.kerb_setback_m,
            mode=spec.mode,
            walkway_m=spec.walkway_m,
            kerb_side=spec.kerb_side,
        )
        report = LayoutReport(
            placed=len(numbered),
            area_bound=_area_bound(
                area,
                keep_clear=keep_clear,
                booth_width_m=spec.booth_width_m,
                booth_depth_m=plan.depth_m,
            ),
            row_bound=bound,
            rejected=MappingProxyType(rejected),
            reasons=tuple(reasons),
            repaired_geometry=repaired,
            booth_depth_m=plan.depth_m,
            safety_margin_m=margin,
        )
        return LayoutResult(
            booths=numbered,
            emergency_lane=keep_clear if spec.mode == "corridor" else None,
            report=report,
            walkway=keep_clear if spec.mode == "sidewalk" else None,
        )

    return PlacedLayout(numbered, finish)


def _ready(result: LayoutResult) -> PlacedLayout:
    return PlacedLayout(result.booths, lambda: result)


def _empty_result(
    area: Polygon | MultiPolygon,
    spec: LayoutSpec,
    reasons: Sequence[Msg],
    *,
    repaired: bool,
    lane: Polygon | MultiPolygon | None,
) -> LayoutResult:
    """No booths, with the loose area bound and the reasons why."""
    loose = 0
    if not area.is_empty:
        loose = _area_bound(
            area,
            keep_clear=lane,
            booth_width_m=spec.booth_width_m,
            booth_depth_m=spec.booth_depth_m,
        )
    report = LayoutReport(
        placed=0,
        area_bound=loose,
        row_bound=0,
        rejected=MappingProxyType({spec.keep_clear_key: 0}),
        reasons=tuple(reasons),
        repaired_geometry=repaired,
        booth_depth_m=None,
        safety_margin_m=spec.safety_margin_m,
    )
    return LayoutResult(booths=(), emergency_lane=lane, report=report)


def _too_narrow(width_m: float, spec: LayoutSpec) -> Msg:
    setback = spec.kerb_setback_m
    if spec.mode == "corridor":
        need = spec.emergency_lane_m + 2 * (spec.booth_depth_m + setback)
        return TOO_NARROW(
            width=width_m, lane=spec.emergency_lane_m, depth=spec.booth_depth_m, need=need
        )
    need = spec.walkway_m + MIN_BOOTH_DEPTH_M + setback
    return STRIP_TOO_NARROW(
        width=width_m, walkway=spec.walkway_m, depth=MIN_BOOTH_DEPTH_M, need=need
    )
