"""Benchmark: facility clearances for 100,000 booths and 50,000 facilities.

Run with ``python -m bench.conflicts_100k``; prints one JSON line.

Three ways to find every (booth, facility) pair closer than the facility's clearance are timed on
the same synthetic layout (EPSG:32749 metres, about 4 km² around Simpang Pajak, fixed seed):

``ours``
    The whole path the service calls for a full clearance check: facility kinds to metres
    (:func:`app.gis.conflicts.facility_clearances_m`), then
    :func:`app.gis.conflicts.clearance_pairs` including its degree guard and its booth ``STRtree``.
``baseline`` (``shapely-strtree-dwithin``)
    A bare ``shapely.STRtree(booths).query(facilities, predicate="dwithin", distance=...)`` with the
    per-facility distances already in an array; tree built inside the timing as well.
``buffered_sjoin``
    What a GIS user would write: buffer each facility by its clearance, then ``geopandas.sjoin``
    with ``predicate="intersects"``. Its pair count differs: a buffer is a polygon inscribed in the
    true circle, so it misses booths that are really within the clearance.

``pairs_match`` is 1 when ours and the bare STRtree return the same pair set (no booth in the
random data sits exactly at its clearance, where ours is strict and ``dwithin`` is not). Each
method is timed best-of-3, interleaved, in one process.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from app.gis.conflicts import clearance_pairs, facility_clearances_m
from bench.timing import timed

SEED = 20251123  # MikroDOTS at the Pontianak CFD, 23 November 2025
N_BOOTHS = 100_000
N_FACILITIES = 50_000
BOOTH_SIZE_M = 3.0
EPSG = 32749
EXTENT_M = (315_000.0, 9_993_000.0, 317_000.0, 9_995_000.0)  # 2 km × 2 km
CLEARANCES_M = {"hydrant": 3.0, "bus_stop": 5.0, "building_entrance": 10.0}
ROUNDS = 3


def make_workload(
    *, seed: int = SEED
) -> tuple[NDArray[np.object_], NDArray[np.object_], list[str]]:
    """Return booth squares (3 × 3 m, random rotation), facility points and their kinds."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = EXTENT_M
    cx = rng.uniform(minx, maxx, N_BOOTHS)
    cy = rng.uniform(miny, maxy, N_BOOTHS)
    theta = rng.uniform(0.0, np.pi / 2, N_BOOTHS)
    half = BOOTH_SIZE_M / 2
    corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half], [-half, -half]])
    cos, sin = np.cos(theta)[:, None], np.sin(theta)[:, None]
    xs = cx[:, None] + corners[:, 0] * cos - corners[:, 1] * sin
    ys = cy[:, None] + corners[:, 0] * sin + corners[:, 1] * cos
    booths = shapely.polygons(np.stack([xs, ys], axis=-1))
    facilities = shapely.points(
        rng.uniform(minx, maxx, N_FACILITIES), rng.uniform(miny, maxy, N_FACILITIES)
    )
    kinds = rng.choice(np.array(sorted(CLEARANCES_M)), N_FACILITIES).tolist()
    return booths, facilities, kinds


def _pair_codes(booth_idx: NDArray[np.intp], facility_idx: NDArray[np.intp]) -> NDArray[np.int64]:
    return np.sort(booth_idx.astype(np.int64) * N_FACILITIES + facility_idx)


def run() -> dict[str, object]:
    """Time the three methods and return the JSON-ready result."""
    booths, facilities, kinds = make_workload()
    clearance = facility_clearances_m(kinds, clearances_m=CLEARANCES_M)
    booth_frame = gpd.GeoDataFrame(geometry=booths, crs=EPSG)
    facility_frame = gpd.GeoDataFrame(
        {"kind": kinds, "clearance_m": clearance}, geometry=facilities, crs=EPSG
    )

    def ours() -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        per_facility = facility_clearances_m(kinds, clearances_m=CLEARANCES_M)
        return clearance_pairs(booths, facilities, per_facility)

    def reference() -> NDArray[np.intp]:
        tree = shapely.STRtree(booths)
        pairs: NDArray[np.intp] = tree.query(facilities, predicate="dwithin", distance=clearance)
        return pairs

    def buffered_sjoin() -> gpd.GeoDataFrame:
        zones = facility_frame.set_geometry(facility_frame.buffer(facility_frame["clearance_m"]))
        return gpd.sjoin(booth_frame, zones, predicate="intersects")

    ours_t: list[float] = []
    ref_t: list[float] = []
    sjoin_t: list[float] = []
    for _ in range(ROUNDS):
        booth_idx, facility_idx = timed(ours, ours_t)
        ref_pairs = timed(reference, ref_t)
        joined = timed(buffered_sjoin, sjoin_t)

    ours_s, ref_s, sjoin_s = min(ours_t), min(ref_t), min(sjoin_t)
    match = np.array_equal(
        _pair_codes(booth_idx, facility_idx), _pair_codes(ref_pairs[1], ref_pairs[0])
    )
    return {
        "workload": "conflicts-100k",
        "ours_s": round(ours_s, 4),
        "baseline": "shapely-strtree-dwithin",
        "baseline_s": round(ref_s, 4),
        "ratio": round(ours_s / ref_s, 3),
        "ratio_vs_buffered_sjoin": round(ours_s / sjoin_s, 3),
        "buffered_sjoin_s": round(sjoin_s, 4),
        "pairs": int(len(booth_idx)),
        "pairs_match": int(match),
        "buffered_pairs": int(len(joined)),
    }


if __name__ == "__main__":
    print(json.dumps(run()))
