"""The booth conflict engine: one set of rules for the map, the API, the PDF and the CLI.

Every place that tells a planner "this booth breaks a rule" calls this module, so the map, the
printed crew plan and the command line can never disagree. The engine takes plain shapes in the
city's metric CRS (:mod:`app.gis.shapes`) and returns frozen :class:`Conflict` records carrying both
the measured numbers and a message for people (:mod:`app.gis.conflict_report` words it; the edge
renders it in the reader's language).

The rules
---------
``invalid_geometry`` (blocking)
    The booth footprint is missing, empty, not polygonal or invalid; the reason comes from GEOS
    (``shapely.is_valid_reason``). Such a booth is reported, never raised, and skipped by every
    other rule because no measurement on it can be trusted.
``outside_area`` (blocking)
    The booth is not covered by the union of ``areas`` (corridor, legal vending zones) grown by
    :data:`AREA_TOLERANCE_M` (1 cm), so a booth drawn flush with the kerb is not flagged for
    rounding noise. Skipped when no areas are given.
``no_vending_zone`` and ``emergency_lane`` (blocking)
    The booth shares more than :data:`OVERLAP_TOLERANCE_M2` (0.01 m²) with such a zone; touching
    the edge is allowed.
``booth_overlap`` (blocking)
    Two booths share more than 0.01 m². Each booth of the pair gets its own conflict naming the
    other, so a booth's list is complete on its own (the map colours both).
``facility_clearance`` (blocking or a warning, as each kind's entry in :mod:`app.kinds` says:
blocking for hydrants, bus stops, crossings, intersections, ramps, driveways and building entrances)
    The exact distance from the booth polygon to the facility geometry is **strictly less** than the
    clearance for the facility's kind. A booth exactly at the required distance is allowed. No
    buffered polygons are involved: a buffered circle is a polygon inscribed in the true circle and
    misses booths that are really too close.
``timed_zone_hours`` (warning)
    The booth lies in a ``pkl_timed`` zone (more than 0.01 m² inside) whose hours do not cover the
    whole event window. Skipped when the event window or the zone's hours are unknown.

Conflicts are returned sorted by booth code, then rule name, then the other party's id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import time
from types import MappingProxyType
from typing import Final, cast

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from app.gis.conflict_report import (
    BLOCKING,
    BLOCKING_FACILITY_KINDS,
    WARNING,
    Conflict,
    clearance_conflict,
    invalid_conflict,
    outside_conflict,
    overlap_conflict,
    zone_conflict,
)
from app.gis.crs import CRSError, refuse_degrees
from app.gis.shapes import BoothShape, FacilityShape, ZoneShape

__all__ = [
    "AREA_TOLERANCE_M",
    "BLOCKING",
    "BLOCKING_FACILITY_KINDS",
    "OVERLAP_TOLERANCE_M2",
    "RULES",
    "WARNING",
    "Conflict",
    "ConflictChecker",
    "clearance_pairs",
    "facility_clearances_m",
    "find_conflicts",
    "may_share_area",
    "window_within",
]

#: Rule names, in the order conflicts of one booth are listed (alphabetical).
RULES: Final = (
    "booth_overlap",
    "emergency_lane",
    "facility_clearance",
    "invalid_geometry",
    "no_vending_zone",
    "outside_area",
    "timed_zone_hours",
)

#: How far (metres) a booth may stick out of its areas before it counts as outside.
AREA_TOLERANCE_M: Final = 0.01

#: Shared area (m²) below which a booth merely touches a zone or another booth.
OVERLAP_TOLERANCE_M2: Final = 0.01

#: Zone kinds the engine reads; other kinds (``pkl_legal``, ``cfd_corridor``…) belong in ``areas``.
_ZONE_RULES: Final = MappingProxyType(
    {
        "no_vending": "no_vending_zone",
        "emergency_lane": "emergency_lane",
        "pkl_timed": "timed_zone_hours",
    }
)

#: Facility count from which :func:`clearance_pairs` visits facilities in Z order.
_SPATIAL_ORDER_MIN: Final = 1024

#: Moved booths checked by brute force before the booth index is rebuilt.
_STALE_LIMIT: Final = 64


# --------------------------------------------------------------------------------------------
# Vectorised core
# --------------------------------------------------------------------------------------------


def _object_array(geoms: Iterable[BaseGeometry | None] | ArrayLike) -> NDArray[np.object_]:
    if isinstance(geoms, np.ndarray) and geoms.dtype == object:
        return geoms
    items = list(cast("Iterable[BaseGeometry | None]", geoms))
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _refuse_degrees_all(geoms: NDArray[np.object_], what: str) -> None:
    """Raise :class:`CRSError` when any geometry of ``geoms`` lies entirely in lon/lat ranges.

    The same test as :func:`app.gis.crs.looks_like_degrees`, computed on all bounds at once so that
    100,000 booths cost a millisecond; the first offender is handed to ``refuse_degrees`` for the
    message.
    """
    if len(geoms) == 0:
        return
    b = shapely.bounds(geoms)  # NaN for None and empty geometry, which never look like degrees
    degrees = (b[:, 0] >= -180.0) & (b[:, 2] <= 180.0) & (b[:, 1] >= -90.0) & (b[:, 3] <= 90.0)
    if degrees.any():
        first = int(np.flatnonzero(degrees)[0])
        refuse_degrees(cast(BaseGeometry, geoms[first]), f"{what} #{first}")
        raise CRSError(f"{what} #{first} looks like degrees")  # pragma: no cover - belt and braces


def facility_clearances_m(
    kinds: Sequence[str], *, clearances_m: Mapping[str, float]
) -> NDArray[np.float64]:
    """Return the clearance in metres for each facility kind, as an array.

    A kind missing from ``clearances_m`` falls back to the ``"other"`` rule (or 0 m, no rule), so a
    city that adds a new facility kind is still protected by its catch-all distance.

    Examples
    --------
    >>> facility_clearances_m(["hydrant", "tree", "kiosk"],
    ...                       clearances_m={"hydrant": 3.0, "tree": 1.0, "other": 0.5})
    array([3. , 1. , 0.5])
    """
    default = float(clearances_m.get("other", 0.0))
    table = {k: float(v) for k, v in clearances_m.items()}
    return np.fromiter((table.get(k, default) for k in kinds), dtype=np.float64, count=len(kinds))


def clearance_pairs(
    booth_geoms: ArrayLike,
    facility_geoms: ArrayLike,
    facility_clearance_m: ArrayLike,
    *,
    booth_tree: shapely.STRtree | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Find every (booth, facility) pair closer than the facility's clearance.

    The predicate, used everywhere in PetaLapak (engine, tests, benchmark), is
    ``shapely.distance(booth, facility) < clearance``: a booth exactly at the required distance is
    allowed. It is evaluated in one ``STRtree`` query of the booth tree with all facility
    geometries, ``predicate="dwithin"`` and one distance per facility. ``dwithin`` means
    ``distance <= d``; querying with the largest float below each clearance
    (``numpy.nextafter``) makes it ``distance < clearance`` at no extra cost, instead of computing
    every distance afterwards. Large facility sets are queried in Z (Morton) order of their
    centres, which changes only the order of the work (neighbours after neighbours keep the tree in
    cache), not the pairs. Facilities with a clearance of 0 m (or NaN) have no rule.

    Parameters
    ----------
    booth_geoms
        Booth polygons in a metric CRS; ``None`` entries are ignored.
    facility_geoms
        Facility geometries (points, lines or polygons) in the same CRS.
    facility_clearance_m
        Clearance in metres for each facility, same length as ``facility_geoms``.
    booth_tree
        An ``STRtree`` already built on exactly ``booth_geoms`` (the checker keeps one warm);
        built here when omitted.

    Returns
    -------
    booth_idx, facility_idx
        Indices into the inputs, one entry per conflicting pair, in a deterministic but unspecified
        order (grouped by facility).

    Raises
    ------
    app.gis.crs.CRSError
        When a booth or facility still looks like longitude/latitude degrees.

    Examples
    --------
    A hydrant 1 m from the first booth conflicts; one exactly 3 m away does not.

    >>> from shapely import Point, box
    >>> booths = [box(315000, 9994000, 315003, 9994003), box(315010, 9994000, 315013, 9994003)]
    >>> hydrants = [Point(315004, 9994001), Point(315006, 9994001)]
    >>> clearance_pairs(booths, hydrants, [3.0, 3.0])
    (array([0]), array([0]))
    """
    booths = _object_array(booth_geoms)
    facilities = _object_array(facility_geoms)
    clearance = np.asarray(facility_clearance_m, dtype=np.float64)
    if clearance.shape != facilities.shape:
        raise ValueError(
            f"{clearance.shape[0] if clearance.ndim else 0} clearances for "
            f"{facilities.shape[0]} facilities"
        )
    _refuse_degrees_all(booths, "booth")
    _refuse_degrees_all(facilities, "facility")
    active = clearance > 0.0  # NaN compares False: no rule
    facility_map: NDArray[np.intp] | None = None
    if not active.all():
        facility_map = np.flatnonzero(active)
        facilities = facilities[facility_map]
        clearance = clearance[facility_map]
    if len(facilities) >= _SPATIAL_ORDER_MIN:
        order = _z_order(facilities)
        facilities, clearance = facilities[order], clearance[order]
        facility_map = order if facility_map is None else facility_map[order]
    tree = shapely.STRtree(booths) if booth_tree is None else booth_tree
    strict = np.nextafter(clearance, -np.inf)
    pairs = cast("NDArray[np.intp]", tree.query(facilities, predicate="dwithin", distance=strict))
    facility_idx, booth_idx = pairs[0], pairs[1]
    if facility_map is not None:
        facility_idx = facility_map[facility_idx]
    return booth_idx, facility_idx


