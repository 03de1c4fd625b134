"""Benchmark ``layout-corridor``: booth layouts on the A. Yani CFD corridor and 20 bent streets.

What it measures
----------------
* ``ours_s``: wall time of :func:`app.gis.layout.generate_layout` (centreline derivation, rows,
  exact checks, numbering and the report's own ``row_bound``) summed over all corridors; each
  corridor is timed ``repeats`` times and its fastest run kept.
* ``baseline_s``: the "axis-aligned-grid-clip" baseline, what a planner gets from QGIS *Create grid*
  (3 × 3 m cells over the corridor's bounding box) followed by keeping the cells that lie wholly
  inside the corridor; timed the same way.
* ``ratio``: ``ours_s / baseline_s`` (below 1: ours is faster).
* ``quality`` / ``quality_min``: median and minimum over the corridors of
  ``placed / row_bound``, with :func:`app.gis.bounds.row_bound` computed independently of the
  generator's placement code.
* ``conflicts`` / ``baseline_conflicts``: every conflict the conflict engine
  (:class:`app.gis.conflicts.ConflictChecker`) finds in our layouts and in the baseline's, checked
  against the same facilities, the same required emergency lane (the data's lane zone for A. Yani;
  the true centreline grown by 2.15 m for the synthetic streets) and the corridor as the only area.
* ``ms_per_600m``: ``ours_s`` per 600 m of centreline (target: 200 ms or less).

Corridors: the Pontianak CFD corridor "CFD Jl. Ahmad Yani" from ``data/geo/zones.geojson`` with
``data/geo/facilities.geojson``, projected to EPSG:32749 with :mod:`app.gis.crs`, clearances from
:data:`app.gis.rules.DEFAULT_CLEARANCES_M`; and 20 random bent 12 m streets (fixed seed,
300–1500 m, 2–5 straight legs turning by up to ±34°), each with 12 facilities of random kinds
(points; crossings, intersections and bus stops as polygons).

Run ``python -m bench.layout_corridor``: prints one JSON line.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from app.gis.centreline import derive_centreline
from app.gis.conflicts import ConflictChecker
from app.gis.crs import to_metric
from app.gis.layout import generate_layout
from app.gis.rules import DEFAULT_CLEARANCES_M, FACILITY_KINDS
from app.gis.shapes import BoothShape, FacilityShape, ZoneShape

DATA = Path(__file__).resolve().parents[1] / "data" / "geo"
EPSG = 32749
SEED = 20251123
N_RANDOM = 20
STREET_WIDTH_M = 12.0
FACILITIES_PER_STREET = 12
BOOTH_M = 3.0
LANE_M = 4.3

T = TypeVar("T")


@dataclass(frozen=True)
class Corridor:
    """One benchmark street: its polygon, obstacles, rule zones and centreline length."""

    name: str
    polygon: Polygon | MultiPolygon
    facilities: tuple[FacilityShape, ...]
    zones: tuple[ZoneShape, ...]
    length_m: float


def load_ahmad_yani() -> Corridor:
    """The demo CFD corridor, its facilities and rule zones, in EPSG:32749."""
    zones_fc = json.loads((DATA / "zones.geojson").read_text(encoding="utf-8"))
    zones: list[ZoneShape] = []
    corridor: BaseGeometry | None = None
    for i, feat in enumerate(zones_fc["features"]):
        props = feat["properties"]
        geom = to_metric(shape(feat["geometry"]), EPSG)
        zones.append(ZoneShape(f"zone-{i}", props["kind"], geom, props.get("name", "")))
        if props["kind"] == "cfd_corridor" and props.get("name") == "CFD Jl. Ahmad Yani":
            corridor = geom
    if not isinstance(corridor, Polygon | MultiPolygon):
        raise RuntimeError("data/geo/zones.geojson has no cfd_corridor 'CFD Jl. Ahmad Yani'")
    fac_fc = json.loads((DATA / "facilities.geojson").read_text(encoding="utf-8"))
    facilities = tuple(
        FacilityShape(
            f"fac-{i}",
            feat["properties"]["kind"],
            to_metric(shape(feat["geometry"]), EPSG),
            feat["properties"].get("name", ""),
        )
        for i, feat in enumerate(fac_fc["features"])
    )
    return Corridor(
        "CFD Jl. Ahmad Yani",
        corridor,
        facilities,
        tuple(zones),
        derive_centreline(corridor).length,
    )


def random_street(rng: np.random.Generator, index: int) -> Corridor:
    """A bent 12 m street near Pontianak's UTM coordinates with 12 random facilities."""
    length = float(rng.uniform(300.0, 1500.0))
    legs = int(rng.integers(2, 6))
    heading = float(rng.uniform(0.0, 2.0 * math.pi))
    x0 = 315_000.0 + float(rng.uniform(-2000.0, 2000.0))
    y0 = 9_994_000.0 + float(rng.uniform(-2000.0, 2000.0))
    pts = [(x0, y0)]
    for k in range(legs):
        if k:
            heading += float(rng.uniform(-0.6, 0.6))
        x, y = pts[-1]
        pts.append((x + length / legs * math.cos(heading), y + length / legs * math.sin(heading)))
    axis = LineString(pts)
    half = STREET_WIDTH_M / 2.0
    street = axis.buffer(half, cap_style="flat", join_style="round")
    facilities: list[FacilityShape] = []
    for i in range(FACILITIES_PER_STREET):
        kind = FACILITY_KINDS[int(rng.integers(len(FACILITY_KINDS)))]
        s = float(rng.uniform(0.0, axis.length))
        p = axis.interpolate(s)
        a = axis.interpolate(max(s - 0.5, 0.0))
        b = axis.interpolate(min(s + 0.5, axis.length))
        tx, ty = b.x - a.x, b.y - a.y
        norm = math.hypot(tx, ty)
        tx, ty = tx / norm, ty / norm
        nx, ny = -ty, tx
        geom: BaseGeometry
        if kind in ("crossing", "intersection"):
            reach = half if kind == "crossing" else half + 10.0
            across = LineString(
                [(p.x - nx * reach, p.y - ny * reach), (p.x + nx * reach, p.y + ny * reach)]
            )
            geom = across.buffer(2.0 if kind == "crossing" else 4.0, cap_style="flat")
        elif kind == "bus_stop":
            off = float(rng.choice([-1.0, 1.0])) * (half + 1.0)
            c = (p.x + nx * off, p.y + ny * off)
            stop = LineString([(c[0] - tx * 5, c[1] - ty * 5), (c[0] + tx * 5, c[1] + ty * 5)])
            geom = stop.buffer(1.0, cap_style="flat")
        else:
            off = float(rng.uniform(-(half + 1.5), half + 1.5))
            geom = Point(p.x + nx * off, p.y + ny * off)
        facilities.append(FacilityShape(f"s{index}-f{i}", kind, geom, f"{kind} {i}"))
    lane = axis.buffer(LANE_M / 2.0, cap_style="flat").intersection(street)
    zones = (ZoneShape(f"s{index}-lane", "emergency_lane", lane, "jalur darurat"),)
    return Corridor(f"street-{index:02d}", street, tuple(facilities), zones, axis.length)


