"""Checks that incoming geometry is fit to store: right type, valid, in the city, not swapped,
closed, and not too detailed.

Kept pure so that the import service, the map editor and the API share one set of answers, and
each answer says in plain words what is wrong, for the feature report shown before anything is
written. Nothing is changed silently: a repair (``make_valid``, closing a ring) or a
simplification happens only when the caller asks for it, and the outcome says what was done.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from app.gis.crs import to_metric, to_wgs84, utm_epsg_for

#: Vertices one feature may have unless the app sets ``MAX_VERTICES``. A CFD corridor drawn by
#: hand has tens; an OSM street block a few hundred; 10,000 keeps surveyed outlines whole while
#: a 200,000-vertex zone (6.3 MB on the public home page) is refused.
DEFAULT_MAX_VERTICES = 10_000
#: Simplification starts at 1 cm (below survey accuracy) and doubles until the feature fits.
_SIMPLIFY_START_M = 0.01
_SIMPLIFY_STEPS = 40

Message = tuple[str, str]  # (Indonesian, English)


@dataclass(frozen=True)
class GeometryCheck:
    """The outcome for one feature: the geometry to store (maybe repaired) or the problems."""

    geometry: BaseGeometry | None
    problems: tuple[Message, ...] = ()
    repaired: str | None = None  # what was repaired, when it was
    simplified: Message | None = None  # what simplification did, when it was asked and needed

    @property
    def ok(self) -> bool:
        """True when the geometry may be stored."""
        return self.geometry is not None and not self.problems


_SWAPPED = (
    "Lintang dan bujur tertukar: urutan GeoJSON adalah [bujur, lintang].",
    "Latitude and longitude are swapped: GeoJSON order is [lon, lat].",
)


def _swap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def _fits_swapped(geom: BaseGeometry, extent: Polygon | None) -> bool:
    """True when the geometry lands in the city (or at least in lon/lat range) once swapped."""
    swapped = _swap(geom)
    if extent is not None:
        return bool(extent.intersects(swapped))
    minx, miny, maxx, maxy = swapped.bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def check_geometry(
    geom: BaseGeometry | None,
    *,
    allowed_types: Collection[str],
    extent: Polygon | None = None,
    repair: bool = False,
    max_vertices: int | None = None,
    simplify: bool = False,
) -> GeometryCheck:
    """Check EPSG:4326 geometry for storage.

    Parameters
    ----------
    geom
        The feature's geometry in lon/lat.
    allowed_types
        Geometry types the layer accepts, e.g. ``{"Polygon"}``.
    extent
        The city's extent; geometry outside it is refused, and geometry that fits only with its
        coordinates swapped is reported as lat/lon swapped.
    repair
        Repair invalid polygons with ``make_valid`` (and say so) instead of refusing them.
    max_vertices
        Refuse geometry with more coordinates than this (closing points count; None: no
        limit), naming the count and the limit.
    simplify
        Instead of refusing geometry over ``max_vertices``, simplify it (topology kept, in
        metres) until it fits, and say so in ``simplified``.

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> check_geometry(bowtie, allowed_types={"Polygon"}).problems[0][1][:22]
    'Invalid geometry: Self'
    >>> check_geometry(bowtie, allowed_types={"Polygon"}, repair=True).repaired is not None
    True
    >>> circle = shapely.Point(109.34, -0.04).buffer(0.001, quad_segs=64)
    >>> check_geometry(circle, allowed_types={"Polygon"}, max_vertices=100).problems[0][1][:37]
    'Too many vertices: 257 (at most 100).'
    >>> fitted = check_geometry(circle, allowed_types={"Polygon"}, max_vertices=100, simplify=True)
    >>> fitted.ok, bool(shapely.get_num_coordinates(fitted.geometry) <= 100)
    (True, True)
    """
    if geom is None or geom.is_empty:
        return GeometryCheck(None, (("Geometri kosong.", "Empty geometry."),))
    if geom.has_z:
        geom = shapely.force_2d(geom)
    if geom.geom_type == "MultiPolygon" and "Polygon" in allowed_types and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type not in allowed_types:
        allowed = ", ".join(sorted(allowed_types))
        return GeometryCheck(
            None,
            (
                (
                    f"Jenis geometri {geom.geom_type} tidak diterima (harus {allowed}).",
                    f"Geometry type {geom.geom_type} not accepted here (expected {allowed}).",
                ),
            ),
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        if _fits_swapped(geom, extent):
            return GeometryCheck(None, (_SWAPPED,))
        return GeometryCheck(
            None,
            (
                (
                    "Koordinat di luar rentang bujur/lintang; data harus EPSG:4326 (lon, lat).",
                    "Coordinates out of lon/lat range; data must be EPSG:4326 (lon, lat).",
                ),
            ),
        )
    if extent is not None and not extent.intersects(geom):
        if _fits_swapped(geom, extent):
            return GeometryCheck(None, (_SWAPPED,))
        return GeometryCheck(
            None, (("Geometri berada di luar wilayah kota.", "Geometry lies outside the city."),)
        )
    simplified = None
    vertices = int(shapely.get_num_coordinates(geom))
    if max_vertices is not None and vertices > max_vertices:
        if not simplify:
            return GeometryCheck(None, (_too_many(vertices, max_vertices),))
        fitted = simplify_to_limit(geom, max_vertices=max_vertices)
        if fitted is None:
            return GeometryCheck(
                None,
                (
                    (
                        f"Terlalu banyak titik: {vertices} (paling banyak {max_vertices}), dan "
                        "tidak dapat disederhanakan sampai batas itu.",
                        f"Too many vertices: {vertices} (at most {max_vertices}), and it cannot "
                        "be simplified that far.",
                    ),
                ),
            )
        geom, tolerance_m = fitted
        after = int(shapely.get_num_coordinates(geom))
        simplified = (
            f"Disederhanakan dari {vertices} menjadi {after} titik "
            f"(toleransi {_decimal_id(tolerance_m)} m).",
            f"Simplified from {vertices} to {after} vertices (tolerance {tolerance_m:.2f} m).",
        )
    repaired = None
    if not geom.is_valid:
        reason = explain_validity(geom)
        if not repair:
            return GeometryCheck(
                None, ((f"Geometri tidak sah: {reason}.", f"Invalid geometry: {reason}."),)
            )
        fixed = shapely.make_valid(geom)
        fixed = _keep_type(fixed, allowed_types)
        if fixed is None:
            return GeometryCheck(
                None,
                (
                    (
                        f"Geometri tidak sah dan tidak dapat diperbaiki: {reason}.",
                        f"Invalid geometry that cannot be repaired: {reason}.",
                    ),
                ),
            )
        geom, repaired = fixed, reason
    return GeometryCheck(geom, (), repaired, simplified)


def _too_many(vertices: int, max_vertices: int) -> Message:
    return (
        f"Terlalu banyak titik: {vertices} (paling banyak {max_vertices}). Sederhanakan "
        "geometrinya, atau impor dengan pilihan penyederhanaan (--simplify).",
        f"Too many vertices: {vertices} (at most {max_vertices}). Simplify it, or import "
        "with the simplify option (--simplify).",
    )


def _decimal_id(value: float) -> str:
    """Two decimals with the Indonesian decimal comma."""
    return f"{value:.2f}".replace(".", ",")


def simplify_to_limit(
    geom: BaseGeometry, *, max_vertices: int
) -> tuple[BaseGeometry, float] | None:
    """Simplify EPSG:4326 geometry, as little as needed, to at most ``max_vertices`` coordinates.

    The tolerance is in metres (the geometry is projected to its UTM zone for the work): it
    starts at 1 cm and doubles until the geometry fits, then is narrowed down between the last
    two tries. Topology is kept (rings stay rings, holes stay inside).

    Returns
    -------
    tuple or None
        The simplified geometry in EPSG:4326 and the tolerance used in metres, or None when even
        the coarsest simplification keeps too many vertices (e.g. a limit below a ring's four).

    Examples
    --------
    >>> import shapely
    >>> circle = shapely.Point(109.34, -0.04).buffer(0.001, quad_segs=64)
    >>> simple, tolerance_m = simplify_to_limit(circle, max_vertices=50)
    >>> bool(shapely.get_num_coordinates(simple) <= 50), 0 < tolerance_m < 10
    (True, True)
    >>> simplify_to_limit(circle, max_vertices=3) is None
    True
    """
    if _fewest_vertices(geom) > max_vertices:
        return None
    centre = geom.centroid
    epsg = utm_epsg_for(centre.x, centre.y)
    metric = to_metric(geom, epsg)

    def fits(tolerance_m: float) -> BaseGeometry | None:
        out = shapely.simplify(metric, tolerance_m, preserve_topology=True)
        if out.is_empty or shapely.get_num_coordinates(out) > max_vertices:
            return None
        return out

    low, high = 0.0, _SIMPLIFY_START_M
    best = fits(high)
    steps = 0
    while best is None:
        steps += 1
        if steps > _SIMPLIFY_STEPS:
            return None
        low, high = high, high * 2
        best = fits(high)
    for _ in range(8):  # keep as much detail as the limit allows
        mid = (low + high) / 2
        tried = fits(mid)
        if tried is None:
            low = mid
        else:
            best, high = tried, mid
    return to_wgs84(best, epsg), high


def _fewest_vertices(geom: BaseGeometry) -> int:
    """Coordinates left after the coarsest topology-keeping simplification (4 per ring)."""
    parts = getattr(geom, "geoms", [geom])
    total = 0
    for part in parts:
        if isinstance(part, Polygon):
            total += 4 * (1 + len(part.interiors))
        else:
            total += min(2, int(shapely.get_num_coordinates(part)))
    return total


def unclosed_rings(geometry: Mapping[str, Any]) -> int:
    """Count the rings of a GeoJSON (Multi)Polygon whose last position is not its first.

    GeoJSON requires closed rings; shapely closes an open one without a word, so this is asked
    of the raw coordinates, before the geometry is built. Malformed coordinates count nothing
    here (building the geometry reports them).

    >>> unclosed_rings({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]})
    1
    >>> unclosed_rings({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    0
    """
    return sum(1 for ring in _rings(geometry) if _open(ring))


def close_rings(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a GeoJSON (Multi)Polygon with every open ring closed by repeating its start.

    >>> close_rings({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]})["coordinates"]
    [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    """

    def closed(ring: list[Any]) -> list[Any]:
        return [*ring, ring[0]] if _open(ring) else list(ring)

    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon" and isinstance(coords, list):
        coords = [closed(r) if isinstance(r, list) else r for r in coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        coords = [
            [closed(r) if isinstance(r, list) else r for r in poly]
            if isinstance(poly, list)
            else poly
            for poly in coords
        ]
    return {**geometry, "coordinates": coords}


def _rings(geometry: Mapping[str, Any]) -> list[list[Any]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        return []
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = [p for p in coords if isinstance(p, list)]
    else:
        return []
    return [ring for poly in polys for ring in poly if isinstance(ring, list)]


def _open(ring: list[Any]) -> bool:
    """True when a ring of two or more positions does not end where it starts."""
    if len(ring) < 2:
        return False
    first, last = ring[0], ring[-1]
    if not isinstance(first, list | tuple) or not isinstance(last, list | tuple):
        return False
    return list(first[:2]) != list(last[:2])


def _keep_type(geom: BaseGeometry, allowed_types: Collection[str]) -> BaseGeometry | None:
    """After make_valid, keep the largest part of the accepted type (a bow-tie gives two)."""
    if geom.geom_type in allowed_types:
        return geom
    parts = getattr(geom, "geoms", [geom])
    polys: list[Polygon] = []
    for part in parts:
        if isinstance(part, Polygon):
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
    if "Polygon" in allowed_types and polys:
        return max(polys, key=lambda p: p.area)
    return None
