"""Checks that incoming geometry is fit to store: right type, valid, in the city, not swapped.

Kept pure so that the import service, the map editor and the API share one set of answers, and
each answer says in plain words what is wrong, for the feature report shown before anything is
written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity


@dataclass(frozen=True)
class GeometryCheck:
    """The outcome for one feature: the geometry to store (maybe repaired) or the problems."""

    geometry: BaseGeometry | None
    problems: tuple[tuple[str, str], ...] = ()  # (Indonesian, English)
    repaired: str | None = None  # what was repaired, when it was

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

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> check_geometry(bowtie, allowed_types={"Polygon"}).problems[0][1][:22]
    'Invalid geometry: Self'
    >>> check_geometry(bowtie, allowed_types={"Polygon"}, repair=True).repaired is not None
    True
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
    return GeometryCheck(geom, (), repaired)


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