def corridors(seed: int = SEED) -> list[Corridor]:
    """A. Yani first, then the 20 synthetic streets."""
    rng = np.random.default_rng(seed)
    return [load_ahmad_yani(), *(random_street(rng, i) for i in range(N_RANDOM))]


def grid_clip(polygon: Polygon | MultiPolygon, *, cell_m: float = BOOTH_M) -> list[BoothShape]:
    """The baseline: an axis-aligned grid over the bounds, cells wholly inside the corridor kept."""
    minx, miny, maxx, maxy = polygon.bounds
    xs = np.arange(minx, maxx - cell_m + 1e-9, cell_m)
    ys = np.arange(miny, maxy - cell_m + 1e-9, cell_m)
    gx, gy = (g.ravel() for g in np.meshgrid(xs, ys))
    cells = shapely.box(gx, gy, gx + cell_m, gy + cell_m)
    shapely.prepare(polygon)
    kept = cells[shapely.covers(polygon, cells)]
    return [BoothShape(f"G-{i + 1:05d}", cell) for i, cell in enumerate(kept)]


def _fastest(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    best, out = math.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out  # type: ignore[return-value]


def _conflicts(booths: Sequence[BoothShape], c: Corridor) -> int:
    checker = ConflictChecker(
        booths=booths,
        facilities=c.facilities,
        zones=c.zones,
        clearances_m=DEFAULT_CLEARANCES_M,
        areas=[c.polygon],
    )
    return len(checker.check_all())


def run(*, seed: int = SEED, repeats: int = 3) -> dict[str, object]:
    """Run the benchmark and return its JSON-ready summary."""
    streets = corridors(seed)
    # warm-up: imports, GEOS and numpy first-call costs stay out of the timings
    generate_layout(streets[1].polygon, facilities=(), clearances_m=DEFAULT_CLEARANCES_M)
    grid_clip(streets[1].polygon)

    ours_s = base_s = 0.0
    qualities: list[float] = []
    conflicts = base_conflicts = placed = bound = base_placed = 0
    for c in streets:
        t, result = _fastest(
            partial(
                generate_layout,
                c.polygon,
                facilities=c.facilities,
                clearances_m=DEFAULT_CLEARANCES_M,
            ),
            repeats,
        )
        ours_s += t
        tb, grid = _fastest(partial(grid_clip, c.polygon), repeats)
        base_s += tb
        report = result.report
        qualities.append(report.placed / report.row_bound if report.row_bound else 0.0)
        placed += report.placed
        bound += report.row_bound
        base_placed += len(grid)
        conflicts += _conflicts(result.booths, c)
        base_conflicts += _conflicts(grid, c)
    total_m = sum(c.length_m for c in streets)
    return {
        "workload": "layout-corridor",
        "ours_s": round(ours_s, 4),
        "baseline": "axis-aligned-grid-clip",
        "baseline_s": round(base_s, 4),
        "ratio": round(ours_s / base_s, 3) if base_s else None,
        "quality": round(statistics.median(qualities), 4),
        "quality_min": round(min(qualities), 4),
        "conflicts": conflicts,
        "baseline_conflicts": base_conflicts,
        "ms_per_600m": round(ours_s * 1000.0 / total_m * 600.0, 1),
        "corridors": len(streets),
        "placed": placed,
        "row_bound": bound,
        "baseline_placed": base_placed,
        "length_m": round(total_m, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