def _convex_quads(geoms: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The corners ``(n, 4, 2)`` of the geometries that are convex quadrilaterals (a booth as
    generated: a turned rectangle), and the mask of which are; other shapes get zeros."""
    corners = np.zeros((len(geoms), 4, 2))
    quad = (
        (shapely.get_type_id(geoms) == 3)
        & (shapely.get_num_interior_rings(geoms) == 0)
        & (shapely.get_num_coordinates(geoms) == 5)
    )
    idx = np.flatnonzero(quad)
    if len(idx):
        xy = shapely.get_coordinates(shapely.get_exterior_ring(geoms[idx])).reshape(-1, 5, 2)
        xy = xy[:, :4]
        edge = np.roll(xy, -1, axis=1) - xy
        turn = np.roll(edge, -1, axis=1)
        cross = edge[..., 0] * turn[..., 1] - edge[..., 1] * turn[..., 0]
        convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
        quad[idx[~convex]] = False
        corners[idx] = xy
    return corners, quad


def may_share_area(
    a: NDArray[np.object_], b: NDArray[np.object_], area_m2: float
) -> NDArray[np.bool_]:
    """Per pair ``a[i]``, ``b[i]``: ``False`` only when they surely share at most ``area_m2``.

    Neighbouring booths in a row touch along a side (or overlap by a float sliver); measuring
    each such pair with a GEOS intersection is most of a full check's time. For two convex
    quadrilaterals the separating-axis test gives, over the edge normals of both, the narrowest
    band that holds their common part; that part is also no wider than either quadrilateral's
    extent, so its area is at most ``band × extent``. A pair is left out only when that bound is
    under half of ``area_m2``: what remains is exactly the set whose shared area can exceed it.
    Other shapes are always kept.

    >>> from shapely import box
    >>> from app.gis.conflicts import _object_array
    >>> x, y = 315000, 9994000
    >>> a = _object_array([box(x, y, x + 3, y + 3)] * 3)
    >>> b = _object_array([box(x + 3, y, x + 6, y + 3), box(x + 2, y, x + 5, y + 3),
    ...                    box(x + 2.999999, y, x + 5, y + 3)])
    >>> may_share_area(a, b, 0.01).tolist()
    [False, True, False]
    """
    ca, qa = _convex_quads(a)
    cb, qb = _convex_quads(b)
    both = qa & qb
    keep = np.ones(len(a), dtype=bool)
    if not both.any():
        return keep
    origin = ca[both][:, :1, :]  # near the pair: the projections keep their sub-millimetre digits
    pa, pb = ca[both] - origin, cb[both] - origin
    edges = np.concatenate([np.roll(pa, -1, axis=1) - pa, np.roll(pb, -1, axis=1) - pb], axis=1)
    normals = np.stack([-edges[..., 1], edges[..., 0]], axis=-1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    on_a = np.einsum("mkd,mjd->mkj", normals, pa)
    on_b = np.einsum("mkd,mjd->mkj", normals, pb)
    band = np.minimum(on_a.max(axis=2), on_b.max(axis=2)) - np.maximum(
        on_a.min(axis=2), on_b.min(axis=2)
    )
    narrowest = np.clip(band.min(axis=1), 0.0, None)
    extent = np.minimum(
        np.hypot(*np.ptp(pa, axis=1).T), np.hypot(*np.ptp(pb, axis=1).T)
    )  # each quadrilateral's bounding-box diagonal: no narrower than the part they share
    keep[np.flatnonzero(both)] = narrowest * extent > 0.5 * area_m2
    return keep


def _spread_bits(v: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Interleave zeros between the low 32 bits of ``v`` (the Morton-code building block)."""
    for shift, mask in (
        (16, 0x0000FFFF0000FFFF),
        (8, 0x00FF00FF00FF00FF),
        (4, 0x0F0F0F0F0F0F0F0F),
        (2, 0x3333333333333333),
        (1, 0x5555555555555555),
    ):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def _z_order(geoms: NDArray[np.object_]) -> NDArray[np.intp]:
    """Order geometries along a Z (Morton) curve of their bounding-box centres.

    Facilities usually arrive in database order, which is spatially random; querying the booth
    tree in that order jumps across the whole tree and the booths' memory at every step. Visiting
    neighbours one after another keeps the tree nodes and booth coordinates in cache, which made
    the 100k-booth clearance check about a third faster. Only the order of the work changes,
    never the pairs found. Missing or empty geometries go last.
    """
    b = shapely.bounds(geoms)
    cx, cy = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
    missing = np.isnan(cx)
    if missing.all():
        return np.arange(len(geoms), dtype=np.intp)
    cx, cy = np.where(missing, np.nanmax(cx), cx), np.where(missing, np.nanmax(cy), cy)
    scale = float(2**16 - 1)
    span_x = max(float(cx.max() - cx.min()), 1e-9)
    span_y = max(float(cy.max() - cy.min()), 1e-9)
    qx = ((cx - cx.min()) / span_x * scale).astype(np.uint64)
    qy = ((cy - cy.min()) / span_y * scale).astype(np.uint64)
    code = _spread_bits(qx) | (_spread_bits(qy) << np.uint64(1))
    code[missing] = np.uint64(2**32)  # after every real code (codes use 32 bits)
    return np.argsort(code, kind="stable")


# --------------------------------------------------------------------------------------------
# Event windows and vending hours
# --------------------------------------------------------------------------------------------


def _minutes(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def _span(window: tuple[time, time]) -> tuple[float, float]:
    start, end = _minutes(window[0]), _minutes(window[1])
    return (start, end + 1440.0) if end <= start else (start, end)


def window_within(event_window: tuple[time, time], hours: tuple[time, time]) -> bool:
    """Return True when the whole event window falls inside a zone's vending hours.

    Hours that end at or before they start run past midnight (18:00–02:00); equal start and end
    mean all day.

    Examples
    --------
    >>> window_within((time(6), time(9)), (time(5), time(10)))
    True
    >>> window_within((time(6), time(9)), (time(16), time(22)))
    False
    >>> window_within((time(23), time(1)), (time(18), time(2)))
    True
    """
    es, ee = _span(event_window)
    zs, ze = _span(hours)
    return any(zs + shift <= es and ee <= ze + shift for shift in (-1440.0, 0.0, 1440.0))


# --------------------------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------------------------


def _validity(geoms: NDArray[np.object_]) -> tuple[NDArray[np.bool_], dict[int, str]]:
    """Return a mask of usable booth polygons and, for the others, the reason in English."""
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    valid = polygonal & ~shapely.is_empty(geoms) & shapely.is_valid(geoms)
    reasons: dict[int, str] = {}
    for i in np.flatnonzero(~valid):
        geom = geoms[i]
        if geom is None:
            reasons[int(i)] = "No geometry"
        elif geom.is_empty:
            reasons[int(i)] = "Empty geometry"
        elif not polygonal[i]:
            reasons[int(i)] = f"Not a polygon ({geom.geom_type})"
        else:
            reasons[int(i)] = str(shapely.is_valid_reason(geom))
    return valid, reasons


def _other_id_key(other_id: int | str | None) -> tuple[int, float, str]:
    if other_id is None:
        return (0, 0.0, "")
    if isinstance(other_id, int) and not isinstance(other_id, bool):
        return (1, float(other_id), "")
    return (2, 0.0, str(other_id))


def _sort_key(c: Conflict) -> tuple[str, str, tuple[int, float, str], str]:
    return (c.booth_code, c.rule, _other_id_key(c.other_id), c.message.code)


class ConflictChecker:
    """Check booths against facilities, zones, areas and each other, with warm spatial indexes.

    The checker builds three ``STRtree`` indexes once (booths, facilities, rule zones) so that the
    planner can drag a booth and get its conflicts back in about a millisecond
    (:meth:`move_booth`), while :meth:`check_all` runs every rule over the whole layout with
    vectorised shapely calls. Both paths share the same predicates, so a booth's conflicts after a
    move are exactly what a full check of the moved layout reports for it.

    Parameters
    ----------
    booths
        Booth footprints in the metric CRS; codes must be unique.
    facilities
        Facilities (hydrants, halte, crossings…) in the same CRS.
    zones
        Rule zones: ``no_vending``, ``emergency_lane`` and ``pkl_timed`` are read, other kinds are
        ignored (pass corridors and legal zones as ``areas``).
    clearances_m
        Clearance in metres per facility kind; missing kinds use ``"other"``.
    areas
        Polygons whose union every booth must lie inside (corridor, legal zones). Empty: no rule.
    event_window
        Start and end time of the event, for ``pkl_timed`` zones. ``None``: no hours rule.

    Raises
    ------
    app.gis.crs.CRSError
        When any geometry still looks like longitude/latitude degrees.
    ValueError
        When two booths share a code or a clearance is negative or not finite.

    Examples
    --------
    >>> from shapely import Point, box
    >>> from app.gis.shapes import BoothShape, FacilityShape
    >>> x, y = 315000, 9994000
    >>> checker = ConflictChecker(
    ...     booths=[BoothShape("AY-014", box(x, y, x + 3, y + 3))],
    ...     facilities=[FacilityShape(7, "hydrant", Point(x + 4.8, y + 1), "Hidran depan Kantor")],
    ...     zones=[], clearances_m={"hydrant": 3.0})
    >>> [c.message_id for c in checker.check_all()]
    ["Lapak AY-014 berjarak 1,8 m dari hidran 'Hidran depan Kantor'; minimal 3 m."]
    >>> checker.move_booth(BoothShape("AY-014", box(x - 2, y, x + 1, y + 3)))
    []
    """

    def __init__(
        self,
        *,
        booths: Sequence[BoothShape],
        facilities: Sequence[FacilityShape],
        zones: Sequence[ZoneShape],
        clearances_m: Mapping[str, float],
        areas: Sequence[BaseGeometry] = (),
        event_window: tuple[time, time] | None = None,
        blocking_kinds: frozenset[str] = BLOCKING_FACILITY_KINDS,
    ) -> None:
        self._blocking_kinds = frozenset(blocking_kinds)
        for kind, metres in clearances_m.items():
            if not math.isfinite(metres) or metres < 0:
                raise ValueError(f"clearance for {kind!r} must be a finite number ≥ 0 m")
        self._event_window = event_window

        self._facilities = tuple(facilities)
        self._fac_geoms = _object_array(f.geometry for f in self._facilities)
        _refuse_degrees_all(self._fac_geoms, "facility")
        self._fac_clear = facility_clearances_m(
            [f.kind for f in self._facilities], clearances_m=clearances_m
        )
        self._fac_tree = shapely.STRtree(self._fac_geoms)
        self._max_clear_m = float(self._fac_clear.max()) if len(self._fac_clear) else 0.0

        self._zones = tuple(z for z in zones if z.kind in _ZONE_RULES)
        zone_geoms = _object_array(z.geometry for z in self._zones)
        _refuse_degrees_all(zone_geoms, "zone")
        self._zone_geoms = _object_array(shapely.make_valid(zone_geoms))
        self._zone_tree = shapely.STRtree(self._zone_geoms)

        self._area_union: BaseGeometry | None = None
        self._area_cover: BaseGeometry | None = None
        if len(areas):
            area_geoms = _object_array(areas)
            _refuse_degrees_all(area_geoms, "area")
            union = cast(BaseGeometry, shapely.union_all(shapely.make_valid(area_geoms)))
            cover = cast(BaseGeometry, shapely.buffer(union, AREA_TOLERANCE_M))
            shapely.prepare(union)
            shapely.prepare(cover)
            self._area_union, self._area_cover = union, cover

        self._booths = list(booths)
        self._index: dict[str, int] = {}
        for i, booth in enumerate(self._booths):
            if booth.code in self._index:
                raise ValueError(f"booth code {booth.code!r} appears twice")
            self._index[booth.code] = i
        self._geoms = _object_array(b.geometry for b in self._booths)
        _refuse_degrees_all(self._geoms, "booth")
        self._valid, self._reasons = _validity(self._geoms)
        # Invalid booths are left out of the tree: GEOS may refuse to measure them.
        self._tree_geoms = self._geoms.copy()
        self._tree_geoms[~self._valid] = None
        self._tree = shapely.STRtree(self._tree_geoms)
        self._stale: set[int] = set()

    # -- public API -------------------------------------------------------------------------

    def check_all(self) -> list[Conflict]:
        """Check every booth against every rule; sorted by booth code, rule, then other id."""
        self._refresh_tree()
        n = len(self._booths)
        conflicts = [invalid_conflict(self._booths[i], self._reasons[i]) for i in self._reasons]
        valid_idx = np.flatnonzero(self._valid)
        position = np.full(n, -1, dtype=np.intp)
        position[valid_idx] = np.arange(len(valid_idx))
        booth_idx, fac_idx = clearance_pairs(
            self._tree_geoms, self._fac_geoms, self._fac_clear, booth_tree=self._tree
        )
        conflicts += self._evaluate(
            [self._booths[i] for i in valid_idx],
            self._geoms[valid_idx],
            valid_idx.astype(np.intp),
            (position[booth_idx], fac_idx),
        )
        return sorted(conflicts, key=_sort_key)

    def check_booth(self, booth: BoothShape) -> list[Conflict]:
        """Check one booth (moved or new) against everything else, without changing the layout.

        A booth whose code is already in the layout replaces it for this check: it is never
        reported as overlapping its own old position.
        """
        geoms = _object_array([booth.geometry])
        _refuse_degrees_all(geoms, f"booth {booth.code}")
        valid, reasons = _validity(geoms)
        if not valid[0]:
            return [invalid_conflict(booth, reasons[0])]
        self_idx = np.array([self._index.get(booth.code, -1)], dtype=np.intp)
        conflicts = self._evaluate([booth], geoms, self_idx, self._facility_pairs_one(geoms[0]))
        return sorted(conflicts, key=_sort_key)

    def move_booth(self, booth: BoothShape) -> list[Conflict]:
        """Put ``booth`` in the layout (replacing the booth with its code, or adding it).

        Returns its conflicts. The booth index is not rebuilt on every move: moved booths are
        checked by brute force until more than a few dozen have moved, then the tree is rebuilt
        once (about 20 ms for 100,000 booths).
        """
        geoms = _object_array([booth.geometry])
        _refuse_degrees_all(geoms, f"booth {booth.code}")
        valid, reasons = _validity(geoms)
        i = self._index.get(booth.code)
        if i is None:
            i = len(self._booths)
            self._index[booth.code] = i
            self._booths.append(booth)
            self._geoms = np.append(self._geoms, geoms)
            self._valid = np.append(self._valid, valid)
            self._tree_geoms = np.append(self._tree_geoms, _object_array([None]))
        else:
            self._booths[i] = booth
            self._geoms[i] = booth.geometry
            self._valid[i] = valid[0]
        self._tree_geoms[i] = booth.geometry if valid[0] else None
        self._reasons.pop(i, None)
        if not valid[0]:
            self._reasons[i] = reasons[0]
        self._stale.add(i)
        if len(self._stale) > _STALE_LIMIT:
            self._refresh_tree()
        return self.check_booth(booth)

    # -- internals --------------------------------------------------------------------------

    def _refresh_tree(self) -> None:
        if self._stale:
            self._tree = shapely.STRtree(self._tree_geoms)
            self._stale.clear()

    def _facility_pairs_one(self, geom: BaseGeometry) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Facility pairs for one booth, through the very predicate :func:`clearance_pairs` uses."""
        if not len(self._facilities):
            empty = np.empty(0, dtype=np.intp)
            return empty, empty
        reach = self._max_clear_m + 1e-6  # envelope prefilter only: a generous superset
        minx, miny, maxx, maxy = geom.bounds
        window = shapely.box(minx - reach, miny - reach, maxx + reach, maxy + reach)
        candidates = cast("NDArray[np.intp]", self._fac_tree.query(window))
        booth_idx, fac_pos = clearance_pairs(
            [geom], self._fac_geoms[candidates], self._fac_clear[candidates]
        )
        return booth_idx, candidates[fac_pos]

    def _overlap_pairs(
        self, geoms: NDArray[np.object_], self_idx: NDArray[np.intp]
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Candidate (query position, booth index) pairs that intersect, self excluded."""
        pairs = cast("NDArray[np.intp]", self._tree.query(geoms, predicate="intersects"))
        q, b = pairs[0], pairs[1]
        if self._stale:
            stale = np.fromiter(self._stale, dtype=np.intp, count=len(self._stale))
            keep = ~np.isin(b, stale)  # the tree still holds their old positions
            q, b = q[keep], b[keep]
            stale = stale[self._valid[stale]]
            hits = shapely.intersects(geoms[:, None], self._geoms[stale][None, :])
            sq, ss = np.nonzero(hits)
            q = np.concatenate([q, sq.astype(np.intp)])
            b = np.concatenate([b, stale[ss]])
        not_self = b != self_idx[q]
        return q[not_self], b[not_self]

    def _evaluate(
        self,
        booths: Sequence[BoothShape],
        geoms: NDArray[np.object_],
        self_idx: NDArray[np.intp],
        facility_pairs: tuple[NDArray[np.intp], NDArray[np.intp]],
    ) -> list[Conflict]:
        """Every rule but validity for valid booths ``geoms``; pairs index into ``geoms``."""
        out: list[Conflict] = []
        if len(geoms) == 0:
            return out

        if self._area_cover is not None and self._area_union is not None:
            inside = shapely.covers(self._area_cover, geoms)
            outside = np.flatnonzero(~inside)
            if len(outside):
                spill = shapely.area(shapely.difference(geoms[outside], self._area_union))
                out += [
                    outside_conflict(booths[i], float(a))
                    for i, a in zip(outside.tolist(), spill.tolist(), strict=True)
                ]

        zpairs = cast("NDArray[np.intp]", self._zone_tree.query(geoms, predicate="intersects"))
        if zpairs.shape[1]:
            zq, zz = zpairs[0], zpairs[1]
            shared = shapely.area(shapely.intersection(geoms[zq], self._zone_geoms[zz]))
            for q, z, a in zip(zq.tolist(), zz.tolist(), shared.tolist(), strict=True):
                if a > OVERLAP_TOLERANCE_M2:
                    conflict = self._zone(booths[q], self._zones[z], float(a))
                    if conflict is not None:
                        out.append(conflict)

        oq, ob = self._overlap_pairs(geoms, self_idx)
        if len(oq):
            maybe = may_share_area(geoms[oq], self._geoms[ob], OVERLAP_TOLERANCE_M2)
            oq, ob = oq[maybe], ob[maybe]
            shared = shapely.area(shapely.intersection(geoms[oq], self._geoms[ob]))
            for q, b, a in zip(oq.tolist(), ob.tolist(), shared.tolist(), strict=True):
                if a > OVERLAP_TOLERANCE_M2:
                    out.append(overlap_conflict(booths[q], self._booths[b], float(a)))

        fq, ff = facility_pairs
        if len(fq):
            distances = shapely.distance(geoms[fq], self._fac_geoms[ff])
            for q, f, d in zip(fq.tolist(), ff.tolist(), distances.tolist(), strict=True):
                out.append(
                    clearance_conflict(
                        booths[q],
                        self._facilities[f],
                        float(d),
                        float(self._fac_clear[f]),
                        self._blocking_kinds,
                    )
                )
        return out

    def _zone(self, booth: BoothShape, zone: ZoneShape, shared_m2: float) -> Conflict | None:
        rule = _ZONE_RULES[zone.kind]
        if rule == "timed_zone_hours":
            window = self._event_window
            if window is None or zone.hours is None or window_within(window, zone.hours):
                return None
        return zone_conflict(booth, zone, rule, shared_m2, self._event_window)


def find_conflicts(
    *,
    booths: Sequence[BoothShape],
    facilities: Sequence[FacilityShape],
    zones: Sequence[ZoneShape],
    clearances_m: Mapping[str, float],
    areas: Sequence[BaseGeometry] = (),
    event_window: tuple[time, time] | None = None,
    blocking_kinds: frozenset[str] = BLOCKING_FACILITY_KINDS,
) -> list[Conflict]:
    """Check a whole layout once: ``ConflictChecker(...).check_all()``.

    Examples
    --------
    >>> from shapely import box
    >>> from app.gis.shapes import BoothShape
    >>> x, y = 315000, 9994000
    >>> found = find_conflicts(
    ...     booths=[BoothShape("A-1", box(x, y, x + 3, y + 3)),
    ...             BoothShape("A-2", box(x + 2, y, x + 5, y + 3))],
    ...     facilities=[], zones=[], clearances_m={})
    >>> [(c.booth_code, c.rule, c.other_id) for c in found]
    [('A-1', 'booth_overlap', 'A-2'), ('A-2', 'booth_overlap', 'A-1')]
    >>> found[0].message_id
    'Lapak A-1 bertumpang tindih 3 m² dengan lapak A-2.'
    """
    return ConflictChecker(
        booths=booths,
        facilities=facilities,
        zones=zones,
        clearances_m=clearances_m,
        areas=areas,
        event_window=event_window,
        blocking_kinds=blocking_kinds,
    ).check_all()
