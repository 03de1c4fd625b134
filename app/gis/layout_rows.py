"""Plan the rows of a booth layout: how many fit on each side of the centreline, at which offsets,
and the strip kept clear between them (the emergency lane, or the walkway of a sidewalk strip).

The street's width is read once, as the median distance from the centreline to each kerb
(:func:`half_widths`), so side streets and the corridor's ends do not narrow every row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon

from app.gis.bounds import MIN_BOOTH_DEPTH_M
from app.gis.centreline import interpolate_xy
from app.gis.layout_spec import LayoutSpec, Side
from app.messages import Msg, define

__all__ = ["KERB_MARGIN_M", "RowPlan", "RowsPlan", "half_widths", "keep_clear_polygon", "plan_rows"]

#: Booths keep this much (m) off the kerb when the row has slack: drawn kerbs are rarely straight to
#: the millimetre (EPSG:4326 coordinates stored with 7 decimals move by up to 6 mm).
KERB_MARGIN_M: Final = 0.02

DEPTH_REDUCED = define(
    "layout.depth_reduced",
    id="Kedalaman lapak dikurangi menjadi {depth:m} m agar jalur pejalan kaki {walkway:m} m tetap "
    "bebas (lebar lajur {width:m} m).",
    en="Booth depth reduced to {depth:m} m to keep the {walkway:m} m walkway clear (strip "
    "{width:m} m wide).",
)


def half_widths(area: Polygon | MultiPolygon, line: LineString) -> tuple[float, float]:
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


@dataclass(frozen=True)
class RowPlan:
    """One row of booths: its side, its rank from the kerb and its offsets from the centreline."""

    side: Side
    index: int  # 0: against the kerb
    inner_m: float  # unsigned offset of the booth fronts from the centreline
    outer_m: float  # unsigned offset of the booth backs

    @property
    def sign(self) -> float:
        """+1 on the left of the centreline, -1 on the right."""
        return 1.0 if self.side == "left" else -1.0


@dataclass(frozen=True)
class RowsPlan:
    """Every row that fits, the booth depth they use, notes for the report, and the clear strip."""

    rows: tuple[RowPlan, ...]
    depth_m: float
    notes: tuple[Msg, ...]
    lane_m: tuple[float, float] | None  # signed offsets of the strip kept clear (lo, hi)


def plan_rows(*, half_left: float, half_right: float, spec: LayoutSpec) -> RowsPlan:
    """Decide the rows: how many fit on each side, at which offsets from the centreline.

    Examples
    --------
    A 10.5 m street with a 4.3 m lane has room for one 3 m row a side:

    >>> plan = plan_rows(half_left=5.25, half_right=5.25, spec=LayoutSpec())
    >>> [(r.side, r.index) for r in plan.rows], plan.lane_m
    ([('left', 0), ('right', 0)], (-2.15, 2.15))
    """
    booth_depth_m, walkway_m = spec.booth_depth_m, spec.walkway_m
    # off the kerb: the safety margin, or at least KERB_MARGIN_M, as far as the slack allows
    kerb_margin_m = max(KERB_MARGIN_M, spec.safety_margin_m)
    kerb_setback_m, kerb_side = spec.kerb_setback_m, spec.kerb_side
    emergency_lane_m = spec.emergency_lane_m
    if spec.mode == "sidewalk":
        width = half_left + half_right
        kerb_half = half_left if kerb_side == "left" else half_right
        room = width - walkway_m - kerb_setback_m
        depth = min(booth_depth_m, math.floor(room * 100.0 + 1e-6) / 100.0)
        notes: list[Msg] = []
        if depth < MIN_BOOTH_DEPTH_M:
            return RowsPlan((), booth_depth_m, (), None)
        if depth < booth_depth_m:
            notes.append(DEPTH_REDUCED(depth=depth, walkway=walkway_m, width=width))
        slack = room - depth
        outer = kerb_half - kerb_setback_m - min(kerb_margin_m, slack / 2.0)
        row = RowPlan(kerb_side, 0, outer - depth, outer)
        sign = row.sign
        far = -sign * (half_right if kerb_side == "left" else half_left)
        inner_signed = sign * row.inner_m
        lo, hi = sorted((far, inner_signed))
        return RowsPlan((row,), depth, tuple(notes), (lo, hi))

    rows: list[RowPlan] = []
    half_lane = emergency_lane_m / 2.0
    for side, half in (("left", half_left), ("right", half_right)):
        space = half - kerb_setback_m - half_lane
        n = int(math.floor(space / booth_depth_m + 1e-9)) if space > 0 else 0
        if n <= 0:
            continue
        slack = max(0.0, space - n * booth_depth_m)
        outer = half - kerb_setback_m - min(kerb_margin_m, slack / 2.0)
        for r in range(n):
            back = outer - r * booth_depth_m
            rows.append(RowPlan(cast(Side, side), r, back - booth_depth_m, back))
    lane = (-half_lane, half_lane) if emergency_lane_m > 0 else None
    return RowsPlan(tuple(rows), booth_depth_m, (), lane)


def keep_clear_polygon(
    area: Polygon | MultiPolygon, line: LineString, plan: RowsPlan
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
