"""Upper bounds on how many booths a street can hold, to judge a generated layout against.

Two bounds, both computed without any of the layout generator's placement code, so that a bug in
the generator cannot flatter its own score:

* :func:`area_bound`: the usable area (corridor minus the strip kept clear) divided by one booth's
  area. Loose: it ignores that booths come in rows.
* :func:`row_bound`: for every row of booths that fits between the kerb (less the set-back) and
  the emergency lane, the row's length along its own mid line, less the stretches where a booth
  would break a facility clearance or leave the corridor, less the breaks, divided by the booth
  pitch and floored per free stretch. The stretches are found by *sampling*: a cross-section of the
  row (a segment as deep as a booth, square to the row) every 10 cm is tested against every
  facility with the conflict engine's predicate (``distance < clearance``) and against the
  corridor. A booth needs every cross-section under it to be free, so on straight rows this bound
  is exact up to the sampling step; on bends it is slightly generous (a rectangle on a curve needs
  more room on the inside of the bend than its mid line shows).

The layout benchmark reports ``placed / row_bound`` as the generator's quality.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final, Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from app.gis.centreline import LineMeasure, derive_centreline
from app.gis.conflicts import facility_clearances_m
from app.gis.crs import refuse_degrees
from app.gis.shapes import FacilityShape

__all__ = ["MIN_BOOTH_DEPTH_M", "area_bound", "booths_in_stretch", "polygonal", "row_bound"]

#: Smallest booth depth (m) a sidewalk strip may shrink booths to (a cart, a folding table).
MIN_BOOTH_DEPTH_M: Final = 0.6
#: Spacing (m) of the row cross-sections that :func:`row_bound` tests.
SAMPLE_STEP_M: Final = 0.1
#: How far (m) a cross-section may stick out of the corridor (the conflict engine allows 1 cm).
AREA_TOLERANCE_M: Final = 0.01


def area_bound(
    corridor: Polygon | MultiPolygon,
    *,
    keep_clear: BaseGeometry | None,
    booth_width_m: float,
    booth_depth_m: float,
) -> int:
    """``floor((area of corridor − area kept clear) / booth area)``.

    Examples
    --------
    >>> from shapely import box
    >>> street = box(500_000, 9_000_000, 500_100, 9_000_010)
    >>> lane = box(500_000, 9_000_003, 500_100, 9_000_007)
    >>> area_bound(street, keep_clear=lane, booth_width_m=3, booth_depth_m=3)
    66
    """
    if corridor.is_empty:
        return 0
    usable = corridor.area
    if keep_clear is not None and not keep_clear.is_empty:
        usable -= corridor.intersection(keep_clear).area
    return max(0, int(math.floor(usable / (booth_width_m * booth_depth_m) + 1e-9)))


def booths_in_stretch(
    length_m: float,
    *,
    booth_width_m: float,
    gap_m: float,
    break_m: float,
    break_every_m: float,
) -> int:
    """Most booths a free stretch of row can hold, with a break after every run.

    A run of ``m`` booths spans ``m * width + (m - 1) * gap <= break_every_m``; runs are separated
    by ``break_m``. The stretch's own ends need no break (whatever blocks them is one).

    Examples
    --------
    >>> kw = dict(booth_width_m=3.0, gap_m=0.0, break_m=3.0, break_every_m=60.0)
    >>> booths_in_stretch(60.0, **kw), booths_in_stretch(63.0, **kw), booths_in_stretch(66.0, **kw)
    (20, 20, 21)
    >>> booths_in_stretch(2.9, **kw)
    0
    """
    pitch = booth_width_m + gap_m
    if length_m < booth_width_m - 1e-9:
        return 0
    free_fit = int(math.floor((length_m + gap_m) / pitch + 1e-9))
    if break_m <= 0 or break_every_m <= 0:
        return free_fit
    per_run = int(math.floor((break_every_m + gap_m) / pitch + 1e-9))
    if per_run <= 0:
        per_run = 1  # a booth wider than a run still stands, alone between breaks
    run_span = per_run * booth_width_m + (per_run - 1) * gap_m
    period = run_span + break_m
    full = int(math.floor(length_m / period + 1e-9))
    rest = length_m - full * period
    tail = int(math.floor((rest + gap_m) / pitch + 1e-9)) if rest >= booth_width_m - 1e-9 else 0
    return full * per_run + min(per_run, tail)


def row_bound(
    corridor: Polygon | MultiPolygon,
    *,
    facilities: Sequence[FacilityShape],
    clearances_m: Mapping[str, float],
    centreline: LineString | None,
    booth_width_m: float,
    booth_depth_m: float,
    gap_m: float,
    break_m: float,
    break_every_m: float,
    emergency_lane_m: float,
    kerb_setback_m: float,
    mode: Literal["corridor", "sidewalk"] = "corridor",
    walkway_m: float = 2.0,
    kerb_side: Literal["left", "right"] = "left",
) -> int:
    """Upper bound on booths in rows along the kerbs, independent of the layout generator.

    Parameters
    ----------
    corridor
        The street (or sidewalk strip) in a metric CRS.
    facilities, clearances_m
        Obstacles and their clearance per kind (missing kinds use ``"other"``, then 0 m).
    centreline
        The street's centreline; derived when ``None``.
    booth_width_m, booth_depth_m, gap_m, break_m, break_every_m, emergency_lane_m, kerb_setback_m
        As for :func:`app.gis.layout.generate_layout`.
    mode, walkway_m, kerb_side
        Sidewalk mode: one row on ``kerb_side``, as deep as the strip allows after ``walkway_m``.

    Returns
    -------
    int
        The bound; 0 for an empty or too narrow corridor.

    Examples
    --------
    A straight 120 m × 10.5 m street holds one row a side beside a 4.3 m lane; a 3 m break after
    every 60 m of booths leaves 20 + 19 booths a row:

    >>> from shapely import box
    >>> street = box(500_000, 9_000_000, 500_120, 9_000_010.5)
    >>> kw = dict(booth_width_m=3.0, booth_depth_m=3.0, gap_m=0.0, break_m=3.0,
    ...           break_every_m=60.0, emergency_lane_m=4.3, kerb_setback_m=0.0)
    >>> row_bound(street, facilities=[], clearances_m={}, centreline=None, **kw)
    78

    A hydrant at the left kerb, 30 m in, with a 3 m clearance takes out 6 m of that row plus the
    booth it lands on:

    >>> from shapely import Point
    >>> from app.gis.shapes import FacilityShape
    >>> hydrant = FacilityShape(1, "hydrant", Point(500_030, 9_000_010.5))
    >>> row_bound(street, facilities=[hydrant], clearances_m={"hydrant": 3.0},
    ...           centreline=None, **kw)
    76
    """
    refuse_degrees(corridor, "corridor")
    area, _ = polygonal(corridor)
    if area.is_empty:
        return 0
    line = centreline if centreline is not None else derive_centreline(area)
    if line.is_empty or line.length <= 0:
        return 0
    left, right = _kerb_distances(area, line)
    rows = _rows(
        left=left,
        right=right,
        booth_depth_m=booth_depth_m,
        emergency_lane_m=emergency_lane_m,
        kerb_setback_m=kerb_setback_m,
        mode=mode,
        walkway_m=walkway_m,
        kerb_side=kerb_side,
    )
    if not rows:
        return 0
    # the conflict engine's own kind → metres rule (missing kinds fall back to "other")
    clear_all = facility_clearances_m([f.kind for f in facilities], clearances_m=clearances_m)
    fac_geoms = np.empty(len(facilities), dtype=object)
    fac_geoms[:] = [f.geometry for f in facilities]
    active = clear_all > 0
    fac_geoms, fac_clear = fac_geoms[active], clear_all[active]
    cover = shapely.buffer(area, AREA_TOLERANCE_M)
    shapely.prepare(cover)
    total = 0
    for offset_mid, depth in rows:
        mid = shapely.offset_curve(line, offset_mid, quad_segs=8, join_style="round")
        for part in shapely.get_parts(mid):
            if not isinstance(part, LineString) or part.length < booth_width_m:
                continue
            free = _free_samples(part, depth, cover, fac_geoms, fac_clear)
            for length in _runs(free, SAMPLE_STEP_M):
                total += booths_in_stretch(
                    length,
                    booth_width_m=booth_width_m,
                    gap_m=gap_m,
                    break_m=break_m,
                    break_every_m=break_every_m,
                )
    return total


def polygonal(geom: BaseGeometry) -> tuple[Polygon | MultiPolygon, bool]:
    """The polygons of ``geom`` (repaired with ``make_valid`` when invalid), and whether it was.

    Lines and points that ``make_valid`` leaves behind (a spike, a collapsed ring) are dropped.

    >>> from shapely import Polygon
    >>> spiked = Polygon([(0, 0), (4, 0), (4, 2), (2, 2), (2, 3), (2, 2), (0, 2)])
    >>> fixed, repaired = polygonal(spiked)
    >>> fixed.geom_type, fixed.area, repaired
    ('Polygon', 8.0, True)
    """
    repaired = False
    if not geom.is_empty and not geom.is_valid:
        geom = shapely.make_valid(geom)
        repaired = True
    polys: list[Polygon] = []
    stack = [geom]
    while stack:  # make_valid may nest polygons inside collections
        part = stack.pop()
        if isinstance(part, Polygon):
            if not part.is_empty and part.area > 0:
                polys.append(part)
        elif hasattr(part, "geoms"):
            stack.extend(reversed(list(part.geoms)))
    if not polys:
        return Polygon(), repaired
    return (polys[0] if len(polys) == 1 else MultiPolygon(polys)), repaired


def _kerb_distances(area: Polygon | MultiPolygon, line: LineString) -> tuple[float, float]:
    """Median distance from the centreline to boundary points on its left and on its right.

    Boundary points are taken every metre; points that project onto an end of the centreline
    belong to the street's ends, not its kerbs, and are left out.
    """
    ring = shapely.segmentize(area.boundary, 1.0)
    pts = shapely.get_coordinates(ring)
    along = shapely.line_locate_point(line, shapely.points(pts))
    length = line.length
    keep = (along > 1e-6) & (along < length - 1e-6)
    if not keep.any():
        return 0.0, 0.0
    pts, along = pts[keep], along[keep]
    measure = LineMeasure(line)
    a = measure.xy(along - 0.25)
    b = measure.xy(along + 0.25)
    foot = measure.xy(along)
    cross = (b[:, 0] - a[:, 0]) * (pts[:, 1] - foot[:, 1]) - (b[:, 1] - a[:, 1]) * (
        pts[:, 0] - foot[:, 0]
    )
    dist = np.hypot(pts[:, 0] - foot[:, 0], pts[:, 1] - foot[:, 1])
    left = dist[cross > 0]
    right = dist[cross < 0]
    return (
        float(np.median(left)) if len(left) else 0.0,
        float(np.median(right)) if len(right) else 0.0,
    )


def _rows(
    *,
    left: float,
    right: float,
    booth_depth_m: float,
    emergency_lane_m: float,
    kerb_setback_m: float,
    mode: str,
    walkway_m: float,
    kerb_side: str,
) -> list[tuple[float, float]]:
    """(signed offset of the row's mid line, booth depth) for every row that fits."""
    if mode == "sidewalk":
        room = left + right - walkway_m - kerb_setback_m
        depth = min(booth_depth_m, math.floor(room * 100.0 + 1e-6) / 100.0)
        if depth < MIN_BOOTH_DEPTH_M:
            return []
        if kerb_side == "left":
            return [(left - kerb_setback_m - depth / 2.0, depth)]
        return [(-(right - kerb_setback_m - depth / 2.0), depth)]
    out: list[tuple[float, float]] = []
    for sign, half in ((1.0, left), (-1.0, right)):
        room = half - kerb_setback_m - emergency_lane_m / 2.0
        n = int(math.floor(room / booth_depth_m + 1e-9)) if room > 0 else 0
        for r in range(n):
            out.append((sign * (half - kerb_setback_m - (r + 0.5) * booth_depth_m), booth_depth_m))
    return out


def _free_samples(
    line: LineString,
    depth: float,
    cover: BaseGeometry,
    fac_geoms: NDArray[np.object_],
    fac_clear: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """For cross-sections every SAMPLE_STEP_M along ``line``: inside the corridor and clear."""
    length = line.length
    along = np.arange(0.0, length + 1e-9, SAMPLE_STEP_M)
    measure = LineMeasure(line)
    p = measure.xy(along)
    direction = measure.xy(along + 0.05) - measure.xy(along - 0.05)
    norm = np.hypot(direction[:, 0], direction[:, 1])
    norm[norm == 0] = 1.0
    normal = np.column_stack([-direction[:, 1], direction[:, 0]]) / norm[:, None]
    sections = shapely.linestrings(
        np.stack([p - normal * depth / 2.0, p + normal * depth / 2.0], axis=1)
    )
    free = shapely.covers(cover, sections)
    if len(fac_geoms):
        tree = shapely.STRtree(sections)
        strict = np.nextafter(fac_clear, -np.inf)  # dwithin is "<="; this makes it "<"
        hit = tree.query(fac_geoms, predicate="dwithin", distance=strict)
        free[hit[1]] = False
    return np.asarray(free, dtype=bool)


def _runs(free: NDArray[np.bool_], step: float) -> list[float]:
    """Lengths of the runs of free cross-sections (each section stands for ``step`` metres)."""
    if not free.any():
        return []
    padded = np.concatenate([[False], free, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    return [float((e - s) * step) for s, e in zip(starts, ends, strict=True)]
