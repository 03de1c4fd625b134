"""Small constructors for booth footprints, shared by the seed, the editor and the layout."""

from __future__ import annotations

import math

from shapely import affinity
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from app.gis.crs import refuse_degrees


def oriented_rectangle(
    centre: Point, *, width_m: float, depth_m: float, angle_rad: float
) -> Polygon:
    """A ``width_m`` × ``depth_m`` rectangle centred on ``centre``, its width along ``angle_rad``.

    Examples
    --------
    >>> from shapely import Point
    >>> r = oriented_rectangle(Point(500000, 9990000), width_m=3, depth_m=2, angle_rad=0.5)
    >>> round(r.area, 6)
    6.0
    """
    refuse_degrees(centre, "booth centre")
    half_w, half_d = width_m / 2.0, depth_m / 2.0
    base = Polygon([(-half_w, -half_d), (half_w, -half_d), (half_w, half_d), (-half_w, half_d)])
    rotated = affinity.rotate(base, angle_rad, origin=(0, 0), use_radians=True)
    return affinity.translate(rotated, centre.x, centre.y)


def direction_near(geom: BaseGeometry, point: Point) -> float:
    """Angle (radians) of ``geom``'s boundary or line at the place nearest to ``point``.

    Used to turn a desk or booth so its width runs along the street, whatever the street's bend.

    >>> from shapely import LineString, Point
    >>> line = LineString([(500000, 9990000), (500100, 9990100)])
    >>> round(direction_near(line, Point(500050, 9990040)), 4)
    0.7854
    """
    line = geom if isinstance(geom, LineString) else geom.boundary
    dist = line.project(point)
    a = line.interpolate(max(0.0, dist - 1.0))
    b = line.interpolate(min(line.length, dist + 1.0))
    return math.atan2(b.y - a.y, b.x - a.x)
