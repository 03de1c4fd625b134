"""Place booths along the planned rows: each row is walked from the start of the centreline and
every booth goes to the earliest position where it passes the exact checks.

Per row: the parts of its mid line inside the corridor, less the intervals blocked by facility
clearances (conservative, circumscribed buffers), are filled greedily with runs and breaks; every
batch of candidates is then checked exactly (vectorised), and a refused candidate slides forward by
the smallest step that can clear what refused it. The metres each rule costs are booked on the
:class:`PlacementContext` for the report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from app.gis.centreline import LineMeasure
from app.gis.conflicts import facility_clearances_m
from app.gis.layout_rows import RowPlan
from app.gis.layout_spec import LayoutSpec, Side
from app.gis.shapes import FacilityShape

__all__ = [
    "AREA_EPS_M2",
    "CONTAIN_TOL_M",
    "SLIDE_STEP_M",
    "PlacementContext",
    "Placed",
    "place_row",
]

#: Shared area (m²) the generator tolerates between a booth and a neighbour or the lane; the
#: conflict engine tolerates 0.01 m², so generated layouts pass it with room to spare.
AREA_EPS_M2: Final = 1e-4
#: How far (m) a booth may stick out of the corridor in the generator's check. The conflict engine
#: allows 1 cm; 6 mm covers the rounding of EPSG:4326 coordinates stored with 7 decimals (up to
#: 5.6 mm at the equator), so a booth flush with a stored kerb is not refused for noise.
CONTAIN_TOL_M: Final = 0.006
#: How far (m) a booth may stick out of the corridor when the layout keeps a safety margin: float
#: noise only, so that an export rounded to 7 decimals (up to 5.6 mm) stays inside the conflict
#: engine's 1 cm.
EDGE_NOISE_M: Final = 0.001
#: Step (m) by which a refused candidate slides forward when no better estimate is known.
SLIDE_STEP_M: Final = 0.05
#: Quarter-circle segments of clearance buffers; the buffer radius is enlarged so that the polygon
#: circumscribes the true circle instead of being inscribed in it.
_QUAD_SEGS: Final = 16
_CIRCUMSCRIBE: Final = 1.0 / math.cos(math.pi / (4 * _QUAD_SEGS))
_EPS: Final = 1e-9
#: How many preceding booths of the same row each candidate is checked against for overlap.
_NEIGHBOURS: Final = 3


@dataclass
class PlacementContext:
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
        spec: LayoutSpec,
        booth_depth_m: float,
    ) -> PlacementContext:
        """Prepare the facilities that need a clearance and the corridor's tolerant cover.

        ``booth_depth_m`` is the depth the row plan settled on (a sidewalk strip may shrink it
        below ``spec.booth_depth_m``).
        """
        clear_all = facility_clearances_m([f.kind for f in facilities], clearances_m=clearances_m)
        keep = [i for i, f in enumerate(facilities) if clear_all[i] > 0 and not f.geometry.is_empty]
        active = [facilities[i] for i in keep]
        geoms = np.empty(len(active), dtype=object)
        geoms[:] = [f.geometry for f in active]
        # with a safety margin, every clearance grows by it and the corridor's edge is checked to
        # the millimetre (the rows keep the margin off the kerb where they have the room)
        margin = spec.safety_margin_m
        clear = clear_all[keep] + margin
        cover = shapely.buffer(area, CONTAIN_TOL_M if margin == 0 else EDGE_NOISE_M)
        shapely.prepare(cover)
        shapely.prepare(area)
        if keep_clear is not None:
            shapely.prepare(keep_clear)
        return cls(
            area=area,
            cover=cover,
            centreline=centreline,
            keep_clear=keep_clear,
            keep_clear_key=spec.keep_clear_key,
            fac_geoms=geoms,
            fac_kinds=tuple(f.kind for f in active),
            fac_clear=clear,
            fac_tree=shapely.STRtree(geoms),
            max_clear=float(clear.max()) if len(clear) else 0.0,
            width=spec.booth_width_m,
            depth=booth_depth_m,
            gap=spec.gap_m,
            break_m=spec.break_m,
            break_every_m=spec.break_every_m,
            lost_m={},
        )

    @property
    def breaks(self) -> bool:
        return self.break_m > 0 and self.break_every_m > 0

    def lose(self, reason: str, metres: float) -> None:
        if metres > 0:
            self.lost_m[reason] = self.lost_m.get(reason, 0.0) + metres


@dataclass(frozen=True)
class Placed:
    """A booth placed in a row, before numbering (``centre`` in the metric CRS)."""

    geometry: Polygon
    side: Side
    row: int
    facing_deg: float
    centre: tuple[float, float]


def _row_parts(ctx: PlacementContext, row: RowPlan) -> list[LineString]:
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


def _inside_intervals(ctx: PlacementContext, line: LineString) -> list[tuple[float, float]]:
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


def _blocked_intervals(ctx: PlacementContext, line: LineString) -> list[tuple[float, float, str]]:
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
    ctx: PlacementContext,
    inside: list[tuple[float, float]],
    blocked: list[tuple[float, float, str]],
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


def place_row(ctx: PlacementContext, row: RowPlan, *, previous: Sequence[Placed]) -> list[Placed]:
    """Fill one row greedily, sliding past whatever refuses a booth."""
    others = [p.geometry for p in previous]
    other_tree = shapely.STRtree(np.array(others, dtype=object)) if others else None
    out: list[Placed] = []
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
        ctx: PlacementContext,
        row: RowPlan,
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

    def fill(self, a: float, b: float, state: _RunState) -> list[Placed]:
        """Place booths in the free stretch ``[a, b]`` of the mid line, continuing ``state``."""
        ctx = self.ctx
        out: list[Placed] = []
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

    def _placed(self, geom: Polygon, facing: float, centre: NDArray[np.float64]) -> Placed:
        return Placed(
            geometry=geom,
            side=self.row.side,
            row=self.row.index,
            facing_deg=float(facing),
            centre=(float(centre[0]), float(centre[1])),
        )
